import RPCSteering

/// `--rules FILE`: reads a steering rules file (docs/rules.md) for the embedded broker.
enum RulesFileOption {
    /// The help text every command shares.
    static let help = "Steering rules for every call through the broker: fail, delay, reject, drop-response (docs/rules.md)."

    /// The rules in `file`, or a one-line error naming the file and the rule index.
    static func load(_ file: String) throws(CommandFailure) -> SteeringRules {
        let text = try StandardStreams.readFile(file, what: "rules file")
        do { return try SteeringRules(parsing: text, file: file) } catch {
            throw CommandFailure(.dataError, "dsconsole: \(error.description)")
        }
    }
}
