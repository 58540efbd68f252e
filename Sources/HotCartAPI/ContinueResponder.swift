import HTTPTypes
import NIOCore
import NIOHTTPTypes

/// Answers `Expect: 100-continue` at once with `100 Continue`.
///
/// A client that sends it (curl before a body over 1 MiB, older libcurl over 1 KiB, .NET
/// Framework's `HttpWebRequest` before every body) holds its body back until the server says to
/// go on, or for a second when it does not: Hummingbird never does, so every such request
/// waited that second. The interim answer is written only when no earlier request of the
/// connection is still being answered, since it must not land inside another answer; a
/// pipelined request behind one waits as before.
final class ContinueResponder: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPRequestPart
    typealias InboundOut = HTTPRequestPart
    typealias OutboundIn = HTTPResponsePart
    typealias OutboundOut = HTTPResponsePart

    /// Requests received whose answer has not been written to its end.
    private var unanswered = 0

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        if case .head(let request) = self.unwrapInboundIn(data) {
            if self.unanswered == 0, request.headerFields[.expect]?.lowercased() == "100-continue" {
                context.writeAndFlush(self.wrapOutboundOut(.head(HTTPResponse(status: .continue))), promise: nil)
            }
            self.unanswered += 1
        }
        context.fireChannelRead(data)
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        // Never below zero: the answer to a request the parser refused has no head here.
        if case .end = self.unwrapOutboundIn(data) {
            self.unanswered = max(0, self.unanswered - 1)
        }
        context.write(data, promise: promise)
    }
}
