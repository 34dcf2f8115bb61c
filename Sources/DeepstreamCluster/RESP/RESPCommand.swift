/// Encodes commands the way clients send them: an array of bulk strings.
package enum RESPCommand {
    /// The bytes of `arguments` as a RESP2 command, e.g. `["SUBSCRIBE", "9"]`.
    package static func encode(_ arguments: [String]) -> [UInt8] {
        encode(arguments.map { Array($0.utf8) })
    }

    /// The bytes of a command whose arguments are raw bytes (a PUBLISH payload, for tests).
    package static func encode(_ arguments: [[UInt8]]) -> [UInt8] {
        var out = Array("*\(arguments.count)\r\n".utf8)
        for argument in arguments {
            out.append(contentsOf: "$\(argument.count)\r\n".utf8)
            out.append(contentsOf: argument)
            out.append(contentsOf: [13, 10])
        }
        return out
    }

    /// The bytes of a reply value (used by tests that play the server side).
    package static func encode(value: RESPValue) -> [UInt8] {
        switch value {
        case .simpleString(let text): return Array("+\(text)\r\n".utf8)
        case .error(let text): return Array("-\(text)\r\n".utf8)
        case .integer(let n): return Array(":\(n)\r\n".utf8)
        case .bulkString(nil): return Array("$-1\r\n".utf8)
        case .bulkString(let bytes?): return encode([bytes]).dropFirst(4).map { $0 }
        case .array(nil): return Array("*-1\r\n".utf8)
        case .array(let elements?):
            var out = Array("*\(elements.count)\r\n".utf8)
            for element in elements { out.append(contentsOf: encode(value: element)) }
            return out
        }
    }
}
