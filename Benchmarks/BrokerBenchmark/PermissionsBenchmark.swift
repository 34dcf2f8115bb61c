import Foundation
import DeepstreamBroker
import DeepstreamProtocol

/// Cost of one Valve permission check (`RPCPermissions.check`), the work the broker adds to each
/// PROVIDE name and REQUEST when a `permissions.yml` is in force. Run with
/// `swift run -c release BrokerBenchmark --permissions`.
enum PermissionsBenchmark {
    struct Case {
        var title: String
        var rule: String
        var name: String
        var data: String?
        var iterations: Int
    }

    static func run() throws {
        let payload = "{\"amount\": 42, \"currency\": \"EUR\", \"note\": \"" + String(repeating: "x", count: 1000) + "\"}"
        let bigText = String(repeating: "ab", count: 500_000)
        let cases = [
            Case(title: "constant true, 20 paths", rule: "true", name: "svc.payments.charge", iterations: 1_000_000),
            Case(title: "user.data.role === 'finance' && user.id !== 'x'",
                 rule: "user.data.role === 'finance' && user.id !== 'x'", name: "svc.payments.charge", iterations: 1_000_000),
            Case(title: "data.amount <= 100 (1 KB request data parsed)", rule: "data.amount <= 100",
                 name: "svc.payments.charge", data: payload, iterations: 200_000),
            Case(title: "data.currency.match(/^(EUR|USD)$/)", rule: "data.currency.match(/^(EUR|USD)$/) !== null",
                 name: "svc.payments.charge", data: payload, iterations: 200_000),
            Case(title: "worst case: regex over 1 MB string, budget runs out",
                 rule: "data.s.match(/(a|b|ab|ba){0,150}c/) === null", name: "svc.payments.charge",
                 data: "{\"s\": \"\(bigText)\"}", iterations: 20),
        ]
        print("Permission checks (RPCPermissions.check), one thread")
        print("case | checks/s | µs per check | µs per check, ruleset cached | decision")
        for item in cases {
            var paths: [(String, JSONValue)] = (0..<18).map { ("other\($0).*", ["request": true]) }
            paths.append(("*", ["provide": true, "request": true]))
            paths.append(("svc.payments.*", ["request": .string(item.rule)]))
            let permissions = try RPCPermissions.parse(
                ["rpc": .object(JSONObject(paths))], source: "benchmark")
            let subject = PermissionSubject(user: "alice", serverData: ["role": "finance"])
            let clock = ContinuousClock()
            var decision: PermissionDecision = .denied(rule: nil)
            let start = clock.now
            for _ in 0..<item.iterations {
                decision = permissions.check(
                    .request, name: item.name, subject: subject, data: item.data, now: Timestamp(nanoseconds: 0))
            }
            let elapsed = clock.now - start
            let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
            let perSecond = Double(item.iterations) / seconds
            // The router caches the ruleset per name; this is the per-check cost then.
            let index = permissions.rulesetIndex(for: .request, name: item.name)
            let cachedStart = clock.now
            for _ in 0..<item.iterations {
                decision = permissions.check(
                    .request, name: item.name, rulesetIndex: index, subject: subject, data: item.data,
                    now: Timestamp(nanoseconds: 0))
            }
            let cachedElapsed = clock.now - cachedStart
            let cachedSeconds = Double(cachedElapsed.components.seconds) + Double(cachedElapsed.components.attoseconds) / 1e18
            let cachedMicros = cachedSeconds / Double(item.iterations) * 1e6
            let shown: String
            switch decision {
            case .allowed: shown = "allowed"
            case .denied: shown = "denied"
            case .failed(_, let reason): shown = "error: \(reason)"
            }
            print("\(item.title) | \(Int(perSecond)) | \(String(format: "%.2f", 1e6 / perSecond)) | \(String(format: "%.2f", cachedMicros)) | \(shown)")
        }
    }
}
