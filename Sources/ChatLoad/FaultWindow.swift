import Synchronization

/// When the injected fault began and ended (Clock.now() nanoseconds), as the injecting task saw it.
final class FaultWindow: Sendable {
    private let times = Mutex<(start: UInt64?, end: UInt64?)>((nil, nil))

    func begin() { times.withLock { $0.start = Clock.now() } }
    func end() { times.withLock { $0.end = Clock.now() } }

    var span: (UInt64, UInt64)? {
        times.withLock { times in
            guard let start = times.start, let end = times.end else { return nil }
            return (start, end)
        }
    }
}
