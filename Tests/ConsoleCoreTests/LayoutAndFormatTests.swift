import ConsoleCore
import DeepstreamProtocol
import Testing

@Suite("Layout, formatting, JSON highlighting, docs")
struct LayoutAndFormatTests {
    @Test func layoutTilesTheScreen() {
        let layout = ConsoleLayout(columns: 100, rows: 30)
        #expect(!layout.isTooSmall)
        #expect(layout.providers == PaneFrame(x: 0, y: 0, width: 40, height: 11))
        #expect(layout.composer == PaneFrame(x: 40, y: 0, width: 60, height: 11))
        #expect(layout.calls == PaneFrame(x: 0, y: 11, width: 100, height: 18))
        #expect(layout.status == PaneFrame(x: 0, y: 29, width: 100, height: 1))
        #expect(layout.callListHeight == 14)
        #expect(ConsoleLayout(columns: 59, rows: 30).isTooSmall)
        #expect(ConsoleLayout(columns: 60, rows: 15).isTooSmall)
        #expect(!ConsoleLayout(columns: 60, rows: 16).isTooSmall)
    }

    @Test func callColumnsShrinkOnNarrowPanes() {
        #expect(CallRowFormatter(width: 118).columns.map(\.column) == CallRowFormatter.Column.allCases)
        // The correlation id (the same prefix on every row) is the first to go.
        #expect(CallRowFormatter(width: 98).columns.map(\.column) == CallRowFormatter.Column.allCases.filter { $0 != .correlationId })
        let narrow = CallRowFormatter(width: 58).columns.map(\.column)
        #expect(!narrow.contains(.sizes))
        #expect(!narrow.contains(.correlationId))
        #expect(narrow.contains(.state))
        for width in [58, 70, 98, 150] {
            let total = CallRowFormatter(width: width).columns.reduce(0) { $0 + $1.width + 1 } - 1
            #expect(total <= width, "width \(width)")
        }
    }

    @Test func formatsTimesLatenciesAndSizes() {
        #expect(DisplayFormat.timeOfDay(Timestamp(nanoseconds: (13 * 3600 + 4 * 60 + 5) * 1_000_000_000 + 7_000_000)) == "13:04:05.007")
        #expect(DisplayFormat.latency(nil) == "-")
        #expect(DisplayFormat.latency(.microseconds(850)) == "850µs")
        #expect(DisplayFormat.latency(.microseconds(3_250)) == "3.25ms")
        #expect(DisplayFormat.latency(.microseconds(12_340)) == "12.3ms")
        #expect(DisplayFormat.latency(.milliseconds(1_250)) == "1.25s")
        #expect(DisplayFormat.latency(.seconds(73)) == "73s")
        #expect(DisplayFormat.bytes(nil) == "-")
        #expect(DisplayFormat.bytes(512) == "512B")
        #expect(DisplayFormat.bytes(1536) == "1.5K")
        #expect(DisplayFormat.bytes(20_000) == "19K")
        #expect(DisplayFormat.fit("abcdef", 4) == "abc…")
        #expect(DisplayFormat.fit("ab", 4, alignRight: true) == "  ab")
        #expect(DisplayFormat.rate(2.25) == "2.3")
    }

    @Test func highlightsJSONByRole() {
        let lines = JSONHighlighter.lines(["k": "v", "n": [1, nil, false]])
        #expect(lines.map(\.description) == ["{", "  \"k\": \"v\",", "  \"n\": [", "    1,", "    null,", "    false", "  ]", "}"])
        let roles = lines[1].spans.map(\.role)
        #expect(roles.contains(.jsonKey) && roles.contains(.jsonString))
        #expect(lines[3].spans.contains(StyledSpan("1", .jsonNumber)))
        #expect(JSONHighlighter.lines(jsonText: nil).map(\.description) == ["(no payload)"])
        #expect(JSONHighlighter.lines(jsonText: "not json").map(\.description) == ["not json"])
        let long = JSONHighlighter.lines(.array((0..<10).map { .int($0) }), limit: 4).map(\.description)
        #expect(long == ["[", "  0,", "  1,", "  2,", "… 8 more lines"])
    }

    @Test func docsContainTheGeneratedKeymap() throws {
        let docs = try String(contentsOfPath: URLPath.repositoryRoot + "/docs/console.md")
        #expect(docs.contains(Keymap.standard.markdown()), "docs/console.md is out of date with Keymap.standard")
    }
}
