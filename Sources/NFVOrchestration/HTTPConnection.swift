import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// One HTTP/1.1 exchange over a blocking socket (Unix or TCP): the request,
/// then the reply's head and its body (by length, chunked, or to the close).
final class HTTPConnection {
    let fd: Int32
    let platform: String
    private var buffer: [UInt8] = []

    init(_ endpoint: ControlClient.Endpoint, platform: String, timeoutSeconds: Int) throws(ControlClient.Failure) {
        self.platform = platform
        switch endpoint {
        case .unix(let path):
            fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
            guard fd >= 0 else { throw ControlClient.Failure("socket: \(String(cString: strerror(errno)))") }
            var addr = sockaddr_un()
            addr.sun_family = sa_family_t(AF_UNIX)
            let bytes = Array(path.utf8)
            guard bytes.count < MemoryLayout.size(ofValue: addr.sun_path) else { Glibc.close(fd); throw ControlClient.Failure("socket path too long: \(path)") }
            withUnsafeMutableBytes(of: &addr.sun_path) { b in for (i, c) in bytes.enumerated() { b[i] = c }; b[bytes.count] = 0 }
            let rc = withUnsafePointer(to: &addr) { p in
                p.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
            }
            if rc != 0 {
                let e = errno
                Glibc.close(fd)
                switch e {
                case ENOENT, ECONNREFUSED:
                    throw ControlClient.Failure("no manager named '\(platform)' is running (nothing listens on \(path)); start one with nfv manager or nfv up", notRunning: true)
                case EACCES, EPERM:
                    throw ControlClient.Failure("permission denied on \(path): the control API's socket is root's only (run as root, or use --api-listen with a token)")
                default:
                    throw ControlClient.Failure("cannot connect to \(path): \(String(cString: strerror(e)))")
                }
            }
        case .tcp(let host, let port, _):
            fd = socket(host.contains(":") ? AF_INET6 : AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            guard fd >= 0 else { throw ControlClient.Failure("socket: \(String(cString: strerror(errno)))") }
            var rc: Int32
            if host.contains(":") {
                var a = sockaddr_in6()
                a.sin6_family = sa_family_t(AF_INET6)
                a.sin6_port = in_port_t(UInt16(port).bigEndian)
                inet_pton(AF_INET6, host, &a.sin6_addr)
                rc = withUnsafePointer(to: &a) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in6>.size)) } }
            } else {
                var a = sockaddr_in()
                a.sin_family = sa_family_t(AF_INET)
                a.sin_port = in_port_t(UInt16(port).bigEndian)
                inet_pton(AF_INET, host, &a.sin_addr)
                rc = withUnsafePointer(to: &a) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } }
            }
            if rc != 0 {
                let e = errno
                Glibc.close(fd)
                throw ControlClient.Failure("cannot connect to \(host):\(port): \(String(cString: strerror(e)))", notRunning: e == ECONNREFUSED)
            }
        }
        if timeoutSeconds > 0 {
            var tv = timeval(tv_sec: timeoutSeconds, tv_usec: 0)
            setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
        }
    }

    func close() { Glibc.close(fd) }

    func send(method: String, path: String, body: Data?, accept: String, token: String?) throws(ControlClient.Failure) {
        var head = "\(method) \(path) HTTP/1.1\r\nHost: swiftnfv\r\nAccept: \(accept)\r\nConnection: close\r\n"
        if let token { head += "Authorization: Bearer \(token)\r\n" }
        if let body { head += "Content-Type: application/json\r\nContent-Length: \(body.count)\r\n" }
        head += "\r\n"
        var bytes = Array(head.utf8)
        if let body { bytes += body }
        var sent = 0
        while sent < bytes.count {
            let n = bytes[sent...].withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            guard n > 0 else { throw ControlClient.Failure("the manager closed the connection while we sent (\(String(cString: strerror(errno))))") }
            sent += n
        }
    }

    struct Head {
        var status: Int
        var headers: [String: String]
    }

    /// Reads more bytes into `buffer`; false at the end of the stream.
    private func fill() throws(ControlClient.Failure) -> Bool {
        var chunk = [UInt8](repeating: 0, count: 16384)
        let n = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
        if n < 0 {
            if errno == EAGAIN || errno == EWOULDBLOCK { throw ControlClient.Failure("the manager '\(platform)' did not answer in time") }
            throw ControlClient.Failure("reading the reply: \(String(cString: strerror(errno)))")
        }
        buffer += chunk[0..<n]
        return n > 0
    }

    func readHead() throws(ControlClient.Failure) -> Head {
        while true {
            if let end = find([13, 10, 13, 10]) {
                let text = String(decoding: buffer[0..<end], as: UTF8.self)
                buffer.removeFirst(end + 4)
                let lines = text.components(separatedBy: "\r\n")
                let parts = lines[0].split(separator: " ")
                guard parts.count >= 2, let status = Int(parts[1]) else { throw ControlClient.Failure("not an HTTP reply: \(lines[0])") }
                var headers: [String: String] = [:]
                for l in lines.dropFirst() {
                    guard let colon = l.firstIndex(of: ":") else { continue }
                    headers[l[..<colon].lowercased()] = l[l.index(after: colon)...].trimmingCharacters(in: .whitespaces)
                }
                return Head(status: status, headers: headers)
            }
            guard try fill() else { throw ControlClient.Failure("the manager closed the connection before replying") }
        }
    }

    /// Hands the body to `onData` piece by piece until it returns false or the body ends.
    func readBody(_ head: Head, _ onData: ([UInt8]) -> Bool) throws(ControlClient.Failure) {
        if head.headers["transfer-encoding"]?.lowercased() == "chunked" {
            while true {
                var lineEnd = find([13, 10])
                while lineEnd == nil { guard try fill() else { return }; lineEnd = find([13, 10]) }
                let sizeText = String(decoding: buffer[0..<lineEnd!], as: UTF8.self).split(separator: ";").first ?? ""
                guard let size = Int(sizeText.trimmingCharacters(in: .whitespaces), radix: 16) else {
                    throw ControlClient.Failure("a malformed chunk in the reply")
                }
                buffer.removeFirst(lineEnd! + 2)
                if size == 0 { return }
                while buffer.count < size + 2 { guard try fill() else { throw ControlClient.Failure("the reply ended inside a chunk") } }
                let data = Array(buffer[0..<size])
                buffer.removeFirst(size + 2)
                if !onData(data) { return }
            }
        } else if let length = head.headers["content-length"].flatMap({ Int($0) }) {
            while buffer.count < length { guard try fill() else { throw ControlClient.Failure("the reply ended early") } }
            _ = onData(Array(buffer[0..<length]))
        } else {
            while try fill() {}
            _ = onData(buffer)
        }
    }

    func readResponse() throws(ControlClient.Failure) -> (status: Int, body: Data) {
        let head = try readHead()
        var body = Data()
        try readBody(head) { body.append(contentsOf: $0); return true }
        return (head.status, body)
    }

    private func find(_ pattern: [UInt8]) -> Int? {
        guard buffer.count >= pattern.count else { return nil }
        for i in 0...(buffer.count - pattern.count) where buffer[i] == pattern[0] && Array(buffer[i..<(i + pattern.count)]) == pattern { return i }
        return nil
    }
}
