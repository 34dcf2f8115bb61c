import ArgumentParser
import DeepstreamBroker
import Foundation

/// `dsconsole hash`: prints a salted PBKDF2 hash for the `password` field of a users file.
struct HashCommand: ParsableCommand {
    /// Command-line metadata.
    static let configuration = CommandConfiguration(
        commandName: "hash",
        abstract: "Print a salted password hash for a broker users file.",
        discussion: "Without PASSWORD, the password is read from the first line of standard input."
    )

    @Argument(help: "The password (prefer standard input: arguments end up in shell history).")
    var password: String?

    @Option(help: "PBKDF2-HMAC-SHA256 iterations.")
    var iterations: Int = PasswordHash.defaultIterations

    func validate() throws {
        guard (1...100_000_000).contains(iterations) else {
            throw ValidationError("--iterations must be from 1 to 100000000")
        }
    }

    func run() throws {
        guard let password = password ?? readLine(strippingNewline: true), !password.isEmpty else {
            StandardStreams.printError("dsconsole hash: empty password")
            throw ExitCode.failure
        }
        print(try PasswordHash(hashing: password, iterations: iterations))
    }
}
