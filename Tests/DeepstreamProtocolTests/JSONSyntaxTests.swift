@testable import DeepstreamProtocol
import Testing

@Suite("JSONSyntax agrees with JSONValue(parsing:)")
struct JSONSyntaxTests {
    static let samples = [
        "0", "-0", "1.5e+3", "-12.25E-2", "01", "1.", ".5", "-", "1e", "true", "false", "null", "nul", "tru",
        "\"\"", "\"a\\\"b\"", "\"\\u00e9\\ud83d\\ude00\"", "\"\\ud800\"", "\"\\x\"", "\"\\u12g4\"", "\"tab\there\"",
        "\"unterminated", "[]", "[1,2,3]", "[1,]", "[,1]", "[1 2]", "{}", "{\"a\":1}", "{\"a\":1,}", "{a:1}",
        "{\"a\" 1}", "{\"a\":}", " \n{\"a\":[1,{\"b\":null}]}\t", "[] []", "", " ", "{\"a\":1}x", "é", "\"é😀\"",
        String(repeating: "[", count: 512) + String(repeating: "]", count: 512),
        String(repeating: "[", count: 513) + String(repeating: "]", count: 513),
        String(repeating: "{\"k\":", count: 300) + "1" + String(repeating: "}", count: 300),
    ]

    @Test("Fixed samples", arguments: samples)
    func fixed(sample: String) {
        #expect(JSONSyntax.isValid(sample) == ((try? JSONValue(parsing: sample)) != nil))
    }

    @Test("Mutated samples (deterministic fuzz)")
    func mutated() {
        var random = SplitMix64(seed: 99)
        let alphabet = Array("{}[]\",:0123456789-+.eE \\u/tfnrabx\t\né".unicodeScalars)
        let seeds = Self.samples.filter { (try? JSONValue(parsing: $0)) != nil && $0.count < 200 }
        var disagreements: [String] = []
        for _ in 0..<20_000 {
            var scalars = Array(seeds[Int.random(in: 0..<seeds.count, using: &random)].unicodeScalars)
            for _ in 0..<Int.random(in: 1...3, using: &random) {
                let position = scalars.isEmpty ? 0 : Int.random(in: 0..<scalars.count, using: &random)
                switch Int.random(in: 0..<3, using: &random) {
                case 0 where !scalars.isEmpty: scalars.remove(at: position)
                case 1: scalars.insert(alphabet[Int.random(in: 0..<alphabet.count, using: &random)], at: position)
                default:
                    if !scalars.isEmpty { scalars[position] = alphabet[Int.random(in: 0..<alphabet.count, using: &random)] }
                }
            }
            var text = ""
            text.unicodeScalars.append(contentsOf: scalars)
            if JSONSyntax.isValid(text) != ((try? JSONValue(parsing: text)) != nil) { disagreements.append(text) }
        }
        #expect(disagreements.isEmpty, "\(disagreements.prefix(5))")
    }
}
