import Glibc
import Testing

@testable import EventLoopPacing

@Suite("SelectorDescriptor: finding an event loop's epoll instance by a descriptor registered with it")
struct SelectorDescriptorTests {
    @Test("fdinfo registration lines give the descriptor and the file's inode (hexadecimal)")
    func parsesRegistrations() {
        let text = """
            pos:\t0
            flags:\t02000002
            mnt_id:\t17
            ino:\t1039
            tfd:        4 events:       19 data:                4  pos:0 ino:8a045b sdev:f
            tfd:       12 events:       19 data:                c  pos:0 ino:ff sdev:9

            """
        #expect(SelectorDescriptor.registrations(inFDInfo: text) == [
            .init(descriptor: 4, inode: 0x8a045b), .init(descriptor: 12, inode: 0xff),
        ])
    }

    /// `epoll_create1` and `epoll_ctl`, which Swift's Glibc module does not export, looked up at run time.
    struct Epoll {
        typealias Create = @convention(c) (CInt) -> CInt
        typealias Control = @convention(c) (CInt, CInt, CInt, UnsafeMutableRawPointer?) -> CInt
        let create: Create
        let control: Control

        init() throws {
            let handle = dlopen(nil, RTLD_NOW)
            create = unsafeBitCast(try #require(dlsym(handle, "epoll_create1")), to: Create.self)
            control = unsafeBitCast(try #require(dlsym(handle, "epoll_ctl")), to: Control.self)
        }

        /// Registers `descriptor` with `epoll` for reading (EPOLL_CTL_ADD = 1, EPOLLIN = 1).
        func add(_ descriptor: CInt, to epoll: CInt) -> CInt {
            // struct epoll_event is packed on x86_64 (4 + 8 bytes) and padded to 16 elsewhere; zeroed
            // 16 bytes with the events word first fit both.
            var event = [UInt8](repeating: 0, count: 16)
            event[0] = 1
            return event.withUnsafeMutableBytes { control(epoll, 1, descriptor, $0.baseAddress) }
        }
    }

    @Test("Only the epoll instance that registered this very file is found, not one that lists the same number for another file")
    func matchesByInode() throws {
        var first: [CInt] = [-1, -1]
        var second: [CInt] = [-1, -1]
        #expect(pipe(&first) == 0)
        #expect(pipe(&second) == 0)
        let epoll = try Epoll()
        let mine = epoll.create(CInt(O_CLOEXEC))
        let other = epoll.create(CInt(O_CLOEXEC))
        #expect(mine >= 0 && other >= 0)
        defer { for descriptor in first + second + [mine, other] { close(descriptor) } }
        #expect(epoll.add(first[0], to: mine) == 0)
        // `other` registers the second pipe under the first pipe's number, as an epoll instance inherited
        // from a parent process lists the parent's numbers: dup2 onto that number, register, put it back.
        let saved = dup(first[0])
        defer { close(saved) }
        #expect(dup2(second[0], first[0]) == first[0])
        #expect(epoll.add(first[0], to: other) == 0)
        #expect(dup2(saved, first[0]) == first[0])
        #expect(SelectorDescriptor.epollDescriptor(listing: first[0]) == mine)
    }
}
