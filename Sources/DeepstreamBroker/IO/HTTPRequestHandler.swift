import NIOCore
import NIOHTTP1

/// Answers plain HTTP requests (those that are not a WebSocket upgrade to a broker endpoint):
/// `GET /health-check` (or the configured path) → 200, an endpoint path without upgrade → 426,
/// anything else → 404.
final class HTTPRequestHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    /// Paths served over WebSocket.
    let webSocketPaths: Set<String>
    /// The health-check path.
    let healthCheckPath: String

    private var head: HTTPRequestHead?

    init(webSocketPaths: Set<String>, healthCheckPath: String) {
        self.webSocketPaths = webSocketPaths
        self.healthCheckPath = healthCheckPath
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head):
            self.head = head
        case .body:
            break
        case .end:
            guard let head else { return }
            self.head = nil
            respond(to: head, context: context)
        }
    }

    /// The request path without query string or fragment.
    static func path(of uri: String) -> String {
        String(uri.prefix { $0 != "?" && $0 != "#" })
    }

    private func respond(to head: HTTPRequestHead, context: ChannelHandlerContext) {
        let path = Self.path(of: head.uri)
        let status: HTTPResponseStatus
        let body: String
        if path == healthCheckPath && (head.method == .GET || head.method == .HEAD) {
            (status, body) = (.ok, "OK\n")
        } else if webSocketPaths.contains(path) {
            (status, body) = (.upgradeRequired, "This endpoint only speaks WebSocket.\n")
        } else {
            (status, body) = (.notFound, "Not Found\n")
        }
        var headers = HTTPHeaders()
        headers.add(name: "Content-Type", value: "text/plain; charset=utf-8")
        headers.add(name: "Content-Length", value: String(body.utf8.count))
        headers.add(name: "Connection", value: "close")
        context.write(wrapOutboundOut(.head(HTTPResponseHead(version: head.version, status: status, headers: headers))), promise: nil)
        if head.method != .HEAD {
            context.write(wrapOutboundOut(.body(.byteBuffer(ByteBuffer(string: body)))), promise: nil)
        }
        let channel = context.channel
        context.writeAndFlush(wrapOutboundOut(.end(nil))).whenComplete { _ in channel.close(promise: nil) }
    }
}
