import NFVCore
#if canImport(Glibc)
import Glibc
#endif

/// Why a port's device string cannot work, found before DPDK is started,
/// so that the error names the cause (the driver, the interface, the file,
/// the PCI address) rather than what DPDK made of it.
public enum PortDiagnosis {
    /// Virtual devices SwiftNFV knows, with the driver library each is in.
    static let virtualDrivers: [(name: String, library: String)] = [
        ("net_null", "net_null"), ("net_ring", "net_ring"), ("net_pcap", "net_pcap"), ("net_af_packet", "net_af_packet"),
        ("net_af_xdp", "net_af_xdp"), ("net_tap", "net_tap"), ("net_memif", "net_memif"), ("net_vhost", "net_vhost"),
        ("net_virtio_user", "net_virtio"),
    ]

    /// Throws `.portFailed` with the cause when `device` cannot work.
    public static func check(_ device: String) throws(NFVError) {
        if let problem = problem(with: device) { throw .portFailed(device: device, reason: problem) }
    }

    /// What is wrong with `device`, or `nil` when nothing visible is.
    public static func problem(with device: String) -> String? {
        let fields = device.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
        let name = fields[0]
        if Environment.isPCIAddress(name) { return pciProblem(name) }
        let driver = String(name.reversed().drop(while: \.isNumber).reversed())
        guard !driver.isEmpty, driver != name || name.hasPrefix("net_") else {
            return "'\(name)' is neither a PCI address (0000:01:00.0) nor a virtual device (net_null0, net_pcap0, ...)"
        }
        let library = virtualDrivers.first { $0.name == driver }?.library ?? driver
        guard driverInstalled(library) else {
            let here = virtualDrivers.filter { driverInstalled($0.library) }.map(\.name).joined(separator: ", ")
            return "no DPDK driver '\(driver)' (none in \(Prerequisites.driverDirectory)); virtual ports here: \(here)"
        }
        var options: [String: String] = [:]
        for f in fields.dropFirst() {
            let kv = f.split(separator: "=", maxSplits: 1).map(String.init)
            guard kv.count == 2, !kv[0].isEmpty else { return "'\(f)' is not a KEY=VALUE option" }
            options[kv[0]] = kv[1]
        }
        if let iface = options["iface"], driver != "net_tap" {
            guard access("/sys/class/net/\(iface)", F_OK) == 0 else {
                return "no network interface '\(iface)' on this machine (ip link lists them)"
            }
            if driver == "net_af_xdp" && iface == "lo" { return "AF_XDP does not work on lo: use a veth pair, or net_af_packet" }
        }
        for key in ["rx_pcap", "rx_iface"] where driver == "net_pcap" {
            guard let path = options[key] else { continue }
            if key == "rx_pcap", access(path, R_OK) != 0 { return "cannot read \(key) file '\(path)': \(errnoText(errno))" }
            if key == "rx_iface", access("/sys/class/net/\(path)", F_OK) != 0 { return "no network interface '\(path)' (rx_iface)" }
        }
        if driver == "net_pcap", let path = options["tx_pcap"] {
            let dir = path.contains("/") ? String(path[..<path.lastIndex(of: "/")!]) : "."
            if access(dir.isEmpty ? "/" : dir, W_OK) != 0 { return "cannot write tx_pcap file '\(path)': \(errnoText(errno)) (its folder)" }
        }
        return nil
    }

    static func driverInstalled(_ library: String) -> Bool {
        access("\(Prerequisites.driverDirectory)/librte_\(library).so", F_OK) == 0
    }

    /// A PCI address that is absent, or bound to no driver.
    static func pciProblem(_ address: String) -> String? {
        let full = address.split(separator: ":").count == 2 ? "0000:\(address)" : address
        let path = "/sys/bus/pci/devices/\(full.lowercased())"
        guard access(path, F_OK) == 0 else { return "no PCI device \(full) on this machine (lspci -D lists them)" }
        var buffer = [CChar](repeating: 0, count: 4096)
        let n = readlink("\(path)/driver", &buffer, buffer.count - 1)
        guard n > 0 else {
            return "PCI device \(full) is bound to no driver: bind it to a DPDK one (dpdk-devbind.py --bind=vfio-pci \(full))"
        }
        return nil
    }
}
