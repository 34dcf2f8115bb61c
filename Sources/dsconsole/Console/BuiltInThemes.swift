import ConsoleCore

/// The three shipped themes, built into the binary so `--theme NAME` works wherever the binary is
/// installed. The texts are copies of `themes/*.theme` (a test checks they stay identical); any other
/// `--theme` value is read as a file path.
enum BuiltInThemes {
    /// The built-in theme names, in the order `--help` lists them.
    static let names = ["dark", "light", "monochrome"]

    /// The text of the built-in theme `name`, nil for an unknown name.
    static func source(named name: String) -> String? {
        switch name {
        case "dark": darkSource
        case "light": lightSource
        case "monochrome": monochromeSource
        default: nil
        }
    }

    /// `themes/dark.theme` (ConsoleCore already carries it as the default theme).
    static let darkSource = Theme.darkSource

    /// `themes/light.theme`.
    static let lightSource = """
        # dsconsole light theme: for terminals with a light background.
        name = light
        text = plain
        dim = fg:244/bright-black
        border = fg:250/bright-black
        borderFocused = fg:25/blue bold
        title = fg:25/blue bold
        selected = fg:white bg:25/blue
        stateOK = fg:28/green
        stateError = fg:160/red bold
        statePending = fg:130/yellow
        statusBar = fg:black bg:253/white
        badge = fg:white bg:166/red bold
        message = fg:130/magenta
        jsonKey = fg:25/blue
        jsonString = fg:28/green
        jsonNumber = fg:90/magenta
        jsonLiteral = fg:130/yellow
        jsonPunctuation = fg:244/bright-black
        jsonError = fg:white bg:red bold
        helpKey = fg:25/blue bold
        cursor = reverse

        """

    /// `themes/monochrome.theme`.
    static let monochromeSource = """
        # dsconsole monochrome theme: attributes only, no colours (for NO_COLOR and 2-colour terminals).
        name = monochrome
        text = plain
        dim = dim
        border = plain
        borderFocused = bold
        title = bold
        selected = reverse
        stateOK = plain
        stateError = bold underline
        statePending = dim
        statusBar = reverse
        badge = bold standout
        message = bold
        jsonKey = bold
        jsonString = plain
        jsonNumber = plain
        jsonLiteral = italic
        jsonPunctuation = dim
        jsonError = reverse bold
        helpKey = bold
        cursor = reverse

        """
}
