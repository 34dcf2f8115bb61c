import DeepstreamProtocol

/// The first line of a recording: which format version, where the traffic came from, and when the
/// recording started.
public struct RecordingHeader: Hashable, Sendable {
    /// The format version this code writes and reads.
    public static let currentVersion = 1

    /// The format version of the file.
    public var version: Int
    /// Where the calls were observed: a server URL (`--url`), the embedded broker's URL (`--serve`),
    /// the proxy's upstream (`--proxy`), or `console` for a file written with `w`.
    public var source: String
    /// When the recording started.
    public var startedAt: Timestamp

    /// Creates a header.
    public init(version: Int = RecordingHeader.currentVersion, source: String, startedAt: Timestamp) {
        self.version = version
        self.source = source
        self.startedAt = startedAt
    }
}
