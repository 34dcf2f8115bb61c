#if canImport(Glibc)
import Glibc
#endif

/// Finds an epoll instance of this process by a descriptor registered with it, from `/proc/self/fd`
/// and `/proc/self/fdinfo` (whose `tfd:` lines list an epoll instance's registered descriptors).
enum SelectorDescriptor {
    /// One registration line of an eventpoll fdinfo text: the descriptor number as the registering
    /// process knew it, and the inode of the file it refers to.
    struct Registration: Equatable {
        var descriptor: CInt
        var inode: UInt64
    }

    /// The descriptor of the epoll instance that has `registered` among its descriptors, if exactly
    /// one has. A registration counts only if it names the same file (inode) as `registered` does now:
    /// an epoll instance inherited from a parent process lists the parent's descriptor numbers, and one
    /// of them may equal ours (seen when tests spawn `dsconsole serve --busy-poll` concurrently).
    static func epollDescriptor(listing registered: CInt) -> CInt? {
        var status = stat()
        guard fstat(registered, &status) == 0 else { return nil }
        let wanted = Registration(descriptor: registered, inode: UInt64(status.st_ino))
        guard let directory = opendir("/proc/self/fd") else { return nil }
        defer { closedir(directory) }
        var matches: [CInt] = []
        while let entry = readdir(directory) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
            }
            guard let descriptor = CInt(name), isEpoll(descriptor),
                let info = readFile("/proc/self/fdinfo/\(descriptor)")
            else { continue }
            if registrations(inFDInfo: info).contains(wanted) { matches.append(descriptor) }
        }
        return matches.count == 1 ? matches[0] : nil
    }

    /// The `tfd:` registrations of an eventpoll fdinfo text
    /// (`tfd:        7 events:       19 data: …  pos:0 ino:8a045b sdev:f`; the inode is hexadecimal).
    static func registrations(inFDInfo text: String) -> [Registration] {
        text.split(separator: "\n").compactMap { line -> Registration? in
            guard line.hasPrefix("tfd:"),
                let descriptor = CInt(line.dropFirst(4).drop { $0 == " " || $0 == "\t" }.prefix { $0.isNumber }),
                let field = line.split(separator: " ").first(where: { $0.hasPrefix("ino:") }),
                let inode = UInt64(field.dropFirst(4), radix: 16)
            else { return nil }
            return Registration(descriptor: descriptor, inode: inode)
        }
    }

    private static func isEpoll(_ descriptor: CInt) -> Bool {
        var buffer = [CChar](repeating: 0, count: 64)
        let count = readlink("/proc/self/fd/\(descriptor)", &buffer, buffer.count - 1)
        guard count > 0 else { return false }
        return String(decoding: buffer[0..<count].map { UInt8(bitPattern: $0) }, as: UTF8.self) == "anon_inode:[eventpoll]"
    }

    private static func readFile(_ path: String) -> String? {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { return nil }
        defer { close(descriptor) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 16_384)
        while true {
            let count = chunk.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
            if count < 0 { return nil }
            if count == 0 { break }
            bytes.append(contentsOf: chunk[0..<count])
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
