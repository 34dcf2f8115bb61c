/// Settings the console starts with (from the command line).
package struct ConsoleConfiguration: Hashable, Sendable {
    /// The server URL shown on the status line.
    package var url: String
    /// The user the console logs in as, if any.
    package var user: String?
    /// Whether the console runs the embedded broker (then its traffic is shown and counted).
    package var embeddedBroker: Bool
    /// Whether the console can steer live calls (switch other clients' providers off, edit rules): on
    /// its own embedded broker only.
    package var canSteer = false
    /// Whether Space can switch other clients' providers off: on the embedded broker and in proxy mode.
    package var canSwitchProviders = false
    /// Whether the Rules overlay can change the rules live: on the embedded broker and in proxy mode.
    package var canEditRules = false
    /// The call log's capacity.
    package var callLogCapacity: Int
    /// The most payload bytes the call log holds (`--payload-memory`; the oldest calls' payloads are
    /// released beyond it).
    package var payloadBudget = CallLog.defaultPayloadBudget
    /// How many composer history entries are kept.
    package var historyLimit: Int
    /// The calls/s sliding window in seconds.
    package var rateWindowSeconds: Int
    /// How long a notice stays on the status line.
    package var noticeDuration: Duration
    /// The recording shown by `dsconsole open`; nil when live.
    package var offlineFile: String? = nil
    /// `open --url`: the console also has a server (``url``) to send to beside the recording.
    package var recordingHasServer = false

    /// Creates a configuration.
    package init(
        url: String, user: String? = nil, embeddedBroker: Bool = false,
        callLogCapacity: Int = CallLog.defaultCapacity, historyLimit: Int = 200, rateWindowSeconds: Int = 5,
        noticeDuration: Duration = .seconds(5)
    ) {
        self.url = url
        self.user = user
        self.embeddedBroker = embeddedBroker
        self.callLogCapacity = callLogCapacity
        self.historyLimit = historyLimit
        self.rateWindowSeconds = rateWindowSeconds
        self.noticeDuration = noticeDuration
    }

    /// Whether the console shows a recording without a server (`dsconsole open` without `--url`).
    package var isOffline: Bool { offlineFile != nil && !recordingHasServer }

    /// Whether calls seen from `origin` count in the stats: on the embedded broker the broker sees
    /// every call (the console's own included), so only its view counts; otherwise only the console's
    /// own calls are visible (with `open --url`, those and the recording's).
    package func countsInStats(_ origin: CallOrigin) -> Bool {
        // `open --url`: the recorded rows (broker origin) and the console's own calls to the server
        // are distinct calls, both counted.
        embeddedBroker ? origin == .broker : recordingHasServer || origin != .broker
    }
}
