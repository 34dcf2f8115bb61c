#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import CNcursesw
import Synchronization

/// The ncursesw backend: starts and stops ncurses, copies `ScreenBuffer`s to the terminal
/// (only what changed since the last flush) and reads keys.
///
/// Thread confinement: ncurses keeps its state in process globals and is not thread-safe, so
/// this class is deliberately not `Sendable`. Create it, call every method and stop it within one
/// isolation domain (for example one task or the main thread); the compiler then rules out
/// concurrent calls. Only one screen may run per process at a time.
///
/// `readKey(timeoutMilliseconds:)` blocks its thread for up to the timeout. Use short timeouts from
/// shared executors, or wait for `inputDescriptor` to become readable and call it with 0.
package final class NcursesScreen {
    /// Whether the console may use colour.
    package enum ColorPreference: Hashable, Sendable {
        /// Colour when the terminal has it and `NO_COLOR` is not set.
        case automatic
        /// Never colour; styles use bold, dim and reverse instead.
        case monochrome
    }

    /// Start-up options.
    package struct Configuration: Hashable, Sendable {
        /// Whether to use colour.
        package var colorPreference: ColorPreference
        /// Whether to restore the terminal on termination and crash signals (see
        /// `TerminalRestorer`). Turn off only when the program handles SIGINT, SIGTERM and SIGHUP
        /// itself and calls `stop()` before exiting.
        package var restoresTerminalOnSignals: Bool
        /// How long ncurses waits after ESC for the rest of an escape sequence.
        package var escapeDelayMilliseconds: Int
        /// Whether to ask for mouse reports (click, wheel); off by default, as the terminal's own
        /// text selection then needs Shift.
        package var reportsMouse = false

        /// Creates a configuration; the defaults suit the console.
        package init(
            colorPreference: ColorPreference = .automatic,
            restoresTerminalOnSignals: Bool = true,
            escapeDelayMilliseconds: Int = 25
        ) {
            self.colorPreference = colorPreference
            self.restoresTerminalOnSignals = restoresTerminalOnSignals
            self.escapeDelayMilliseconds = escapeDelayMilliseconds
        }
    }

    /// The options the screen starts with.
    package let configuration: Configuration
    /// The terminal size; updated when `readKey` returns `.resize`.
    package private(set) var size = TerminalSize(columns: 0, rows: 0)
    /// The colours in use; known after `start()`.
    package private(set) var colorCapability = ColorCapability.monochrome
    /// The descriptor keys are read from (standard input).
    package let inputDescriptor: Int32 = STDIN_FILENO

    private var screen: OpaquePointer?
    private var restorer: TerminalRestorer?
    private var resolver = StyleResolver(capability: .monochrome)
    private var pairs = ColorPairTable(colorPairs: 0)
    private var cursesStyles: [Style: (attributes: attr_t, pair: Int16)] = [:]
    private var lastFlushed: ScreenBuffer?
    private var currentTimeout: Int?
    private var closureDetector = InputClosureDetector()
    private var characterScratch: [wchar_t] = []

    /// Creates a stopped screen.
    package init(configuration: Configuration = Configuration()) {
        self.configuration = configuration
    }

    deinit {
        stop()
    }

    /// Whether ncurses is running.
    package var isRunning: Bool { screen != nil }

    /// Checks the terminal, starts ncurses and takes over the screen. Does nothing when running.
    ///
    /// Throws when standard input or output is not a terminal, `TERM` is unusable, another
    /// screen is running, or ncurses cannot start; the terminal is untouched in every case.
    package func start() throws(TerminalError) {
        guard screen == nil else { return }
        let environment = TerminalEnvironment.current()
        let terminalType: String
        switch environment.validate() {
        case .success(let validated): terminalType = validated
        case .failure(let problem): throw .environment(problem)
        }
        guard !screenActive.exchange(true, ordering: .acquiringAndReleasing) else { throw .alreadyActive }

        Self.selectUTF8Locale()
        // Before newterm: ncurses installs its own SIGINT/SIGTERM handlers only where it finds
        // the default action, and ours must win (they restore without calling into ncurses).
        let restorer = TerminalRestorer(
            descriptor: STDOUT_FILENO,
            installsSignalHandlers: configuration.restoresTerminalOnSignals
        )
        guard let screen = dsc_newterm(terminalType) else {
            restorer.disarm()
            screenActive.store(false, ordering: .releasing)
            throw .startFailed(terminalType: terminalType)
        }
        self.screen = screen
        let window = dsc_stdscr()
        // raw rather than cbreak: Ctrl-C, Ctrl-S, Ctrl-Q and Ctrl-Z arrive as keys the console can
        // bind (under cbreak Ctrl-S would freeze output as XOFF).
        raw()
        noecho()
        nonl()
        keypad(window, true)
        // Bracketed paste: the terminal wraps pasted text in ESC[200~ … ESC[201~, decoded as
        // .pasteStart / .pasteEnd so pasted newlines are not typed Enters (no auto-indent).
        _ = define_key("\u{1B}[200~", KeyDecoder.pasteStartCode)
        _ = define_key("\u{1B}[201~", KeyDecoder.pasteEndCode)
        for alt in KeyDecoder.altCodes { _ = define_key(alt.sequence, alt.code) }
        if configuration.reportsMouse { _ = dsc_enable_mouse() }
        Self.writeControl(Self.bracketedPasteOn)
        _ = curs_set(0)
        _ = set_escdelay(Int32(clamping: configuration.escapeDelayMilliseconds))
        leaveok(window, true)
        setUpColors(isColorDisabled: environment.isColorDisabled)
        restorer.setRestoreSequence(TerminalRestorer.restoreSequence(capability: Self.terminfoString))
        self.restorer = consume restorer
        Self.unblockWindowChangeSignal()
        refreshSize()
        lastFlushed = nil
        currentTimeout = nil
        closureDetector = InputClosureDetector()
    }

    /// Restores the terminal and ends ncurses. Safe to call any number of times.
    package func stop() {
        guard let screen else { return }
        Self.writeControl(Self.bracketedPasteOff)
        endwin()
        delscreen(screen)
        self.screen = nil
        // After endwin: a signal arriving in between still finds the restorer armed.
        restorer.take()?.disarm()
        cursesStyles = [:]
        lastFlushed = nil
        screenActive.store(false, ordering: .releasing)
    }

    /// Draws `buffer` at the top-left of the terminal, sending only the cells that differ from the
    /// previous flush (everything after `start()`, a resize or `invalidate()`). Cells beyond the
    /// terminal are clipped.
    package func flush(_ buffer: ScreenBuffer) {
        guard screen != nil else { return }
        let window = dsc_stdscr()
        let runs: [ChangedRun]
        if let lastFlushed, lastFlushed.width == buffer.width, lastFlushed.height == buffer.height {
            runs = buffer.diff(from: lastFlushed)
        } else {
            werase(window)
            runs = buffer.diff(from: ScreenBuffer(width: 0, height: 0))
        }
        for run in runs where run.row < size.rows {
            draw(run, in: window)
        }
        wnoutrefresh(window)
        doupdate()
        lastFlushed = buffer
    }

    /// Asks the terminal to bracket pasted text.
    package static let bracketedPasteOn = "\u{1B}[?2004h"
    /// Turns bracketed paste off again.
    package static let bracketedPasteOff = "\u{1B}[?2004l"

    private static func writeControl(_ sequence: String) {
        let bytes = Array(sequence.utf8)
        _ = bytes.withUnsafeBytes { write(STDOUT_FILENO, $0.baseAddress, $0.count) }
    }

    /// Makes the next flush repaint the whole terminal, for example after other output garbled it.
    package func invalidate() {
        guard screen != nil else { return }
        lastFlushed = nil
        clearok(dsc_curscr(), true)
    }

    /// Waits up to `timeoutMilliseconds` (negative: indefinitely, 0: not at all) for a key.
    ///
    /// Returns nil when none arrived. On `.resize` the new `size` is already read and the next flush
    /// repaints everything. Throws `.inputClosed` once standard input has reached end of file or
    /// hung up, and on every later call, so a key loop cannot spin on a dead terminal.
    package func readKey(timeoutMilliseconds: Int) throws(TerminalError) -> Key? {
        guard screen != nil else { return nil }
        guard !closureDetector.isClosed else { throw .inputClosed }
        let window = dsc_stdscr()
        if currentTimeout != timeoutMilliseconds {
            wtimeout(window, Int32(clamping: timeoutMilliseconds))
            currentTimeout = timeoutMilliseconds
        }
        var value: wint_t = 0
        let status = wget_wch(window, &value)
        guard status != ERR else {
            if closureDetector.observe(Self.pollInput(inputDescriptor)) { throw .inputClosed }
            return nil
        }
        closureDetector.keyArrived()
        if status == KEY_CODE_YES && Int32(bitPattern: UInt32(value)) == KEY_MOUSE {
            var row: Int32 = 0
            var column: Int32 = 0
            let button = dsc_read_mouse(&row, &column)
            return button == 0 ? .unknown(KEY_MOUSE) : .mouse(row: Int(row), column: Int(column), button: Int(button))
        }
        let key = KeyDecoder.decode(status: status, value: UInt32(value))
        if key == .resize {
            refreshSize()
            lastFlushed = nil
        }
        return key
    }

    // MARK: Drawing

    private func draw(_ run: ChangedRun, in window: UnsafeMutablePointer<WINDOW>?) {
        var column = run.column
        for cell in run.cells {
            defer { column += 1 }
            if cell.isContinuation { continue }
            guard column < size.columns else { break }
            let (attributes, pair) = cursesStyle(for: cell.style)
            characterScratch.removeAll(keepingCapacity: true)
            if cell.isWide && column + 1 >= size.columns {
                characterScratch.append(wchar_t(UInt8(ascii: " ")))
            } else {
                for scalar in cell.character.unicodeScalars.prefix(5) {
                    characterScratch.append(wchar_t(bitPattern: scalar.value))
                }
            }
            // ERR in the bottom-right cell is expected: the character is drawn, the cursor cannot advance.
            _ = dsc_put_cell(
                window, Int32(run.row), Int32(column), characterScratch, Int32(characterScratch.count), attributes, pair
            )
        }
    }

    private func cursesStyle(for style: Style) -> (attributes: attr_t, pair: Int16) {
        if let known = cursesStyles[style] { return known }
        let resolved = resolver.resolve(style)
        var attributes = dsc_attr_normal()
        if resolved.attributes.contains(.bold) { attributes |= dsc_attr_bold() }
        if resolved.attributes.contains(.reverse) { attributes |= dsc_attr_reverse() }
        if resolved.attributes.contains(.underline) { attributes |= dsc_attr_underline() }
        if resolved.attributes.contains(.dim) { attributes |= dsc_attr_dim() }
        var pair: Int16 = 0
        if colorCapability != .monochrome {
            switch pairs.pair(foreground: resolved.foreground, background: resolved.background) {
            case .existing(let number):
                pair = number
            case .added(let number):
                pair = init_pair(number, resolved.foreground, resolved.background) == OK ? number : 0
            case .exhausted:
                pair = 0
            }
        }
        cursesStyles[style] = (attributes, pair)
        return (attributes, pair)
    }

    // MARK: Start-up helpers

    private func setUpColors(isColorDisabled: Bool) {
        var capability = ColorCapability.monochrome
        var hasDefaultColors = true
        if configuration.colorPreference == .automatic, !isColorDisabled, has_colors() {
            start_color()
            hasDefaultColors = use_default_colors() == OK
            capability = .detect(colorCount: Int(dsc_colors()), isColorDisabled: false)
        }
        colorCapability = capability
        resolver = StyleResolver(capability: capability, hasDefaultColors: hasDefaultColors)
        pairs = ColorPairTable(colorPairs: capability == .monochrome ? 0 : Int(dsc_color_pairs()), hasDefaultColors: hasDefaultColors)
        cursesStyles = [:]
    }

    private func refreshSize() {
        let window = dsc_stdscr()
        size = TerminalSize(columns: Int(dsc_window_columns(window)), rows: Int(dsc_window_rows(window)))
    }

    /// Takes the user's locale, but makes sure characters are UTF-8: with a non-UTF-8 LC_CTYPE
    /// (such as LC_ALL=C) ncurses garbles wide characters and box drawing.
    private static func selectUTF8Locale() {
        setlocale(LC_ALL, "")
        guard !isUTF8Locale() else { return }
        for name in ["C.UTF-8", "C.utf8", "en_US.UTF-8"] where setlocale(LC_CTYPE, name) != nil {
            return
        }
    }

    private static func isUTF8Locale() -> Bool {
        guard let codeset = nl_langinfo(nl_item(CODESET)) else { return false }
        let name = String(cString: codeset).uppercased()
        return name == "UTF-8" || name == "UTF8"
    }

    /// Test harnesses and thread pools often block SIGWINCH; ncurses needs it to report resizes.
    private static func unblockWindowChangeSignal() {
        var signals = sigset_t()
        sigemptyset(&signals)
        sigaddset(&signals, SIGWINCH)
        pthread_sigmask(SIG_UNBLOCK, &signals, nil)
    }

    private static func terminfoString(_ name: String) -> [UInt8]? {
        guard let value = dsc_terminfo_string(name) else { return nil }
        return Array(String(cString: value).utf8)
    }

    private static func pollInput(_ descriptor: Int32) -> InputClosureDetector.Observation {
        var request = pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)
        let ready = poll(&request, 1, 0)
        if ready < 0 { return .idle }
        if ready == 0 { return .idle }
        if request.revents & Int16(POLLHUP | POLLERR | POLLNVAL) != 0 { return .hungUp }
        return dsc_bytes_available(descriptor) > 0 ? .pending : .readableButEmpty
    }
}

/// Whether an `NcursesScreen` is running in this process.
private let screenActive = Atomic<Bool>(false)
