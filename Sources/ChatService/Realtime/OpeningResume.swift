import Foundation
import Synchronization

/// A client that reconnects says `resume` as soon as its socket opens, but live
/// messages are queued for the socket from the moment it is registered, before
/// that command is read. Were they written first, the resume's replay of older
/// messages would follow newer ones. So the writer starts once the client's
/// first command was handled — or once the reader, running, has waited a short
/// grace with no frame (a client that only listens) — and a `resume` that was
/// that first command goes before anything queued. A later `resume` takes its
/// turn in the queue as before. A frame that arrived is always waited for, so a
/// busy machine cannot turn the order around.
final class OpeningResume: Sendable {
    private enum Phase {
        case waiting(frameArrived: Bool)
        case offered([UUID: Int64])
        case started
    }

    private let phase = Mutex(Phase.waiting(frameArrived: false))
    private let listening: AsyncStream<Void>
    private let listeningInput: AsyncStream<Void>.Continuation
    private let settled: AsyncStream<Void>
    private let settledInput: AsyncStream<Void>.Continuation

    init() {
        (listening, listeningInput) = AsyncStream.makeStream()
        (settled, settledInput) = AsyncStream.makeStream()
    }

    /// The reader runs and waits for the client's first frame: the grace counts from now.
    func readerListening() { listeningInput.finish() }

    /// The reader got a frame: the writer waits until it was handled.
    func frameArrived() {
        phase.withLock { phase in
            if case .waiting = phase { phase = .waiting(frameArrived: true) }
        }
    }

    /// The reader's first `resume`: kept for the writer (true), or, once the writer has
    /// started, false — then it goes through the queue.
    func offer(_ positions: [UUID: Int64]) -> Bool {
        let kept = phase.withLock { phase -> Bool in
            guard case .waiting = phase else { return false }
            phase = .offered(positions)
            return true
        }
        settledInput.finish()
        return kept
    }

    /// A command was handled (or the reader ended): the writer need not wait any longer.
    func commandHandled() {
        listeningInput.finish()
        settledInput.finish()
    }

    private enum Wake: Sendable {
        case settled, graceOver, ceiling
    }

    /// The writer: waits as described above — for a frame that arrived, at most `ceiling`
    /// (the queue must not overflow while a command is slow) — then takes the opening
    /// `resume` if there was one.
    func start(grace: Duration, ceiling: Duration = .seconds(5)) async -> [UUID: Int64]? {
        for await _ in listening {}
        let settled = self.settled
        await withTaskGroup(of: Wake.self) { group in
            group.addTask {
                for await _ in settled {}
                return .settled
            }
            group.addTask {
                try? await Task.sleep(for: grace)
                return .graceOver
            }
            // Cancelling the child that waits on `settled` ends that stream, so it is cancelled
            // only once the wait is over: after the grace, a frame that arrived is waited for.
            while let wake = await group.next(), wake == .graceOver, frameHasArrived {
                group.addTask {
                    try? await Task.sleep(for: ceiling)
                    return .ceiling
                }
            }
            group.cancelAll()
        }
        return phase.withLock { phase -> [UUID: Int64]? in
            defer { phase = .started }
            if case let .offered(positions) = phase { return positions }
            return nil
        }
    }

    private var frameHasArrived: Bool {
        phase.withLock { phase in
            if case .waiting(frameArrived: true) = phase { return true }
            return false
        }
    }
}
