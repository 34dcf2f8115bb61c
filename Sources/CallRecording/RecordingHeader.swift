import DeepstreamProtocol

/// The first line of a recording: which format version, where the traffic came from, and when the
/// recording started.
package struct RecordingHeader: Hashable, Sendable {
    /// The format version this code writes and reads.
    package static let currentVersion = 1

    /// The format version of the file.
    package var version: Int
    /// Where the calls were observed: a server URL (`--url`), the embedded broker's URL (`--serve`),
    /// the proxy's upstream (`--proxy`), or `console` for a file written with `w`.
    package var source: String
    /// When the recording started.
    package var startedAt: Timestamp

    /// Creates a header.
    package init(version: Int = RecordingHeader.currentVersion, source: String, startedAt: Timestamp) {
        self.version = version
        self.source = source
        self.startedAt = startedAt
    }
}
