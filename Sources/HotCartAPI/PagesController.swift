import Foundation
import Hummingbird
import NIOCore

/// The pages a person uses: the storefront (`GET /`), the operator page (`GET /ops`) and their
/// scripts and style (`GET /pages/{file}`). Plain HTML, CSS and JavaScript from
/// `Sources/HotCartAPI/Pages` (no build step), shipped in the module's bundle and read once at
/// start. The Content-Security-Policy lets a page load nothing from another host.
struct PagesController {
    /// A file as served.
    struct File {
        let bytes: ByteBuffer
        let contentType: String
    }

    func addRoutes(to router: Router<CartRequestContext>) {
        router.get("/") { _, _ in try self.serve("index.html") }
        router.get("ops") { _, _ in try self.serve("ops.html") }
        router.get("pages/{file}") { _, context in try self.serve(context.parameters.get("file") ?? "") }
    }

    private func serve(_ name: String) throws -> Response {
        guard let file = Self.files[name] else { throw HTTPError(.notFound) }
        return Response(
            status: .ok,
            headers: [
                .contentType: file.contentType,
                .cacheControl: "no-cache",
                .contentSecurityPolicy:
                    "default-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'none'; frame-ancestors 'none'",
                .xContentTypeOptions: "nosniff",
            ],
            body: .init(byteBuffer: file.bytes)
        )
    }

    /// Every file of the bundle's `Pages` folder, by name.
    static let files: [String: File] = {
        guard let folder = Bundle.module.url(forResource: "Pages", withExtension: nil),
            let names = try? FileManager.default.contentsOfDirectory(atPath: folder.path)
        else {
            fatalError("the Pages folder is missing from the HotCartAPI bundle")
        }
        var files: [String: File] = [:]
        for name in names {
            guard let data = try? Data(contentsOf: folder.appendingPathComponent(name)) else { continue }
            files[name] = File(bytes: ByteBuffer(bytes: data), contentType: Self.contentType(of: name))
        }
        return files
    }()

    private static func contentType(of name: String) -> String {
        switch name.split(separator: ".").last {
        case "html": "text/html; charset=utf-8"
        case "js": "text/javascript; charset=utf-8"
        case "css": "text/css; charset=utf-8"
        case "png": "image/png"
        default: "application/octet-stream"
        }
    }
}
