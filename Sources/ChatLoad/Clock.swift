import Foundation

/// Monotonic nanoseconds. Senders and listeners share this process, so a send
/// time written into a message and read back from a delivery is comparable.
enum Clock {
    static func now() -> UInt64 { DispatchTime.now().uptimeNanoseconds }

    static func sleep(until deadline: UInt64) async {
        let now = now()
        if deadline > now { try? await Task.sleep(nanoseconds: deadline - now) }
    }
}
