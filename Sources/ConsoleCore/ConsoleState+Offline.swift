import CallRecording

/// `dsconsole open`: what the console says about the recording it shows.
extension ConsoleState {
    /// The recording has been read to the end: `calls` calls shown, `badLines` lines skipped.
    /// Skipped lines stay on the status line until another notice replaces them.
    mutating func recordingLoaded(calls: Int, badLines: Int, firstBadLine: BadRecordingLine?) -> [ConsoleEffect] {
        let file = configuration.offlineFile ?? "recording"
        if badLines > 0, let firstBadLine {
            let text = "skipped \(badLines) bad line\(badLines == 1 ? "" : "s") (first: \(firstBadLine))"
            notify(text, isError: true)
            notice = Notice(text, isError: true, expiresAt: nil)
        } else {
            notify("Opened \(file): \(calls) call\(calls == 1 ? "" : "s")")
        }
        return [.requestRedraw]
    }
}
