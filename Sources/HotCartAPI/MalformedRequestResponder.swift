import CartDomain
import HTTPTypes
import NIOCore
import NIOHTTP1
import NIOHTTPTypes

/// Gives a request that NIO's HTTP parser refuses (a header block over its 80 KiB limit, bytes
/// that are not HTTP) the contract's CART_005 error body.
///
/// Hummingbird answers such a request itself, after any earlier request of the connection has
/// its answer: an empty 400 (`Content-Length: 0`, `Connection: close`), then it closes the
/// connection. This handler sits between the parser and Hummingbird, notes the parser's error
/// as it passes, and fills that one answer in. HotCart's own 400s always carry a body, so no
/// other answer matches.
final class MalformedRequestResponder: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPRequestPart
    typealias InboundOut = HTTPRequestPart
    typealias OutboundIn = HTTPResponsePart
    typealias OutboundOut = HTTPResponsePart

    /// The parser's refusal, once it has passed on its way to Hummingbird.
    private var refusal: HTTPParserError?

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        if let error = error as? HTTPParserError { self.refusal = error }
        context.fireErrorCaught(error)
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        guard let refusal = self.refusal, case .head(var head) = self.unwrapOutboundIn(data),
            head.status == .badRequest, head.headerFields[.contentLength] == "0"
        else {
            context.write(data, promise: promise)
            return
        }
        self.refusal = nil
        let body = ErrorResponder.body(for: ErrorResponder.refusal(refusal)).buffer
        head.headerFields[.contentType] = "application/json"
        head.headerFields[.contentLength] = String(body.readableBytes)
        context.write(self.wrapOutboundOut(.head(head)), promise: nil)
        context.write(self.wrapOutboundOut(.body(body)), promise: promise)
    }
}
