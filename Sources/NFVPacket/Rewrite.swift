/// Header rewriting that keeps checksums right by updating them
/// incrementally (RFC 1624) rather than recomputing them.
extension PacketBytes {
    /// Decrements the IPv4 TTL (or IPv6 hop limit) and updates the IPv4
    /// header checksum. Returns the new TTL; `nil` (and no change) when the
    /// TTL is already 0 or 1, so the packet must not be forwarded.
    @inlinable @discardableResult
    public mutating func decrementTTL(_ l: Layout) -> UInt8? {
        switch l.network {
        case .ipv4:
            guard let word = load(UInt16.self, bigEndianAt: l.l3 + 8), let sum = load(UInt16.self, bigEndianAt: l.l3 + 10) else { return nil }
            let ttl = UInt8(word >> 8)
            guard ttl > 1 else { return nil }
            let new = word &- 0x0100
            store(new, bigEndianAt: l.l3 + 8)
            store(Checksum.update(sum, old: word, new: new), bigEndianAt: l.l3 + 10)
            return ttl - 1
        case .ipv6:
            guard let hop = self[l.l3 + 7], hop > 1 else { return nil }
            store(hop - 1, bigEndianAt: l.l3 + 7)
            return hop - 1
        default:
            return nil
        }
    }

    /// Rewrites the IPv4 source (or destination) address, updating the IP
    /// checksum and the TCP or UDP checksum (whose pseudo-header covers it).
    @inlinable @discardableResult
    public mutating func setIPv4Address(_ a: IPv4Address, destination: Bool, _ l: Layout) -> Bool {
        guard l.network == .ipv4 else { return false }
        let at = l.l3 + (destination ? 16 : 12)
        guard let old = load(UInt32.self, bigEndianAt: at), let sum = load(UInt16.self, bigEndianAt: l.l3 + 10) else { return false }
        store(a.value, bigEndianAt: at)
        store(Checksum.update(sum, old: old, new: a.value), bigEndianAt: l.l3 + 10)
        if let l4 = l.l4 {
            let field = l.transport == .tcp ? l4 + 16 : l.transport == .udp ? l4 + 6 : -1
            if field >= 0, let c = load(UInt16.self, bigEndianAt: field), !(l.transport == .udp && c == 0) {
                var n = Checksum.update(c, old: old, new: a.value)
                if l.transport == .udp && n == 0 { n = 0xFFFF }
                store(n, bigEndianAt: field)
            }
        }
        return true
    }

    /// Rewrites both Ethernet addresses.
    @inlinable @discardableResult
    public mutating func setEthernet(destination: MACAddress, source: MACAddress) -> Bool {
        storeMAC(destination, at: 0) && storeMAC(source, at: 6)
    }

    /// Whether the IPv4 header checksum is right.
    public func ipv4ChecksumIsValid(_ l: Layout) -> Bool {
        l.network == .ipv4 && Checksum.sum(self, from: l.l3, count: l.l3Length) == 0xFFFF
    }

    /// The TCP/UDP pseudo-header sum of an IPv4 packet, for checksums.
    public func ipv4PseudoHeaderSum(_ l: Layout, transportLength: Int) -> UInt32? {
        guard transportLength >= 0, transportLength <= 0xFFFF, let src = load(UInt32.self, bigEndianAt: l.l3 + 12), let dst = load(UInt32.self, bigEndianAt: l.l3 + 16),
              let proto = l.ipProtocol else { return nil }
        return (src >> 16) + (src & 0xFFFF) + (dst >> 16) + (dst & 0xFFFF) + UInt32(proto) + UInt32(transportLength)
    }

    /// Whether the TCP or UDP checksum of an IPv4 packet is right (a UDP
    /// checksum of 0 means none).
    public func transportChecksumIsValid(_ l: Layout) -> Bool {
        guard let l4 = l.l4, l.transport == .tcp || l.transport == .udp,
              let total = load(UInt16.self, bigEndianAt: l.l3 + 2) else { return false }
        // The total-length field may lie (the fuzzer found one shorter than the header).
        let len = Int(total) - l.l3Length
        guard len >= 0, l4 + len <= length else { return false }
        if l.transport == .udp, load(UInt16.self, bigEndianAt: l4 + 6) == 0 { return true }
        guard let pseudo = ipv4PseudoHeaderSum(l, transportLength: len) else { return false }
        return Checksum.sum(self, from: l4, count: len, initial: pseudo) == 0xFFFF
    }
}
