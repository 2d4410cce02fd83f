/// Every name by which the manager and the NFs find shared objects: DPDK
/// file prefixes, memzones, rings, the pool, run-time files. One place, so
/// that the two sides can never disagree.
public struct SharedNames: Sendable, Equatable {
    /// The platform instance name (`nfv manager --name`, `nfv nf --manager`).
    public let platform: String

    public init(platform: String) { self.platform = platform }

    /// DPDK's `--file-prefix`: names the huge-page files and run-time folder.
    public var filePrefix: String { "swiftnfv-\(platform)" }
    /// DPDK's run-time folder for this prefix (holds the primary's lock file).
    public var dpdkRuntimeDirectory: String { "/var/run/dpdk/\(filePrefix)" }
    /// The file the primary holds a write lock on while it runs.
    public var dpdkConfigFile: String { "\(dpdkRuntimeDirectory)/config" }
    /// SwiftNFV's own run-time folder: statistics.
    public var runtimeDirectory: String { "/var/run/swiftnfv/\(platform)" }
    /// Statistics as JSON, rewritten once a second by the manager.
    public var statsFile: String { "\(runtimeDirectory)/stats.json" }
    /// The control API's Unix socket (root only).
    public var apiSocket: String { "\(runtimeDirectory)/api.sock" }

    public static let table = "nfv_table"
    public static let pool = "nfv_pool"
    /// The versioned steering table (chains, port defaults, flow rules).
    public static let steering = "nfv_steer"
    /// The RX ring of the NF slot with this index (instance ID - 1).
    public static func rxRing(slot: Int) -> String { "nfv_rx_\(slot)" }
    /// The TX ring (towards the manager's TX work) of the NF slot.
    public static func txRing(slot: Int) -> String { "nfv_tx_\(slot)" }
    /// The ring through which the manager gives the NF slot buffers to make
    /// packets in (`BufferSupply`).
    public static func supplyRing(slot: Int) -> String { "nfv_supply_\(slot)" }

    /// The NF slot's request ring (NF to manager) and reply ring (back).
    public static func requestRing(slot: Int) -> String { "nfv_req_\(slot)" }
    public static func replyRing(slot: Int) -> String { "nfv_rep_\(slot)" }

    /// The address every process maps shared memory at.
    public static let baseVirtualAddress = "0x7f000000000"
}
