/// Places weighted NFs on CPUs so that each CPU carries about the same total
/// weight. The kernel divides each CPU by the weights of what runs there
/// (cgroup cpu.shares are per CPU), so an NF's share of the whole machine is
/// its weight's share of the total only when every CPU carries the same
/// weight; the kernel's load balancer moves whole tasks and does not find
/// such a split by itself. Greedy, heaviest first, onto the lightest CPU
/// (within 4/3 of the best split; exact for the benchmarks' weights).
public enum CPUPlacement {
    /// The CPU (0..<cpus) for each weight, in the order given, on top of
    /// `load` (the weight each CPU already carries; none when empty).
    public static func balanced(weights: [Int], cpus: Int, load initial: [Int] = []) -> [Int] {
        precondition(cpus >= 1, "at least one CPU")
        var load = (0..<cpus).map { initial.indices.contains($0) ? initial[$0] : 0 }
        var placed = [Int](repeating: 0, count: weights.count)
        for i in weights.indices.sorted(by: { (weights[$0], $1) > (weights[$1], $0) }) {
            let cpu = load.indices.min(by: { (load[$0], $0) < (load[$1], $1) })!
            placed[i] = cpu
            load[cpu] += weights[i]
        }
        return placed
    }
}
