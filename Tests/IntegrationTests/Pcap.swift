import Foundation

/// Reads and writes classic pcap files (Ethernet link type), for feeding a
/// `net_pcap` port and checking what it wrote.
enum Pcap {
    static func write(_ packets: [[UInt8]], to url: URL) throws {
        var d = Data()
        func u32(_ v: UInt32) { withUnsafeBytes(of: v.littleEndian) { d.append(contentsOf: $0) } }
        func u16(_ v: UInt16) { withUnsafeBytes(of: v.littleEndian) { d.append(contentsOf: $0) } }
        u32(0xA1B2_C3D4); u16(2); u16(4); u32(0); u32(0); u32(65535); u32(1)
        for (i, p) in packets.enumerated() {
            u32(UInt32(i)); u32(0); u32(UInt32(p.count)); u32(UInt32(p.count))
            d.append(contentsOf: p)
        }
        try d.write(to: url)
    }

    static func read(_ url: URL) throws -> [[UInt8]] {
        let d = [UInt8](try Data(contentsOf: url))
        guard d.count >= 24 else { return [] }
        func u32(_ o: Int) -> Int { Int(d[o]) | Int(d[o + 1]) << 8 | Int(d[o + 2]) << 16 | Int(d[o + 3]) << 24 }
        var out: [[UInt8]] = []
        var o = 24
        while o + 16 <= d.count {
            let len = u32(o + 8)
            o += 16
            guard o + len <= d.count else { break }
            out.append(Array(d[o..<o + len]))
            o += len
        }
        return out
    }

    /// A UDP/IPv4 frame of `length` bytes carrying `sequence`.
    static func udpFrame(sequence: UInt32, length: Int = 80) -> [UInt8] {
        var f = [UInt8](repeating: 0, count: length)
        f[0..<6] = [0x02, 0, 0, 0, 0, 0x02]; f[6..<12] = [0x02, 0, 0, 0, 0, 0x01]
        f[12] = 0x08; f[13] = 0x00
        f[14] = 0x45; f[16] = UInt8((length - 14) >> 8); f[17] = UInt8((length - 14) & 0xFF)
        f[22] = 64; f[23] = 17
        f[26..<30] = [10, 0, 0, 1]; f[30..<34] = [10, 0, 0, 2]
        f[34] = 0x04; f[35] = 0x00; f[36] = 0; f[37] = 9
        f[38] = UInt8((length - 34) >> 8); f[39] = UInt8((length - 34) & 0xFF)
        for i in 0..<4 { f[42 + i] = UInt8(truncatingIfNeeded: sequence >> (24 - 8 * i)) }
        for i in 46..<length { f[i] = UInt8(truncatingIfNeeded: Int(sequence) &* 31 &+ i) }
        return f
    }
}

extension Pcap {
    /// Runs `tcpdump -nn -e -v -r FILE` and returns its lines (the packets).
    static func tcpdump(_ url: URL) throws -> [String] {
        let r = try sh("tcpdump -nn -e -v -r \(url.path) 2>/dev/null", check: false)
        // -v folds a packet onto indented continuation lines: join them.
        var packets: [String] = []
        for line in r.output.split(separator: "\n") {
            if line.hasPrefix(" ") || line.hasPrefix("\t"), !packets.isEmpty { packets[packets.count - 1] += " " + line.trimmingCharacters(in: .whitespaces) }
            else { packets.append(String(line)) }
        }
        return packets
    }
}

extension Pcap {
    /// A UDP/IPv4 frame like `udpFrame`, to destination port `port`, with
    /// `payload` at the start of the UDP payload (then the sequence).
    static func udpFrame(sequence: UInt32, port: UInt16, payload: [UInt8] = [], length: Int = 80) -> [UInt8] {
        var f = udpFrame(sequence: sequence, length: length)
        f[36] = UInt8(port >> 8); f[37] = UInt8(port & 0xFF)
        f.replaceSubrange(42..<(42 + payload.count), with: payload)
        for i in 0..<4 { f[42 + payload.count + i] = UInt8(truncatingIfNeeded: sequence >> (24 - 8 * i)) }
        return f
    }

    /// A UDP/IPv6 frame of 80 bytes from `source` (16 bytes) to 2001:db8:ffff::1, carrying `sequence`.
    static func udp6Frame(sequence: UInt32, source: [UInt8]) -> [UInt8] {
        var f = [UInt8](repeating: 0, count: 80)
        f[0..<6] = [0x02, 0, 0, 0, 0, 0x02]; f[6..<12] = [0x02, 0, 0, 0, 0, 0x01]
        f[12] = 0x86; f[13] = 0xDD
        f[14] = 0x60
        let payload = 80 - 54
        f[18] = UInt8(payload >> 8); f[19] = UInt8(payload & 0xFF)
        f[20] = 17; f[21] = 64
        f.replaceSubrange(22..<38, with: source)
        f.replaceSubrange(38..<54, with: [0x20, 0x01, 0x0d, 0xb8, 0xff, 0xff, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1])
        f[54] = 0x04; f[55] = 0x00; f[56] = 0x1F; f[57] = 0x40
        f[58] = UInt8(payload >> 8); f[59] = UInt8(payload & 0xFF)
        for i in 0..<4 { f[62 + i] = UInt8(truncatingIfNeeded: sequence >> (24 - 8 * i)) }
        return f
    }
}
