import NIOCore
import NIOHTTP1
import NIOHTTPTypesHTTP1

/// Gives an HTTP/1.0 request (ApacheBench sends them), and any whose connection HTTP/1 ends
/// with its answer, an explicit `Connection: close`.
///
/// That header is all Hummingbird looks at to close a connection after an answer, and the HTTP
/// version is gone once NIO's request head becomes an `HTTPRequest`: an HTTP/1.0 client, which
/// reads an answer to its end at the close unless the answer says `Connection: keep-alive`
/// (Hummingbird's never do), waited until the idle timeout (`ab` hung, with or without `-k`).
/// Such a connection now closes after each answer, which HTTP/1.0 allows even when the client
/// asked to keep it. This handler reads NIO's own request heads, before that conversion;
/// ``Installer`` puts it there, since Hummingbird adds the channel handlers it is given after it.
///
/// A client keeps the HTTP version of its connection's first request, and Hummingbird itself
/// closes after an HTTP/1.1 request that says `Connection: close`: once a connection's first
/// request is an HTTP/1.1 one, the handler takes itself out, and the requests after it no
/// longer pass through it.
final class ConnectionCloseMarker: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias InboundOut = HTTPServerRequestPart

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard case .head(var head) = self.unwrapInboundIn(data) else {
            context.fireChannelRead(data)
            return
        }
        if head.version == .http1_1 && head.isKeepAlive {
            context.fireChannelRead(data)
            context.pipeline.syncOperations.removeHandler(context: context, promise: nil)
            return
        }
        head.headers.replaceOrAdd(name: "connection", value: "close")
        context.fireChannelRead(self.wrapInboundOut(.head(head)))
    }

    /// Given to Hummingbird with the other channel handlers: puts a ``ConnectionCloseMarker``
    /// in front of the conversion to HTTP types as it is added, and takes itself out.
    final class Installer: ChannelInboundHandler, RemovableChannelHandler {
        typealias InboundIn = Never

        func handlerAdded(context: ChannelHandlerContext) {
            let pipeline = context.pipeline.syncOperations
            if let conversion = try? pipeline.context(handlerType: HTTP1ToHTTPServerCodec.self) {
                try? pipeline.addHandler(ConnectionCloseMarker(), position: .before(conversion.handler))
            }
            pipeline.removeHandler(context: context, promise: nil)
        }
    }
}
