import DeepstreamBroker
import DeepstreamProtocol
import Testing

@Suite("DeadlineQueue: the IO shell's timers, earliest first, one NIO task for all")
struct DeadlineQueueTests {
    let t0 = Timestamp(nanoseconds: 1_000_000_000)

    func at(_ milliseconds: Int) -> Timestamp { t0.advanced(by: .milliseconds(milliseconds)) }
    func call(_ id: String) -> CallID { CallID(requestor: PeerID(1), correlationId: id) }

    @Test("Due timers come out in deadline order; later ones stay")
    func order() {
        var queue = DeadlineQueue()
        queue.arm(.response(call("a")), at: at(30))
        queue.arm(.accept(call("a")), at: at(10))
        queue.arm(.heartbeat(PeerID(2)), at: at(20))
        #expect(queue.earliest() == at(10))
        var fired: [BrokerTimer] = []
        while let (timer, _) = queue.popDue(at: at(25)) { fired.append(timer) }
        #expect(fired == [.accept(call("a")), .heartbeat(PeerID(2))])
        #expect(queue.count == 1)
        #expect(queue.earliest() == at(30))
    }

    @Test("Cancelled and re-armed timers never fire at their old deadline")
    func cancelAndRearm() {
        var queue = DeadlineQueue()
        queue.arm(.accept(call("a")), at: at(10))
        queue.arm(.accept(call("b")), at: at(10))
        queue.cancel(.accept(call("a")))
        queue.arm(.accept(call("b")), at: at(50))
        #expect(queue.earliest() == at(50))
        #expect(queue.popDue(at: at(40)) == nil)
        let due = queue.popDue(at: at(50))
        #expect(due?.timer == .accept(call("b")) && due?.deadline == at(50))
        #expect(queue.popDue(at: at(1000)) == nil)
        #expect(queue.count == 0)
    }

    @Test("Stale entries are compacted: the heap stays near twice the armed timers")
    func bounded() {
        var queue = DeadlineQueue()
        for index in 0..<100_000 {
            queue.arm(.accept(call("\(index)")), at: at(1000 + index))
            queue.cancel(.accept(call("\(index)")))
            queue.arm(.response(call("keep\(index % 8)")), at: at(5000 + index))
        }
        #expect(queue.count == 8)
        #expect(queue.storedEntryCount <= 2 * 8 + 65)
        var fired = 0
        while queue.popDue(at: at(1_000_000)) != nil { fired += 1 }
        #expect(fired == 8)
    }
}
