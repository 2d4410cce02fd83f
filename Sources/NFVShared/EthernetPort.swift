@preconcurrency import CDPDK
import NFVCore
#if canImport(Glibc)
import Glibc
#endif

/// A DPDK Ethernet port the manager polls: one RX and one TX queue.
public struct EthernetPort: @unchecked Sendable {
    public let dpdkPortID: UInt16
    public let device: String

    /// Ring sizes for a driver that suggests none. A driver's own
    /// suggestion wins, as in dpdk-testpmd, so that a port is set up as
    /// testpmd sets it up (of the virtual drivers only AF_XDP suggests one,
    /// 2048; the rate against testpmd did not move beyond the noise,
    /// BENCHMARKS.md).
    static let fallbackDescriptors: UInt16 = 1024

    /// Configures and starts the port the EAL created for `device` (the
    /// string given to `Environment`), receiving into `pool`.
    public static func start(device: String, pool: PacketPool) throws(NFVError) -> EthernetPort {
        let name = String(device.split(separator: ",", maxSplits: 1).first ?? "")
        var id: UInt16 = 0
        guard rte_eth_dev_get_port_by_name(name, &id) == 0 else {
            throw .portFailed(device: device, reason: "its driver did not create port '\(name)': it refused the options (its own message is above)")
        }
        var conf = rte_eth_conf()
        var rc = rte_eth_dev_configure(id, 1, 1, &conf)
        guard rc == 0 else { throw .portFailed(device: device, reason: "configure failed (\(rc))") }
        let socket = UInt32(bitPattern: rte_eth_dev_socket_id(id))
        var info = rte_eth_dev_info()
        let suggested = rte_eth_dev_info_get(id, &info) == 0
        let rxDescriptors = suggested && info.default_rxportconf.ring_size > 0 ? info.default_rxportconf.ring_size : fallbackDescriptors
        let txDescriptors = suggested && info.default_txportconf.ring_size > 0 ? info.default_txportconf.ring_size : fallbackDescriptors
        rc = rte_eth_rx_queue_setup(id, 0, rxDescriptors, socket, nil, pool.pool)
        guard rc == 0 else { throw .portFailed(device: device, reason: "RX queue setup failed (\(rc))") }
        rc = rte_eth_tx_queue_setup(id, 0, txDescriptors, socket, nil)
        guard rc == 0 else { throw .portFailed(device: device, reason: "TX queue setup failed (\(rc))") }
        rc = rte_eth_dev_start(id)
        guard rc == 0 else { throw .portFailed(device: device, reason: "start failed (\(rc))") }
        _ = rte_eth_promiscuous_enable(id)
        return EthernetPort(dpdkPortID: id, device: device)
    }

    /// Receives up to `burst.capacity` packets.
    @inlinable
    public func receive(into burst: BurstBuffer) -> Int {
        burst.slots.withMemoryRebound(to: OpaquePointer?.self, capacity: burst.capacity) {
            Int(rte_eth_rx_burst(dpdkPortID, 0, $0, UInt16(burst.capacity)))
        }
    }

    /// Transmits packets `range` of `burst`; returns how many the port took
    /// (the rest stay the caller's).
    @inlinable
    public func transmit(_ burst: BurstBuffer, _ range: Range<Int>) -> Int {
        (burst.slots + range.lowerBound).withMemoryRebound(to: OpaquePointer?.self, capacity: range.count) {
            Int(rte_eth_tx_burst(dpdkPortID, 0, $0, UInt16(range.count)))
        }
    }

    /// Stops and closes the port (flushes what a pcap port wrote). First it
    /// lets the driver take back the buffers of packets it has sent (some
    /// drivers, AF_XDP's among them, reap TX completions only on a later
    /// transmit).
    public func stop() {
        for _ in 0..<10 {
            _ = rte_eth_tx_done_cleanup(dpdkPortID, 0, 0)
            _ = rte_eth_tx_burst(dpdkPortID, 0, nil, 0)
            usleep(1000)
        }
        _ = rte_eth_dev_stop(dpdkPortID)
        _ = rte_eth_dev_close(dpdkPortID)
    }
}
