import ConsoleCore
import Foundation

/// Resolves `--theme NAME|FILE`: a built-in name (`dark`, `light`, `monochrome`) or a theme file path.
enum ThemeSelection {
    /// The theme for `argument` (nil: the default, dark), or a one-line error.
    static func resolve(_ argument: String?) -> Result<Theme, ConsoleStartError> {
        guard let argument else { return .success(Theme.dark) }
        let text: String
        let origin: String
        if let builtIn = BuiltInThemes.source(named: argument) {
            text = builtIn
            origin = "built-in theme \(argument)"
        } else {
            guard FileManager.default.fileExists(atPath: argument) else {
                return .failure(ConsoleStartError(
                    "--theme \(argument): no such built-in theme (\(BuiltInThemes.names.joined(separator: ", "))) or file"))
            }
            do {
                text = try String(contentsOfFile: argument, encoding: .utf8)
            } catch {
                return .failure(ConsoleStartError("--theme \(argument): cannot read the file: \(error.localizedDescription)"))
            }
            origin = argument
        }
        do throws(ThemeParseError) {
            return .success(try Theme(parsing: text))
        } catch {
            return .failure(ConsoleStartError("\(origin): \(error)"))
        }
    }
}
