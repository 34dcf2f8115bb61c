import Foundation

/// Paths of files shipped in this repository (themes, docs), found from this source file.
enum URLPath {
    static let repositoryRoot: String = {
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<3 { url.deleteLastPathComponent() }
        return url.path
    }()
}

extension String {
    init(contentsOfPath path: String) throws {
        self = try String(contentsOf: URL(fileURLWithPath: path), encoding: .utf8)
    }
}
