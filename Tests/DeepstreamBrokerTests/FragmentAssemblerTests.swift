@testable import DeepstreamBroker
import NIOCore
import NIOWebSocket
import Testing

/// The peer handler's own reassembly of fragmented messages (it replaced NIO's frame aggregator in
/// perf4): same limits and the same refusals. The socket-level behaviour (close codes 1009 and 1002)
/// is covered by `BrokerConnectionTests`.
@Suite("FragmentAssembler: reassembly and its limits")
struct FragmentAssemblerTests {
    let allocator = ByteBufferAllocator()

    func frame(_ opcode: WebSocketOpcode, _ bytes: [UInt8], fin: Bool, mask: WebSocketMaskingKey? = nil) -> WebSocketFrame {
        var data = ByteBuffer(bytes: bytes)
        if let mask { data.webSocketMask(mask) }
        return WebSocketFrame(fin: fin, opcode: opcode, maskKey: mask, data: data)
    }

    func isBuffered(_ outcome: FragmentAssembler.Outcome) -> Bool {
        if case .buffered = outcome { true } else { false }
    }

    /// The refusal of `frame`, or nil when it was taken.
    func failure(_ assembler: inout FragmentAssembler, _ frame: WebSocketFrame) -> FragmentAssembler.Failure? {
        do throws(FragmentAssembler.Failure) {
            _ = try assembler.take(frame, allocator: allocator)
            return nil
        } catch {
            return error
        }
    }

    @Test("A whole frame passes as it came, still masked")
    func wholeFrame() throws {
        var assembler = FragmentAssembler(maximumFrameCount: 4, maximumSize: 100)
        let whole = frame(.text, [1, 2, 3], fin: true, mask: [9, 8, 7, 6])
        guard case .message(let out) = try assembler.take(whole, allocator: allocator) else {
            Issue.record("expected a message")
            return
        }
        #expect(out == whole)
    }

    @Test("Masked fragments are unmasked and joined under the first fragment's opcode; the assembler starts over")
    func joinsFragments() throws {
        var assembler = FragmentAssembler(maximumFrameCount: 4, maximumSize: 100)
        #expect(isBuffered(try assembler.take(frame(.binary, [1, 2], fin: false, mask: [1, 2, 3, 4]), allocator: allocator)))
        #expect(isBuffered(try assembler.take(frame(.continuation, [3], fin: false, mask: [5, 6, 7, 8]), allocator: allocator)))
        guard case .message(let out) = try assembler.take(frame(.continuation, [4, 5], fin: true), allocator: allocator) else {
            Issue.record("expected a message")
            return
        }
        #expect(out.opcode == .binary && out.fin && out.maskKey == nil)
        #expect(Array(out.data.readableBytesView) == [1, 2, 3, 4, 5])
        let next = frame(.text, [6], fin: true)
        guard case .message(let again) = try assembler.take(next, allocator: allocator) else {
            Issue.record("expected a message")
            return
        }
        #expect(again == next)
    }

    @Test("Refusals: continuation first, new message mid-way, empty fragment, too many, too large")
    func refusals() {
        var assembler = FragmentAssembler(maximumFrameCount: 3, maximumSize: 10)
        #expect(failure(&assembler, frame(.continuation, [1], fin: true)) == .continuationWithoutStart)
        _ = try? assembler.take(frame(.text, [1], fin: false), allocator: allocator)
        #expect(failure(&assembler, frame(.text, [1], fin: true)) == .unfinishedMessage)
        // After a refusal the assembler is empty again.
        #expect(failure(&assembler, frame(.continuation, [1], fin: true)) == .continuationWithoutStart)
        #expect(failure(&assembler, frame(.binary, [], fin: false)) == .emptyFragment)
        _ = try? assembler.take(frame(.binary, [1], fin: false), allocator: allocator)
        _ = try? assembler.take(frame(.continuation, [1], fin: false), allocator: allocator)
        // A third non-final fragment would need a fourth frame.
        #expect(failure(&assembler, frame(.continuation, [1], fin: false)) == .tooManyFragments)
        _ = try? assembler.take(frame(.binary, [UInt8](repeating: 0, count: 6), fin: false), allocator: allocator)
        #expect(failure(&assembler, frame(.continuation, [UInt8](repeating: 0, count: 5), fin: true)) == .tooLarge)
    }
}
