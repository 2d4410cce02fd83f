/// Builds whole frames with correct lengths and checksums: for generators,
/// tests and NFs that answer (ARP replies, ICMP errors).
public enum PacketBuilder {
    /// Ethernet + IPv4 (20 bytes, no options) + `transport` bytes, with the
    /// IP checksum set. Returns the frame and its layout.
    static func ipv4Frame(src: MACAddress, dst: MACAddress, from: IPv4Address, to: IPv4Address, proto: UInt8,
                          ttl: UInt8, transport: [UInt8]) -> PacketData {
        var p = PacketData([UInt8](repeating: 0, count: 34 + transport.count))
        p.setEthernet(destination: dst, source: src)
        p.store(UInt16(0x0800), bigEndianAt: 12)
        p.store(UInt16(0x4500), bigEndianAt: 14)
        p.store(UInt16(20 + transport.count), bigEndianAt: 16)
        p.store(UInt16(0x4000), bigEndianAt: 20)
        p.store(UInt16(ttl) << 8 | UInt16(proto), bigEndianAt: 22)
        p.store(from.value, bigEndianAt: 26)
        p.store(to.value, bigEndianAt: 30)
        p.store(Checksum.compute(p, from: 14, count: 20)!, bigEndianAt: 24)
        p.bytes.replaceSubrange(34..., with: transport)
        return p
    }

    /// Sets the TCP/UDP checksum of an IPv4 frame built by `ipv4Frame`.
    static func fillTransportChecksum(_ p: inout PacketData, at field: Int) {
        let l = Layout.parse(p)!
        let len = p.length - 34
        let pseudo = p.ipv4PseudoHeaderSum(l, transportLength: len)!
        var c = Checksum.compute(p, from: 34, count: len, initial: pseudo)!
        if c == 0 && field == 40 { c = 0xFFFF }
        p.store(c, bigEndianAt: field)
    }

    /// A UDP/IPv4 frame.
    public static func udp(src: MACAddress, dst: MACAddress, from: IPv4Address, to: IPv4Address,
                           sourcePort: UInt16, destinationPort: UInt16, payload: [UInt8], ttl: UInt8 = 64) -> PacketData {
        var udp = [UInt8](repeating: 0, count: 8) + payload
        udp[0] = UInt8(sourcePort >> 8); udp[1] = UInt8(sourcePort & 0xFF)
        udp[2] = UInt8(destinationPort >> 8); udp[3] = UInt8(destinationPort & 0xFF)
        udp[4] = UInt8(udp.count >> 8); udp[5] = UInt8(udp.count & 0xFF)
        var p = ipv4Frame(src: src, dst: dst, from: from, to: to, proto: 17, ttl: ttl, transport: udp)
        fillTransportChecksum(&p, at: 40)
        return p
    }

    /// A TCP/IPv4 frame (20-byte header, no options).
    public static func tcp(src: MACAddress, dst: MACAddress, from: IPv4Address, to: IPv4Address,
                           sourcePort: UInt16, destinationPort: UInt16, flags: UInt8 = 0x02, sequence: UInt32 = 1,
                           payload: [UInt8] = [], ttl: UInt8 = 64) -> PacketData {
        var t = PacketData([UInt8](repeating: 0, count: 20) + payload)
        t.store(sourcePort, bigEndianAt: 0)
        t.store(destinationPort, bigEndianAt: 2)
        t.store(sequence, bigEndianAt: 4)
        t.store(UInt16(5 << 12) | UInt16(flags), bigEndianAt: 12)
        t.store(UInt16(65535), bigEndianAt: 14)
        var p = ipv4Frame(src: src, dst: dst, from: from, to: to, proto: 6, ttl: ttl, transport: t.bytes)
        fillTransportChecksum(&p, at: 50)
        return p
    }

    /// An ARP request (`reply: false`, to broadcast) or reply.
    public static func arp(reply: Bool, senderMAC: MACAddress, senderIP: IPv4Address,
                           targetMAC: MACAddress, targetIP: IPv4Address) -> PacketData {
        var p = PacketData([UInt8](repeating: 0, count: 42))
        p.setEthernet(destination: reply ? targetMAC : .broadcast, source: senderMAC)
        p.store(UInt16(0x0806), bigEndianAt: 12)
        p.store(UInt16(1), bigEndianAt: 14)        // Ethernet
        p.store(UInt16(0x0800), bigEndianAt: 16)   // IPv4
        p.store(UInt16(0x0604), bigEndianAt: 18)   // sizes
        p.store(UInt16(reply ? 2 : 1), bigEndianAt: 20)
        p.storeMAC(senderMAC, at: 22)
        p.store(senderIP.value, bigEndianAt: 28)
        p.storeMAC(reply ? targetMAC : .zero, at: 32)
        p.store(targetIP.value, bigEndianAt: 38)
        return p
    }

    /// An ICMP error (type 11 code 0: time exceeded; type 3: unreachable)
    /// about `original`, from `routerIP` back to its sender, quoting its IP
    /// header and the first 8 bytes after it (RFC 792).
    public static func icmpError<P: PacketBytes>(type: UInt8, code: UInt8, about original: P, _ l: Layout,
                                                 src: MACAddress, dst: MACAddress, routerIP: IPv4Address) -> PacketData? {
        guard l.network == .ipv4, let sender = original.ipv4(at: l.l3 + 12) else { return nil }
        let quoted = min(l.l3Length + 8, original.length - l.l3)
        var icmp = [UInt8](repeating: 0, count: 8)
        icmp[0] = type; icmp[1] = code
        for i in 0..<quoted { icmp.append(original[l.l3 + i] ?? 0) }
        var body = PacketData(icmp)
        body.store(Checksum.compute(body, from: 0, count: body.length)!, bigEndianAt: 2)
        return ipv4Frame(src: src, dst: dst, from: routerIP, to: sender, proto: 1, ttl: 64, transport: body.bytes)
    }
}
