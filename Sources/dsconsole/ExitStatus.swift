import DeepstreamProtocol

/// The exit codes of the headless commands (documented in docs/commands.md). Codes 64 and up follow
/// BSD `sysexits.h`; 64 is also what ArgumentParser uses for a usage error.
enum ExitStatus: Int32, CaseIterable, Sendable {
    /// Success.
    case success = 0
    /// The provider answered REQUEST_ERROR (its error value is on stderr).
    case requestError = 1
    /// NO_RPC_PROVIDER: nobody provides the name, or every provider rejected.
    case noProvider = 2
    /// ACCEPT_TIMEOUT from the server.
    case acceptTimeout = 3
    /// RESPONSE_TIMEOUT from the server.
    case responseTimeout = 4
    /// MESSAGE_DENIED or MESSAGE_PERMISSION_ERROR: the server's permissions refused the call.
    case denied = 5
    /// No answer within `--timeout` (a client-side deadline).
    case timeout = 6
    /// Any other failure of a call: connection lost mid-call, message too big, unexpected reply.
    case callFailed = 7
    /// Bad command line (ArgumentParser's code).
    case usage = 64
    /// Bad input data: invalid JSON, a bad providers or template file, bad auth data.
    case dataError = 65
    /// An input file does not exist or cannot be read.
    case noInput = 66
    /// The server cannot be reached, the connection was lost, or the embedded broker cannot listen.
    case unavailable = 69
    /// An output file cannot be created (it exists already, or its directory is missing or read-only).
    case cannotCreate = 73
    /// Login refused (bad credentials, too many attempts, authentication timeout, challenge denied).
    case loginFailed = 77

    /// The exit status for a failed `make`.
    static func forCall(_ error: RPCError) -> ExitStatus {
        switch error {
        case .requestError: .requestError
        case .noRPCProvider: .noProvider
        case .acceptTimeout: .acceptTimeout
        case .responseTimeout: .responseTimeout
        case .messageDenied, .messagePermissionError: .denied
        case .timeout: .timeout
        case .invalidName: .usage
        case .clientOffline, .messageTooBig, .cancelled, .unexpectedReply, .invalidResponseData: .callFailed
        }
    }
}

/// A command's failure: the one line to print on stderr and the exit status.
struct CommandFailure: Error, Sendable, CustomStringConvertible {
    /// The exit status.
    var status: ExitStatus
    /// One line, printed as is (without a `dsconsole:` prefix when it is a bare value).
    var message: String

    /// Creates a failure.
    init(_ status: ExitStatus, _ message: String) {
        self.status = status
        self.message = message
    }

    /// The message.
    var description: String { message }
}
