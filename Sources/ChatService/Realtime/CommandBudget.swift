import Foundation

/// A token bucket for one connection's commands. Not shared: the reader owns it.
struct CommandBudget {
    enum Verdict: Equatable {
        case allowed
        /// Over budget: wait `retryAfter` seconds. `tell` is true for the first
        /// refusal of a run, so one error answers a flood, not one per frame.
        case refused(retryAfter: Int, tell: Bool)
    }

    let perSecond: Double
    let burst: Double
    private var tokens: Double
    private var last: ContinuousClock.Instant?
    private var told = false

    init(perSecond: Double, burst: Double) {
        self.perSecond = max(perSecond, 0.001)
        self.burst = max(burst, 1)
        self.tokens = max(burst, 1)
    }

    mutating func spend(at now: ContinuousClock.Instant) -> Verdict {
        if let last {
            let elapsed = now - last
            let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
            tokens = min(burst, tokens + seconds * perSecond)
        }
        last = now
        if tokens >= 1 {
            tokens -= 1
            told = false
            return .allowed
        }
        let wait = Int(((1 - tokens) / perSecond).rounded(.up))
        defer { told = true }
        return .refused(retryAfter: max(1, wait), tell: !told)
    }
}
