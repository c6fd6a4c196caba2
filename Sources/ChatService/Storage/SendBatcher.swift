import Foundation
import Logging
import Shared
import ServiceLifecycle
import Synchronization

/// Gathers sends that arrive together into batches that share one
/// transaction (`MessageStore.sendBatch`). A few workers take what is waiting
/// whenever they are free: a lone send goes at once, on its own, and under
/// load each commit carries every send that queued while the previous ones
/// were committing — group commit, without a timer adding latency.
final class SendBatcher: Service, Sendable {
    typealias Outcome = (ChatMessage, created: Bool)

    private struct Pending: Sendable {
        var request: MessageStore.SendRequest
        var continuation: CheckedContinuation<Outcome, any Error>
    }

    private struct State {
        var pending: [Pending] = []
        var idleWorkers: [CheckedContinuation<Void, Never>] = []
        var stopped = false
    }

    struct Stopped: Error, CustomStringConvertible {
        var description: String { "chat-service is shutting down" }
    }

    private let store: MessageStore
    private let workers: Int
    private let maxBatch: Int
    private let logger: Logger
    private let state = Mutex(State())

    init(store: MessageStore, workers: Int, maxBatch: Int = 64, logger: Logger) {
        self.store = store
        self.workers = max(1, workers)
        self.maxBatch = max(1, maxBatch)
        self.logger = logger
    }

    /// Stores one message (or finds the one already stored under its client message id).
    func send(_ request: MessageStore.SendRequest) async throws -> Outcome {
        try await withCheckedThrowingContinuation { continuation in
            let (accepted, worker) = state.withLock { state -> (Bool, CheckedContinuation<Void, Never>?) in
                guard !state.stopped else { return (false, nil) }
                state.pending.append(Pending(request: request, continuation: continuation))
                return (true, state.idleWorkers.popLast())
            }
            if !accepted { continuation.resume(throwing: Stopped()) }
            worker?.resume()
        }
    }

    func run() async throws {
        await withDiscardingTaskGroup { group in
            for _ in 0..<workers {
                group.addTask { await self.work() }
            }
            group.addTask {
                try? await gracefulShutdown()
                self.stop()
            }
        }
    }

    private func work() async {
        while true {
            let batch = state.withLock { state -> [Pending]? in
                if state.pending.isEmpty { return state.stopped ? nil : [] }
                let batch = Array(state.pending.prefix(maxBatch))
                state.pending.removeFirst(batch.count)
                return batch
            }
            guard let batch else { return }
            if batch.isEmpty {
                await withCheckedContinuation { continuation in
                    let wake = state.withLock { state -> Bool in
                        if !state.pending.isEmpty || state.stopped { return true }
                        state.idleWorkers.append(continuation)
                        return false
                    }
                    if wake { continuation.resume() }
                }
                continue
            }
            await store(batch)
        }
    }

    private func store(_ batch: [Pending]) async {
        do {
            let outcomes = try await store.sendBatch(batch.map(\.request))
            for (pending, outcome) in zip(batch, outcomes) {
                pending.continuation.resume(with: outcome)
            }
            if batch.count > 1 { ChatMetrics.sendBatchSize.record(batch.count) }
        } catch {
            logger.warning("a batch of sends failed", metadata: ["size": "\(batch.count)", "error": "\(error)"])
            for pending in batch { pending.continuation.resume(throwing: error) }
        }
    }

    /// Stops taking sends; workers finish what is queued, then end.
    private func stop() {
        let idle = state.withLock { state -> [CheckedContinuation<Void, Never>] in
            state.stopped = true
            defer { state.idleWorkers = [] }
            return state.idleWorkers
        }
        for worker in idle { worker.resume() }
    }
}
