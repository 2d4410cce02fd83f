@preconcurrency import CDPDK
import NFVCore
#if canImport(Glibc)
import Glibc
#endif

/// A debug hook for fault-injection tests: the process stops itself
/// (SIGSTOP) the `n`th time it passes a named point of the ownership
/// protocol, so that a test can kill it there, or let it go on after a
/// while, at exactly the worst moment. Armed by `NFV_FAULT=point:n` in an
/// NF's environment; without it there is none, and the hot paths test a
/// `nil` once per burst.
public final class FaultPoint: @unchecked Sendable {
    public enum Place: String, Sendable, CaseIterable {
        /// Inside an RX-ring enqueue, after the reservation, before the entries are written.
        case enqueueReserved = "enqueue-reserved"
        /// Just after taking new buffers from the supply ring, before using them.
        case supplyTaken = "supply-taken"
        /// Inside a give-back, with buffers marked for the pool but not yet queued.
        case giveBackMarked = "giveback-marked"
        /// Inside a send, with a version of the steering table announced, before steering by it.
        case steeringEntered = "steering-entered"
    }

    public let place: Place
    /// Passes left before the stop (the C enqueue counts it down itself).
    @usableFromInline let countdown: UnsafeMutablePointer<UInt32>

    public init(place: Place, after n: UInt32) {
        self.place = place
        countdown = .allocate(capacity: 1)
        countdown.initialize(to: max(1, n))
    }

    deinit { countdown.deallocate() }

    /// The point `NFV_FAULT` names, if it is set; throws when it is set
    /// but malformed.
    public static func fromEnvironment() throws(NFVError) -> FaultPoint? {
        guard let raw = getenv("NFV_FAULT") else { return nil }
        let text = String(cString: raw)
        let parts = text.split(separator: ":")
        guard parts.count == 2, let place = Place(rawValue: String(parts[0])), let n = UInt32(parts[1]), n > 0 else {
            let places = Place.allCases.map(\.rawValue).joined(separator: ", ")
            throw .invalid("NFV_FAULT='\(text)': expected PLACE:N with PLACE one of \(places) and N from 1")
        }
        return FaultPoint(place: place, after: n)
    }

    /// Stops the process if this is the `n`th pass of `place`.
    @inlinable public func pass(_ here: Place) {
        guard here == place, countdown.pointee > 0 else { return }
        countdown.pointee -= 1
        if countdown.pointee == 0 { raise(SIGSTOP) }
    }

    /// What the marked enqueue counts down (`nil` unless armed there).
    @inlinable var enqueueCountdown: UnsafeMutablePointer<UInt32>? { place == .enqueueReserved ? countdown : nil }
}
