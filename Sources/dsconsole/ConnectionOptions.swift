import ArgumentParser
import DeepstreamClient
import DeepstreamProtocol

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The server and login options shared by every command that connects.
struct ConnectionOptions: ParsableArguments {
    /// The default server: a local deepstream (or `dsconsole serve`).
    static let defaultURL = "ws://127.0.0.1:6020/deepstream"

    /// The server URL.
    @Option(help: "Server URL (host:port, ws://… or wss://…).")
    var url: String = Self.defaultURL

    /// Log in as this user.
    @Option(help: ArgumentHelp(
        "Log in as NAME; the password comes from $DSCONSOLE_PASSWORD or a prompt on the terminal.",
        valueName: "NAME"))
    var user: String?

    /// Raw auth data.
    @Option(name: .customLong("auth-json"), help: ArgumentHelp("Log in with this JSON object as auth data.", valueName: "JSON"))
    var authJSON: String?

    /// How long connecting and logging in may take.
    @Option(name: .customLong("connect-timeout"), help: ArgumentHelp("Seconds to wait for connection and login.", valueName: "S"))
    var connectTimeout: Double = 5

    /// The client-side message size limit.
    @Option(
        name: .customLong("max-message-size"),
        help: ArgumentHelp(
            "Refuse to send a request larger than BYTES (default 1048576, the server default); set it to the server's maxMessageSize to fail fast without losing the connection.",
            valueName: "BYTES"))
    var maxMessageSize: Int = ClientOptions().maxMessageSize

    /// Rejects contradictory options before anything runs.
    func validate() throws {
        if user != nil, authJSON != nil { throw ValidationError("give either --user or --auth-json, not both") }
        guard connectTimeout > 0, connectTimeout.isFinite else { throw ValidationError("--connect-timeout must be positive") }
        try Self.validateMaxMessageSize(maxMessageSize)
    }

    /// The smallest `--max-message-size` accepted: a CHALLENGE and an AUTH must still fit.
    static let minimumMaxMessageSize = 64

    /// Rejects a `--max-message-size` below ``minimumMaxMessageSize``.
    static func validateMaxMessageSize(_ value: Int) throws {
        guard value >= minimumMaxMessageSize else {
            throw ValidationError("--max-message-size must be at least \(minimumMaxMessageSize) bytes")
        }
    }

    /// The auth data to log in with, from the options and the environment.
    func authData() throws(CommandFailure) -> JSONValue {
        if let authJSON {
            let value: JSONValue
            do { value = try JSONValue(parsing: authJSON) } catch {
                throw CommandFailure(.dataError, "dsconsole: --auth-json is not valid JSON: \(error.description)")
            }
            guard case .object = value else {
                throw CommandFailure(.dataError, "dsconsole: --auth-json must be a JSON object")
            }
            return value
        }
        guard let user else { return [:] }
        if let password = getenv("DSCONSOLE_PASSWORD") {
            return ["username": .string(user), "password": .string(String(cString: password))]
        }
        return ["username": .string(user), "password": .string(try Self.promptPassword(for: user))]
    }

    private static func promptPassword(for user: String) throws(CommandFailure) -> String {
        let terminal = open("/dev/tty", O_RDWR)
        guard terminal >= 0 else {
            throw CommandFailure(.usage, "dsconsole: no terminal to ask for \(user)'s password: set DSCONSOLE_PASSWORD")
        }
        close(terminal)
        guard let entered = getpass("Password for \(user): ") else {
            throw CommandFailure(.usage, "dsconsole: could not read a password: set DSCONSOLE_PASSWORD")
        }
        return String(cString: entered)
    }

    /// Engine options for a headless command: no reconnects (a lost connection ends the command with
    /// a clear error rather than a silent wait).
    func clientOptions() -> ClientOptions {
        var options = ClientOptions()
        options.maxReconnectAttempts = 0
        options.connectTimeout = .milliseconds(Int64(connectTimeout * 1000))
        options.offlineBufferTimeout = .zero
        options.maxMessageSize = maxMessageSize
        return options
    }

    /// Creates an engine, connects and logs in within ``connectTimeout``. Failures carry the exit
    /// status: 64 bad URL, 65 bad auth data, 69 unreachable, 77 login refused.
    func connect() async throws(CommandFailure) -> ClientEngine {
        let engine: ClientEngine
        do { engine = try ClientEngine(url: url, options: clientOptions()) } catch {
            throw CommandFailure(.usage, "dsconsole: bad --url \(url): \(error.description)")
        }
        try await Self.login(engine, with: try authData(), timeout: connectTimeout)
        return engine
    }

    /// Logs `engine` in, turning every way of failing into one line and an exit status.
    static func login(_ engine: ClientEngine, with authData: JSONValue, timeout seconds: Double) async throws(CommandFailure) {
        let lastConnectionError = Locked<String?>(nil)
        let events = engine.events(bufferingNewest: 256)
        let watcher = Task {
            for await event in events {
                if case .error(let kind, let message, _) = event, kind == "CONNECTION_ERROR" {
                    lastConnectionError.withLock { $0 = $0 ?? message }
                }
            }
        }
        defer { watcher.cancel() }
        let outcome: Result<JSONValue?, LoginError>? = await withTaskGroup(of: Result<JSONValue?, LoginError>?.self) { group in
            group.addTask {
                do throws(LoginError) { return .success(try await engine.login(authData)) } catch { return .failure(error) }
            }
            group.addTask {
                try? await Task.sleep(for: .milliseconds(Int64(seconds * 1000)))
                return nil
            }
            let first = await group.next() ?? nil
            if first == nil { await engine.close() }
            group.cancelAll()
            // Wait for the login to give up after close(), so no task outlives this call.
            while await group.next() != nil {}
            return first
        }
        let url = engine.url.description
        switch outcome {
        case .success?:
            return
        case nil:
            throw CommandFailure(.unavailable, "dsconsole: no login answer from \(url) within \(seconds) s")
        case .failure(let error)?:
            switch error {
            case .rejected, .tooManyAuthAttempts, .authenticationTimeout, .challengeDenied:
                throw CommandFailure(.loginFailed, "dsconsole: login to \(url) failed: \(error.description)")
            case .invalidAuthData:
                throw CommandFailure(.dataError, "dsconsole: \(error.description)")
            case .closed, .loginInProgress, .alreadyLoggedIn, .cancelled:
                // Give the event watcher a moment to see the CONNECTION_ERROR that caused the close.
                try? await Task.sleep(for: .milliseconds(20))
                let reason = Self.conciseReason(lastConnectionError.value ?? error.description)
                throw CommandFailure(.unavailable, "dsconsole: cannot connect to \(url): \(reason)")
            }
        }
    }

    /// Shortens the socket layer's error text to what people need (`connection refused`, …).
    static func conciseReason(_ text: String) -> String {
        let known = [
            ("Connection refused", "connection refused"), ("timed out", "connection timed out"),
            ("No route to host", "no route to host"), ("Network is unreachable", "network is unreachable"),
            ("Name or service not known", "unknown host"), ("nodename nor servname", "unknown host"),
        ]
        for (needle, short) in known where text.contains(needle) { return short }
        return text
    }
}
