/// The version `dsconsole --version` prints.
enum DSConsoleVersion {
    /// Bumped by hand on release.
    static let current = "0.1.0"
}
