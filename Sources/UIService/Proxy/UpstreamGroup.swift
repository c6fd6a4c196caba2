import Foundation
import Synchronization

/// The replicas of one service: hands them out in turn, and leaves one that
/// just refused a connection out of the rotation for a little while (unless
/// every replica is out, when they are all tried again). Requests and
/// WebSockets take turns separately: sockets live long, so they are spread
/// over the replicas by themselves, whatever number of requests a page makes
/// between two connects.
final class UpstreamGroup: Sendable {
    enum Traffic: Int { case requests = 0, sockets = 1 }

    let name: String
    let urls: [String]
    private let state: Mutex<State>
    private let quarantine: Duration

    private struct State {
        var next = [0, 0]
        var downUntil: [ContinuousClock.Instant?]
    }

    init(name: String, urls: [String], quarantine: Duration = .seconds(2)) {
        precondition(!urls.isEmpty, "an upstream group needs at least one URL")
        self.name = name
        self.urls = urls
        self.quarantine = quarantine
        self.state = Mutex(State(downUntil: Array(repeating: nil, count: urls.count)))
    }

    /// Every replica once, starting with the next in turn and healthy ones first.
    func attemptOrder(for traffic: Traffic = .requests) -> [String] {
        let now = ContinuousClock.now
        return state.withLock { state in
            let start = state.next[traffic.rawValue]
            state.next[traffic.rawValue] = (start + 1) % urls.count
            let order = (0..<urls.count).map { (start + $0) % urls.count }
            let healthy = order.filter { (state.downUntil[$0] ?? now) <= now }
            let resting = order.filter { (state.downUntil[$0] ?? now) > now }
            return (healthy + resting).map { urls[$0] }
        }
    }

    func markDown(_ url: String) {
        guard let index = urls.firstIndex(of: url) else { return }
        let until = ContinuousClock.now + quarantine
        state.withLock { $0.downUntil[index] = until }
    }

    func markUp(_ url: String) {
        guard let index = urls.firstIndex(of: url) else { return }
        state.withLock { $0.downUntil[index] = nil }
    }
}
