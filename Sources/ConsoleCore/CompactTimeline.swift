import DeepstreamProtocol

/// A call's timeline in a compact form: the common steps (requested, routed, accepted, rejected,
/// responded, errored, failed) of the first four are packed into 12 bytes each (nanoseconds since the
/// call's start as 32 bits, a peer or action number, the kind), inline in the record, with no heap
/// allocation; steps that carry text of their own (denied, abandoned, steered, a payload other than
/// the record's current one), a peer number above `UInt32.max`, or a time more than 4.29 s after the
/// start (or before it) are kept whole in `full`.
///
/// A packed `requested` means `requested(data: <the record's request payload>)`, a packed
/// `responded` / `errored` the same with the response payload: the record keeps each payload once.
/// Before a payload is replaced, ``unpack(_:as:)`` turns the packed steps that referred to the old
/// payload into full ones, so the timeline never changes after the fact. A fifth step spills the
/// whole timeline into `full` (rerouted or steered calls; rare).
struct CompactTimeline: Hashable, Sendable {
    /// What a packed step was.
    enum Kind: UInt8, Hashable, Sendable {
        case requested, routed, accepted, rejected, responded, errored, failed
        /// The step is `full[Int(Packed.value)]`.
        case full
    }

    /// One step in 12 bytes: when (nanoseconds after the record's start), what, and a peer number
    /// (routed/accepted/rejected), an action number (failed) or an index into `full` (full).
    struct Packed: Hashable, Sendable {
        var offset: UInt32 = 0
        var value: UInt32 = 0
        var kind: Kind = .requested
    }

    /// Steps kept whole (see the type's documentation); empty for an ordinary call.
    private var full: [CallRecord.TimelineEntry] = []
    private var p0 = Packed(), p1 = Packed(), p2 = Packed(), p3 = Packed()
    /// How many of `p0`…`p3` hold steps; ``spilled`` once every step lives in `full`.
    private var packedCount: UInt8 = 0
    private static let spilled: UInt8 = .max
    private static let inlineLimit: UInt8 = 4

    /// How many steps there are.
    var count: Int { packedCount == Self.spilled ? full.count : Int(packedCount) }

    private func packed(_ index: Int) -> Packed {
        switch index {
        case 0: p0
        case 1: p1
        case 2: p2
        default: p3
        }
    }

    private mutating func setPacked(_ index: Int, _ value: Packed) {
        switch index {
        case 0: p0 = value
        case 1: p1 = value
        case 2: p2 = value
        default: p3 = value
        }
    }

    /// Appends `step` at `at`, packed relative to `start` (the record's start time); `payloads` are
    /// the record's payloads *after* the step was applied (decoded only when the timeline spills).
    mutating func append(_ step: CallStep, at: Timestamp, start: Timestamp, payloads: CallPayloads) {
        if packedCount == Self.spilled {
            full.append(CallRecord.TimelineEntry(step: step, at: at))
            return
        }
        if packedCount == Self.inlineLimit {
            // Payload steps still packed refer to the current payloads, which `step` may just have
            // replaced: the caller unpacked those before replacing, so the payloads here are right.
            full = entries(start: start, request: payloads.request, response: payloads.response)
            packedCount = Self.spilled
            full.append(CallRecord.TimelineEntry(step: step, at: at))
            return
        }
        guard at >= start, at.nanoseconds - start.nanoseconds <= UInt64(UInt32.max) else {
            setPacked(Int(packedCount), Packed(value: UInt32(full.count), kind: .full))
            full.append(CallRecord.TimelineEntry(step: step, at: at))
            packedCount += 1
            return
        }
        var packed = Packed(offset: UInt32(at.nanoseconds - start.nanoseconds))
        switch step {
        case .requested: packed.kind = .requested
        case .responded: packed.kind = .responded
        case .errored: packed.kind = .errored
        case .routed(let peer) where peer.rawValue <= UInt32.max:
            packed.kind = .routed
            packed.value = UInt32(peer.rawValue)
        case .accepted(let peer) where peer.rawValue <= UInt32.max:
            packed.kind = .accepted
            packed.value = UInt32(peer.rawValue)
        case .rejected(let peer) where peer.rawValue <= UInt32.max:
            packed.kind = .rejected
            packed.value = UInt32(peer.rawValue)
        case .failed(let reason):
            packed.kind = .failed
            packed.value = UInt32(bitPattern: reason.rawValue)
        default:
            packed.kind = .full
            packed.value = UInt32(full.count)
            full.append(CallRecord.TimelineEntry(step: step, at: at))
        }
        setPacked(Int(packedCount), packed)
        packedCount += 1
    }

    /// Turns the packed steps of `kind` into full steps equal to `step` (their payload before it is
    /// replaced).
    mutating func unpack(_ kind: Kind, as step: CallStep, start: Timestamp) {
        guard packedCount != Self.spilled else { return }
        for index in 0..<Int(packedCount) {
            var packed = packed(index)
            guard packed.kind == kind else { continue }
            let at = Self.time(packed, start: start)
            packed.kind = .full
            packed.value = UInt32(full.count)
            full.append(CallRecord.TimelineEntry(step: step, at: at))
            setPacked(index, packed)
        }
    }

    /// Moves the packed times from `oldStart` to an earlier `newStart` (a request stamped before the
    /// first step); a time that no longer fits 32 bits becomes a full step.
    mutating func rebase(from oldStart: Timestamp, to newStart: Timestamp, payloads: CallPayloads) {
        guard packedCount != Self.spilled, newStart < oldStart else { return }
        let shift = oldStart.nanoseconds - newStart.nanoseconds
        for index in 0..<Int(packedCount) {
            var packed = packed(index)
            guard packed.kind != .full else { continue }
            let offset = UInt64(packed.offset) + shift
            if offset <= UInt64(UInt32.max) {
                packed.offset = UInt32(offset)
            } else {
                let step = step(of: packed, request: payloads.request, response: payloads.response)
                full.append(CallRecord.TimelineEntry(step: step, at: Self.time(packed, start: oldStart)))
                packed = Packed(value: UInt32(full.count - 1), kind: .full)
            }
            setPacked(index, packed)
        }
    }

    private static func time(_ packed: Packed, start: Timestamp) -> Timestamp {
        Timestamp(nanoseconds: start.nanoseconds + UInt64(packed.offset))
    }

    /// Drops the payload copies of the steps kept whole (the record's payloads were released), so a
    /// released payload leaves no bytes behind; the steps stay, with nil data.
    mutating func dropPayloads(request: Bool, response: Bool) {
        guard !full.isEmpty else { return }
        for index in full.indices {
            switch full[index].step {
            case .requested(let data?) where request && !data.isEmpty: full[index].step = .requested(data: nil)
            case .responded(let data?) where response && !data.isEmpty: full[index].step = .responded(data: nil)
            case .errored(let data?) where response && !data.isEmpty: full[index].step = .errored(data: nil)
            default: break
            }
        }
    }

    /// Whether a packed step of `kind` exists.
    func containsPacked(_ kind: Kind) -> Bool {
        guard packedCount != Self.spilled else { return false }
        for index in 0..<Int(packedCount) where packed(index).kind == kind { return true }
        return false
    }

    /// The steps, with packed payload steps carrying `request` / `response`.
    func entries(start: Timestamp, request: String?, response: String?) -> [CallRecord.TimelineEntry] {
        if packedCount == Self.spilled { return full }
        var entries: [CallRecord.TimelineEntry] = []
        entries.reserveCapacity(Int(packedCount))
        for index in 0..<Int(packedCount) {
            let packed = packed(index)
            let at = packed.kind == .full ? full[Int(packed.value)].at : Self.time(packed, start: start)
            entries.append(CallRecord.TimelineEntry(step: step(of: packed, request: request, response: response), at: at))
        }
        return entries
    }

    private func step(of packed: Packed, request: String?, response: String?) -> CallStep {
        switch packed.kind {
        case .requested: .requested(data: request)
        case .routed: .routed(to: PeerID(UInt64(packed.value)))
        case .accepted: .accepted(by: PeerID(UInt64(packed.value)))
        case .rejected: .rejected(by: PeerID(UInt64(packed.value)))
        case .responded: .responded(data: response)
        case .errored: .errored(data: response)
        case .failed: .failed(reason: RPCAction(rawValue: Int32(bitPattern: packed.value)))
        case .full: full[Int(packed.value)].step
        }
    }

    /// A step's shape without its payload, for the record's derived values (no payload is decoded).
    enum Shape {
        case requested, rejected, responded, errored
        case routed(PeerID), accepted(PeerID), failed(RPCAction), whole(CallStep)
    }

    /// Calls `body` with every step's shape and time, in order, until it returns false.
    func forEach(start: Timestamp, _ body: (Shape, Timestamp) -> Bool) {
        if packedCount == Self.spilled {
            for entry in full where !body(.whole(entry.step), entry.at) { return }
            return
        }
        for index in 0..<Int(packedCount) {
            let packed = packed(index)
            let shape: Shape = switch packed.kind {
            case .requested: .requested
            case .routed: .routed(PeerID(UInt64(packed.value)))
            case .accepted: .accepted(PeerID(UInt64(packed.value)))
            case .rejected: .rejected
            case .responded: .responded
            case .errored: .errored
            case .failed: .failed(RPCAction(rawValue: Int32(bitPattern: packed.value)))
            case .full: .whole(full[Int(packed.value)].step)
            }
            let at = packed.kind == .full ? full[Int(packed.value)].at : Self.time(packed, start: start)
            if !body(shape, at) { return }
        }
    }
}
