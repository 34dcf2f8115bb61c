import Foundation

/// Where the console keeps its files: `$XDG_STATE_HOME/dsconsole/` or `~/.local/state/dsconsole/`.
struct StatePaths: Hashable, Sendable {
    /// The state directory (not created until a file is written).
    var directory: String

    /// The directory for `environment` (defaults to the process environment).
    init(environment: [String: String] = ProcessInfo.processInfo.environment) {
        if let state = environment["XDG_STATE_HOME"], state.hasPrefix("/") {
            directory = state + "/dsconsole"
        } else {
            let home = environment["HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? NSHomeDirectory()
            directory = home + "/.local/state/dsconsole"
        }
    }

    /// The default composer history file.
    var historyFile: String { directory + "/history.json" }

    /// The default log file (engine and broker logs never go to the screen).
    var logFile: String { directory + "/console.log" }
    /// The last text copied in the console (`y`, `Y`, `S` in the call detail).
    var copyFile: String { directory + "/last-copy.txt" }

    /// Creates the directory holding `path` if needed.
    static func createParentDirectory(of path: String) throws {
        let parent = (path as NSString).deletingLastPathComponent
        guard !parent.isEmpty else { return }
        try FileManager.default.createDirectory(atPath: parent, withIntermediateDirectories: true)
    }
}
