import NFVCore
import NFVShared
#if canImport(Glibc)
import Glibc
#endif

/// What a running NF can know and do besides handling packets: who it is,
/// making packets of its own (generators, testers), and asking the manager
/// to change steering (`request`).
public final class NFContext {
    public let instance: InstanceID
    public let service: ServiceID
    public let name: String
    /// Ports of the manager (valid `PortID`s are `0..<portCount`).
    public let portCount: Int

    @usableFromInline let pool: PacketPool
    @usableFromInline let supply: BufferSupply
    @usableFromInline let steering: Steering
    @usableFromInline let fault: FaultPoint?
    @usableFromInline let injectBurst = BurstBuffer()
    let signals: SignalWatcher
    @usableFromInline let table: SharedTable
    @usableFromInline let messages: MessageChannel
    private var lastSeq: UInt32 = 0
    /// Reload commands the manager sent (the API's reload).
    var reloadCommands = 0

    init(instance: InstanceID, service: ServiceID, name: String, table: SharedTable, pool: PacketPool,
         supply: BufferSupply, steering: Steering, messages: MessageChannel, fault: FaultPoint?, signals: SignalWatcher) {
        self.messages = messages
        self.fault = fault
        self.supply = supply
        self.signals = signals
        self.table = table
        self.instance = instance
        self.service = service
        self.name = name
        self.portCount = table.portCount
        self.pool = pool
        self.steering = steering
    }

    /// How many reloads were asked for since the NF started (the manager's
    /// reload command, from the API, or SIGHUP): an NF with a configuration
    /// re-reads it when this changes.
    public var reloadRequests: Int { signals.reloads + reloadCommands }

    /// Asks the manager for `request` (install or remove a flow rule) and
    /// returns its number; the answer comes to the NF's
    /// `received(_:context:)` with that number. `nil` when 255 requests
    /// already wait for the manager (try again later).
    public func request(_ request: ManagerRequest) -> UInt32? {
        let seq = lastSeq &+ 1
        guard messages.send(request, seq: seq) else { return nil }
        lastSeq = seq
        table.controlDoorbell.ring()
        return seq
    }

    /// The index of the chain named `name` now (for `Action.toChain`).
    public func chain(named name: String) -> ChainID? { steering.chain(named: name) }

    /// The chains defined now, by index.
    public var chains: [ChainSpec?] { steering.chains() }

    /// The Ethernet address of a manager port, if it has one.
    public func macAddress(of port: PortID) -> MACAddress? {
        guard Int(port.rawValue) < portCount else { return nil }
        return table.port(port).macAddress.map { MACAddress($0) }
    }

    /// Nanoseconds on a monotonic clock.
    @inlinable public var nanoseconds: UInt64 { MonotonicClock.nanoseconds() }

    /// Makes up to `count` new packets of `length` bytes, lets `fill` write
    /// each (it gets the packet and its index), and sends them as `action`
    /// says. The buffers come from the manager (`BufferSupply`): when its
    /// supply is empty the NF asks for more and yields until they come.
    /// Returns how many it made: fewer when the pool runs dry, or when the
    /// manager gives none in `patience` tries.
    @inlinable @discardableResult
    public func inject(count: Int, length: Int, action: Action, patience: Int = 100_000,
                       fill: (Packet, Int) -> Void) -> Int {
        var made = 0
        var tries = 0
        let manager = table.dataplaneDoorbell
        while made < count {
            let n = supply.take(into: injectBurst, count: min(injectBurst.capacity, count - made), owner: instance,
                                manager: manager)
            if n == 0 {
                tries += 1
                if pool.available == 0 || tries > patience { break }
                sched_yield()
                continue
            }
            fault?.pass(.supplyTaken)
            for i in 0..<n {
                let p = injectBurst[i]
                p.setLength(length)
                fill(p, made + i)
            }
            steering.send(injectBurst, count: n, action: action)
            made += n
        }
        return made
    }

    /// Sends a copy of `frame` in a new packet, as `action` says; `false`
    /// when the pool is empty or the frame does not fit in a buffer.
    @discardableResult
    public func send(_ frame: PacketData, action: Action) -> Bool {
        var fits = true
        let made = inject(count: 1, length: frame.length, action: action) { p, _ in
            fits = p.length == frame.length
            p.withUnsafeMutableBytes { dst in frame.bytes.withUnsafeBytes { dst.copyMemory(from: $0) } }
        }
        return made == 1 && fits
    }

    /// Prints a line on standard error, prefixed with the NF's name and instance.
    public func log(_ message: String) {
        var line = "[\(name) #\(instance.rawValue)] \(message)\n"
        line.withUTF8 { _ = write(2, $0.baseAddress, $0.count) }
    }
}
