// The pages people use in a browser (clerk, kiosk, duty chief, ops): static files shipped in the Gateway's resource
// bundle and served open; every piece of data they show comes from /api/v1 with the token the page holds.
import Foundation
import HTTPTypes
import Hummingbird

/// The pages of the gateway, read once from `site/` in the Gateway's resource bundle.
///
/// The pages hold no data, so they are open like the status page; a page asks once for its token and sends it on
/// every API call. Answers carry a Content-Security-Policy that allows only the gateway's own scripts, styles and
/// API (no inline script: a notice's applicant name can never run as code), and no page may be framed.
public struct HallPages: Sendable {
    /// A file of the site: its bytes and content type.
    struct File: Sendable {
        let bytes: [UInt8]
        let contentType: String
    }

    /// The page routes under `/pages/` and the file each serves; `/pages` itself is the index.
    public static let pages: [String: String] = [
        "clerk": "clerk.html", "kiosk": "kiosk.html", "duty": "duty.html", "ops": "ops.html", "leave": "leave.html", "sheet": "sheet.html",
    ]

    /// The bundle folder name SwiftPM gives the Gateway target's resources (package CounterGate, target Gateway).
    static let bundleName = "CounterGate_Gateway.resources"

    /// The files by name (`clerk.html`, `common.js`); empty when the site was not found.
    let files: [String: File]
    /// Where the site was read from, or why it was not.
    public let origin: Result<String, PagesMissing>

    /// The site of this installation: `site/` in the resource bundle beside the executable (the installed layout,
    /// docs/operations.md) or in the build folder.
    public static func installed() -> HallPages {
        guard let folder = siteFolder() else {
            return HallPages(files: [:], origin: .failure(PagesMissing(searched: searchedFolders().map(\.path))))
        }
        return load(from: folder)
    }

    /// The site in `folder` (every regular file directly in it).
    public static func load(from folder: URL) -> HallPages {
        var files: [String: File] = [:]
        let names = (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []
        for name in names {
            guard let type = contentType(of: name), let data = FileManager.default.contents(atPath: folder.appendingPathComponent(name).path) else { continue }
            files[name] = File(bytes: Array(data), contentType: type)
        }
        guard !files.isEmpty else { return HallPages(files: [:], origin: .failure(PagesMissing(searched: [folder.path]))) }
        return HallPages(files: files, origin: .success(folder.path))
    }

    /// Adds `/pages`, `/pages/{clerk,kiosk,duty,ops}` and `/pages/assets/{file}` to `router` (open routes).
    public func register<Context: RequestContext>(on router: Router<Context>) {
        router.get("pages") { _, _ in try self.answer("index.html") }
        for (route, file) in Self.pages {
            router.get(RouterPath("pages/\(route)")) { _, _ in try self.answer(file) }
        }
        router.get("pages/assets/:file") { _, context in
            let name = try context.parameters.require("file")
            // Only the site's own scripts, styles and images: never a page by another path, never a path.
            guard !name.hasSuffix(".html"), files[name] != nil else {
                throw APIProblem.notFound("no page asset \(name); the pages are at /pages")
            }
            return try self.answer(name)
        }
    }

    func answer(_ name: String) throws -> Response {
        guard let file = files[name] else {
            if case .failure(let missing) = origin {
                throw APIProblem(status: .serviceUnavailable, slug: "pages-missing", title: "Pages not installed (页面未安装)",
                                 detail: missing.description)
            }
            throw APIProblem.notFound("no page \(name)")
        }
        var headers = Self.securityHeaders
        headers[.contentType] = file.contentType
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: file.bytes)))
    }

    /// What every page and asset is answered with.
    static let securityHeaders: HTTPFields = [
        .contentSecurityPolicy: "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
            + "frame-ancestors 'none'; base-uri 'none'; form-action 'none'",
        .xContentTypeOptions: "nosniff",
        .referrerPolicy: "no-referrer",
        // Revalidated each time: an upgrade's pages show at once; the pages are small.
        .cacheControl: "no-cache",
        .xFrameOptions: "DENY",
    ]

    static func contentType(of name: String) -> String? {
        switch (name as NSString).pathExtension.lowercased() {
        case "html": "text/html; charset=utf-8"
        case "css": "text/css; charset=utf-8"
        case "js": "text/javascript; charset=utf-8"
        case "svg": "image/svg+xml"
        case "png": "image/png"
        case "ico": "image/x-icon"
        default: nil
        }
    }

    /// The bundle beside the running executable (installed), then beside `Bundle.main` (the build folder, tests).
    /// Looked up by hand rather than through `Bundle.module`, which stops the process when the bundle is missing: a
    /// gateway installed without its pages must still serve the API and run the devices.
    static func searchedFolders() -> [URL] {
        var folders: [URL] = []
        if let executable = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe") {
            folders.append(URL(fileURLWithPath: executable).deletingLastPathComponent())
        }
        folders.append(Bundle.main.bundleURL)
        if let path = Bundle.main.executablePath { folders.append(URL(fileURLWithPath: path).deletingLastPathComponent()) }
        var seen = Set<String>()
        return folders.map { $0.appendingPathComponent(bundleName).appendingPathComponent("site").standardizedFileURL }
            .filter { seen.insert($0.path).inserted }
    }

    static func siteFolder() -> URL? {
        searchedFolders().first { FileManager.default.fileExists(atPath: $0.appendingPathComponent("index.html").path) }
    }
}

/// The pages' files were not found: the binary was installed without its resource bundle.
public struct PagesMissing: Error, Sendable, CustomStringConvertible {
    public let searched: [String]
    public var description: String {
        "the pages are not installed (searched \(searched.joined(separator: ", "))): copy \(HallPages.bundleName) from the build folder "
            + "beside the countergate binary (docs/operations.md, Installing); the API works without them"
    }
}

extension HTTPField.Name {
    static let referrerPolicy = Self("Referrer-Policy")!
    static let xFrameOptions = Self("X-Frame-Options")!
}
