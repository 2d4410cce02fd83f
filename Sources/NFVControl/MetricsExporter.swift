import NFVCore
import Prometheus

/// The platform's statistics in Prometheus's text format (`GET /metrics`),
/// built afresh from one snapshot per scrape: counters since start per
/// port (packets and bytes), NF instance and service (packets; drops by
/// reason), flow rule and chain (packets from ports), gauges of ring
/// occupancy, the pool and the steering table, and from `nfs` each NF's
/// CPU share and the share its weight entitles it to (where known).
enum MetricsExporter {
    static func text(_ s: PlatformStats, nfs: [NFInfo] = []) -> String {
        let r = PrometheusCollectorRegistry()
        func counter(_ name: String, _ labels: [(String, String)], _ value: UInt64, _ help: String) {
            r.makeCounter(name: name, labels: labels, help: help).increment(by: Int64(clamping: value))
        }
        func gauge(_ name: String, _ labels: [(String, String)], _ value: Double, _ help: String) {
            r.makeGauge(name: name, labels: labels, help: help).set(value)
        }
        for p in s.ports {
            let l = [("port", "\(p.port)"), ("device", p.device)]
            counter("nfv_port_rx_packets_total", l, p.rx, "Packets a port received.")
            counter("nfv_port_tx_packets_total", l, p.tx, "Packets a port sent.")
            counter("nfv_port_dropped_packets_total", l, p.dropped, "Packets a port could not send or receive.")
            counter("nfv_port_rx_bytes_total", l, p.rxBytes, "Bytes of the packets a port received.")
            counter("nfv_port_tx_bytes_total", l, p.txBytes, "Bytes of the packets a port sent.")
        }
        for n in s.nfs {
            let l = [("instance", "\(n.instance)"), ("service", "\(n.service)"), ("name", n.name)]
            counter("nfv_nf_rx_packets_total", l, n.rx, "Packets an NF instance received.")
            counter("nfv_nf_tx_packets_total", l, n.tx, "Packets an NF instance passed on.")
            counter("nfv_nf_dropped_packets_total", l + [("reason", "nf")], n.dropped, "Packets an NF instance dropped, by reason.")
            counter("nfv_nf_dropped_packets_total", l + [("reason", "no_route")], n.noRoute, "Packets an NF instance dropped, by reason.")
            counter("nfv_nf_dropped_packets_total", l + [("reason", "ring_full")], n.ringFull, "Packets an NF instance dropped, by reason.")
            gauge("nfv_nf_rx_ring_occupancy", l, Double(n.rxRing), "Descriptors waiting in an NF instance's RX ring.")
            gauge("nfv_nf_tx_ring_occupancy", l, Double(n.txRing), "Descriptors waiting in an NF instance's TX ring.")
            counter("nfv_nf_sleeps_total", l, n.sleeps, "Times an NF instance slept for lack of work.")
            guard let info = nfs.first(where: { $0.instance == Int(n.instance) && $0.pid == n.pid }) else { continue }
            let g = l + [("group", info.launch?.group ?? "")]
            if let c = info.cpuPercent { gauge("nfv_nf_cpu_percent", g, c, "Percent of one CPU an NF instance (its group's process, for a member) used over the last second.") }
            if let e = info.cpuEntitledPercent {
                gauge("nfv_nf_cpu_entitled_percent", g, e, "Percent of one CPU an NF instance's weight entitles it to while every NF with a claim is busy.")
            }
        }
        for v in s.services {
            let l = [("service", "\(v.service)")]
            counter("nfv_service_rx_packets_total", l, v.rx, "Packets a service's instances received, since start.")
            counter("nfv_service_tx_packets_total", l, v.tx, "Packets a service's instances passed on, since start.")
            gauge("nfv_service_instances", l, Double(v.instances), "Instances a service has now.")
            for (reason, count) in v.dropped.sorted(by: { $0.key < $1.key }) {
                counter("nfv_service_dropped_packets_total", l + [("reason", reason)], count, "Packets dropped at a service, by reason.")
            }
        }
        for r in s.ruleHits {
            counter("nfv_rule_packets_total", [("rule", "\(r.id)"), ("target", r.target)], r.packets,
                    "Packets from ports that matched a flow rule, since start.")
        }
        for c in s.chainEntries {
            counter("nfv_chain_entered_packets_total", [("chain", c.chain)], c.packets,
                    "Packets from ports that entered a chain (by a rule or as the port's default), since start.")
        }
        gauge("nfv_pool_buffers", [], Double(s.poolSize), "Packet buffers in the pool.")
        gauge("nfv_pool_in_use", [], Double(s.poolInUse), "Buffers in packets (rings, NFs, ports).")
        counter("nfv_reclaimed_buffers_total", [], s.reclaimed, "Buffers taken back from NFs that died.")
        gauge("nfv_steering_version", [], Double(s.steering.version), "The steering table's current version.")
        counter("nfv_steering_publishes_total", [], s.steering.publishes, "Steering-table versions published.")
        gauge("nfv_steering_rules", [], Double(s.steering.rules), "Flow rules in the steering table.")
        gauge("nfv_steering_chains", [], Double(s.steering.chains.count), "Chains in the steering table.")
        gauge("nfv_uptime_seconds", [], s.uptimeSeconds, "Seconds since the manager started.")
        return r.emitToString()
    }
}
