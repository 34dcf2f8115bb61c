// Protocol codec benchmark: ns/op and MB/s for encoding and decoding an RPC REQUEST.
// Run: swift run -c release protocol-benchmark [iterations-scale]
// Prints the best of 5 rounds per case (the least disturbed by other load on the machine).
import DeepstreamProtocol

@inline(never)
func blackHole<T>(_ value: T) { withExtendedLifetime(value) {} }

struct Case {
    let label: String
    let message: Message
    let iterations: Int
}

func request(payloadBytes: Int) -> Message {
    // A JSON string of the requested total size, e.g. "xxxx…" (quotes included).
    let data = "\"" + String(repeating: "x", count: max(0, payloadBytes - 2)) + "\""
    return .rpc(RPCMessage(action: .request, data: data, correlationId: "mww9ssbr-20vrhprz4um", name: "add-two-numbers"))
}

let scale = CommandLine.arguments.dropFirst().first.flatMap(Int.init) ?? 1
let cases = [
    Case(label: "REQUEST 64 B", message: request(payloadBytes: 64), iterations: 1_000_000 * scale),
    Case(label: "REQUEST 16 KiB", message: request(payloadBytes: 16 * 1024), iterations: 50_000 * scale),
]
let codec = BinaryCodec()
let clock = ContinuousClock()

func measure(_ iterations: Int, _ body: () -> Void) -> Double {
    var best = Double.infinity
    for _ in 0..<5 {
        let elapsed = clock.measure { for _ in 0..<iterations { body() } }
        let (seconds, attoseconds) = elapsed.components
        let ns = (Double(seconds) * 1e9 + Double(attoseconds) / 1e9) / Double(iterations)
        best = min(best, ns)
    }
    return best
}

func row(_ columns: [String]) -> String {
    zip(columns, [16, 10, 12, 12, 12]).map { text, width in
        text.count >= width ? text : String(repeating: " ", count: width - text.count) + text
    }.joined(separator: "  ")
}

print(row(["case", "frame B", "op", "ns/op", "MB/s"]))
for c in cases {
    let frame = codec.encode(c.message)
    let encodeNs = measure(c.iterations) { blackHole(codec.encode(c.message)) }
    let decodeNs = measure(c.iterations) { blackHole(try? codec.decode(frame)) }
    let bothNs = measure(c.iterations) { blackHole(try? codec.decode(codec.encode(c.message))) }
    for (op, ns) in [("encode", encodeNs), ("decode", decodeNs), ("enc+dec", bothNs)] {
        let mbps = Double(frame.count) / ns * 1e9 / 1e6
        print(row([c.label, String(frame.count), op, String(format2(ns)), String(format2(mbps))]))
    }
}

func format2(_ value: Double) -> String {
    let scaled = (value * 10).rounded() / 10
    return "\(scaled)"
}

// JSON parsing of hostile shapes (issue 9): every shape should cost about the same per byte.
func jsonShapes() -> [(String, [UInt8])] {
    var keys = "{"
    for index in 0..<90_000 { keys += (index > 0 ? "," : "") + "\"k\(index)\":0" }
    keys += "}"
    var numbers = "["
    for index in 0..<100_000 { numbers += (index > 0 ? "," : "") + "\(1_000_000_000 + index)" }
    numbers += "]"
    let escapes = "\"" + String(repeating: #"\u00e9"#, count: 174_000) + "\""
    let plain = "\"" + String(repeating: "x", count: 1_000_000) + "\""
    let deep = String(repeating: "[", count: 512) + "0" + String(repeating: "]", count: 512)
    return [("90k-key object", Array(keys.utf8)), ("100k numbers", Array(numbers.utf8)),
        ("1 MB \\u escapes", Array(escapes.utf8)), ("1 MB plain string", Array(plain.utf8)),
        ("512-deep arrays", Array(deep.utf8))]
}

print("")
print(row(["JSON shape", "bytes", "op", "µs/op", "MB/s"]))
for (label, bytes) in jsonShapes() {
    let rounds = max(1, 20 * scale)
    let text = String(decoding: bytes, as: UTF8.self)
    let parseNs = measure(rounds) { blackHole(try? JSONValue(parsing: bytes)) }
    let scanNs = measure(rounds) { blackHole(JSONSyntax.isValid(text)) }
    let value = try! JSONValue(parsing: bytes)
    let writeNs = measure(rounds) { blackHole(value.jsonText) }
    for (op, ns) in [("parse", parseNs), ("validate", scanNs), ("write", writeNs)] {
        print(row([label, String(bytes.count), op, format2(ns / 1000), format2(Double(bytes.count) / ns * 1e3)]))
    }
}
