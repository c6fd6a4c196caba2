import Foundation
import NIOCore
import Synchronization

/// When a socket's authority runs out: the token's `exp`, moved on by each
/// `auth`. A timer on an event loop — not a task per socket, whose frames an idle
/// socket would carry as long as it is open — calls `expired` once the time has
/// passed; the socket's writer then closes it (4401). A timer that finds the
/// time moved on arms itself again for the new time.
final class SocketExpiry: Sendable {
    private struct State {
        var date: Date
        var timer: Scheduled<Void>?
        var stopped = false
    }

    private let state: Mutex<State>
    /// Set by the timer once the time has passed, cleared by an `extend` past now: what the
    /// writer looks at before each delivery, a load instead of a clock read and a lock.
    private let passed = Atomic<Bool>(false)
    private let loop: any EventLoop
    private let expired: @Sendable () -> Void

    init(_ date: Date, loop: any EventLoop, expired: @escaping @Sendable () -> Void) {
        self.state = Mutex(State(date: date))
        self.loop = loop
        self.expired = expired
    }

    var value: Date { state.withLock { $0.date } }
    var hasPassed: Bool { value.timeIntervalSinceNow <= 0 }

    func extend(to newDate: Date) {
        state.withLock { state in
            state.date = max(state.date, newDate)
            if state.date.timeIntervalSinceNow > 0 { passed.store(false, ordering: .releasing) }
        }
    }

    /// Thrown where a socket's work stops because its token expired.
    struct Passed: Error {}

    /// Throws `Passed` once the timer found the time passed (and no `extend` moved it on since).
    func check() throws {
        if passed.load(ordering: .acquiring) { throw Passed() }
    }

    /// Arms the timer for the current time (again, when the writer found it moved on).
    func arm() {
        state.withLock { state in
            guard !state.stopped else { return }
            state.timer?.cancel()
            // At most an hour at a time: a clock that jumps is caught on the next arming.
            let remaining = min(max(state.date.timeIntervalSinceNow, 0), 3600)
            state.timer = loop.scheduleTask(in: .milliseconds(Int64(remaining * 1000) + 1)) { [self] in
                // Decided under the lock, so an `extend` cannot slip between the look and the flag.
                let due = self.state.withLock { state in
                    let due = state.date.timeIntervalSinceNow <= 0
                    if due { passed.store(true, ordering: .releasing) }
                    return due
                }
                if due { expired() } else { arm() }
            }
        }
    }

    /// The socket closed: the timer (and the reference it holds to this object) goes.
    func stop() {
        state.withLock { state in
            state.stopped = true
            state.timer?.cancel()
            state.timer = nil
        }
    }
}
