import DeepstreamProtocol
import NIOCore

/// One hostile frame and how to deliver it.
struct Attack {
    /// What the frame carries, e.g. `AUTH data: 90k-key object`.
    var title: String
    var wire: Wire
    /// Log in before sending the frame (RPC attacks); AUTH attacks are sent right after CHALLENGE.
    var logsInFirst: Bool
    /// The frame payload, built once.
    var frame: ByteBuffer

    /// The largest frame `dsconsole serve` accepts by default (`maxMessageSize`).
    static let frameLimit = 1_048_576

    /// `{"k0":0,"k1":0,…}` with `count` members (≈ 980 KB for 90,000).
    static func manyKeys(_ count: Int) -> String {
        var text = "{"
        text.reserveCapacity(count * 12)
        for index in 0..<count {
            if index > 0 { text += "," }
            text += "\"k\(index)\":0"
        }
        return text + "}"
    }

    /// `[[[…0…]]]`, `depth` arrays deep.
    static func deep(_ depth: Int) -> String {
        String(repeating: "[", count: depth) + "0" + String(repeating: "]", count: depth)
    }

    /// A JSON string made of `\u00e9` escapes, `bytes` long.
    static func escapes(bytes: Int) -> String {
        "\"" + String(repeating: #"\u00e9"#, count: (bytes - 2) / 6) + "\""
    }

    /// The JSON text `text` as a JSON string literal (for ws-json's `data`, which holds JSON text).
    static func quoted(_ text: String) -> String { JSONValue.string(text).jsonText }

    static let attackName = "attack.sink"

    static func binaryAuth(_ data: String) -> ByteBuffer {
        ByteBuffer(bytes: BinaryCodec().encode(.auth(AuthMessage(action: .request, data: data))))
    }

    static func binaryRequest(_ data: String) -> ByteBuffer {
        ByteBuffer(bytes: BinaryCodec().encode(
            .rpc(RPCMessage(action: .request, data: data, correlationId: "attack", name: attackName))))
    }

    /// A ws-json AUTH frame whose `data` is the raw JSON value `raw` (the codec parses it with the frame).
    static func jsonAuth(raw: String) -> ByteBuffer {
        ByteBuffer(string: #"{"topic":3,"action":2,"data":"# + raw + "}")
    }

    /// A ws-json REQUEST whose `data` member is `member` as written (a raw value or a JSON string).
    static func jsonRequest(member: String, key: String = "data") -> ByteBuffer {
        ByteBuffer(string: #"{"topic":6,"action":2,"name":"\#(attackName)","correlationId":"attack","\#(key)":"# + member + "}")
    }

    /// The attacks of issue 9, on both endpoints.
    static func all() -> [Attack] {
        let keys = manyKeys(90_000)
        let deepText = deep(400_000)
        let escapeText = escapes(bytes: frameLimit - 200)
        // In a ws-json frame the JSON text travels inside a JSON string, which escapes every `\` once more.
        let escapeJSONData = quoted(escapes(bytes: (frameLimit - 300) * 6 / 7))
        let attacks = [
            Attack(title: "AUTH data: 90k-key object", wire: .binary, logsInFirst: false, frame: binaryAuth(keys)),
            Attack(title: "RPC data: 90k-key object", wire: .binary, logsInFirst: true, frame: binaryRequest(keys)),
            Attack(title: "AUTH data: 400k-deep arrays", wire: .binary, logsInFirst: false, frame: binaryAuth(deepText)),
            Attack(title: "RPC data: 400k-deep arrays", wire: .binary, logsInFirst: true, frame: binaryRequest(deepText)),
            Attack(title: "RPC data: 1 MiB string of \\u escapes", wire: .binary, logsInFirst: true, frame: binaryRequest(escapeText)),
            Attack(title: "AUTH data: 90k-key object", wire: .json, logsInFirst: false, frame: jsonAuth(raw: keys)),
            Attack(title: "RPC data: 90k-key object", wire: .json, logsInFirst: true, frame: jsonRequest(member: keys)),
            Attack(title: "RPC data: 400k-deep arrays", wire: .json, logsInFirst: true, frame: jsonRequest(member: deepText)),
            Attack(title: "RPC data: 1 MiB of escapes (JSON text in a string)", wire: .json, logsInFirst: true,
                frame: jsonRequest(member: escapeJSONData)),
            Attack(title: "RPC parsedData: 1 MiB string of \\u escapes", wire: .json, logsInFirst: true,
                frame: jsonRequest(member: escapeText, key: "parsedData")),
        ]
        for attack in attacks { precondition(attack.frame.readableBytes <= frameLimit, "\(attack.title) is too large") }
        return attacks
    }
}
