import Testing
@testable import ConsoleTerminal

@Suite("StyleResolver and colours")
struct StyleResolverTests {
    @Test func capabilityDetection() {
        #expect(ColorCapability.detect(colorCount: 256, isColorDisabled: false) == .palette256)
        #expect(ColorCapability.detect(colorCount: 16_777_216, isColorDisabled: false) == .palette256)
        #expect(ColorCapability.detect(colorCount: 16, isColorDisabled: false) == .ansi16)
        #expect(ColorCapability.detect(colorCount: 8, isColorDisabled: false) == .ansi8)
        #expect(ColorCapability.detect(colorCount: 0, isColorDisabled: false) == .monochrome)
        #expect(ColorCapability.detect(colorCount: 256, isColorDisabled: true) == .monochrome)
    }

    @Test func palette256KeepsIndices() {
        let resolver = StyleResolver(capability: .palette256)
        let resolved = resolver.resolve(Style(foreground: .indexed(208), background: .blue, attributes: .underline))
        #expect(resolved == ResolvedStyle(foreground: 208, background: 4, attributes: .underline))
        #expect(resolver.resolve(.plain) == ResolvedStyle(foreground: -1, background: -1, attributes: []))
    }

    @Test func ansi16MapsPaletteToNearestBasicColor() {
        let resolver = StyleResolver(capability: .ansi16)
        #expect(resolver.resolve(Style(foreground: .cube(red: 5, green: 0, blue: 0))).foreground == 9)
        #expect(resolver.resolve(Style(foreground: .grey(0))).foreground == 0)
        #expect(resolver.resolve(Style(foreground: .grey(23))).foreground == 7)
        #expect(resolver.resolve(Style(foreground: .cube(red: 5, green: 5, blue: 5))).foreground == 15)
        #expect(resolver.resolve(Style(foreground: .brightCyan)).foreground == 14)
    }

    @Test func ansi8DrawsBrightForegroundsBold() {
        let resolver = StyleResolver(capability: .ansi8)
        let resolved = resolver.resolve(Style(foreground: .brightRed, background: .brightBlue))
        #expect(resolved == ResolvedStyle(foreground: 1, background: 4, attributes: .bold))
    }

    @Test func monochromeReplacesColoursWithAttributes() {
        let resolver = StyleResolver(capability: .monochrome)
        #expect(resolver.resolve(Style(background: .blue)) == ResolvedStyle(foreground: -1, background: -1, attributes: .reverse))
        #expect(resolver.resolve(Style(foreground: .green)).attributes == .bold)
        #expect(resolver.resolve(Style(foreground: .brightBlack)).attributes == .dim)
        #expect(resolver.resolve(Style(attributes: .underline)).attributes == .underline)
    }

    @Test func withoutDefaultColoursDefaultIsWhiteOnBlack() {
        let resolver = StyleResolver(capability: .ansi16, hasDefaultColors: false)
        #expect(resolver.resolve(.plain) == ResolvedStyle(foreground: 7, background: 0, attributes: []))
    }

    @Test func pairTableHandsOutNumbersOnce() {
        var table = ColorPairTable(colorPairs: 3)
        #expect(table.capacity == 2)
        let lookup1 = table.pair(foreground: -1, background: -1)
        #expect(lookup1 == .existing(0))
        let lookup2 = table.pair(foreground: 1, background: -1)
        #expect(lookup2 == .added(1))
        let lookup3 = table.pair(foreground: 1, background: -1)
        #expect(lookup3 == .existing(1))
        let lookup4 = table.pair(foreground: 2, background: 4)
        #expect(lookup4 == .added(2))
        let lookup5 = table.pair(foreground: 3, background: 4)
        #expect(lookup5 == .exhausted)
        #expect(table.count == 2)
    }

    @Test func pairTableWithoutDefaultColours() {
        var table = ColorPairTable(colorPairs: 64, hasDefaultColors: false)
        let lookup6 = table.pair(foreground: 7, background: 0)
        #expect(lookup6 == .existing(0))
        let lookup7 = table.pair(foreground: -1, background: -1)
        #expect(lookup7 == .added(1))
    }
}
