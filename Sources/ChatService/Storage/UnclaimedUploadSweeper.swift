import Logging
import ObjectStorage
import ServiceLifecycle

/// Removes uploads that no message took within `age` (a day by default): the
/// row, then the bytes. Every replica sweeps; a row is deleted by one of them.
struct UnclaimedUploadSweeper: Service {
    let attachments: AttachmentStore
    let store: any ObjectStore
    let age: Duration
    let interval: Duration
    let logger: Logger

    func run() async throws {
        while !Task.isCancelled && !Task.isShuttingDownGracefully {
            await sweep()
            // A shutdown ends the wait at once.
            do { try await cancelWhenGracefulShutdown { try await Task.sleep(for: interval) } } catch { return }
        }
    }

    /// One pass; returns how many uploads it removed.
    @discardableResult
    func sweep() async -> Int {
        var removed = 0
        do {
            while true {
                let keys = try await attachments.removeUnclaimed(olderThan: age)
                for key in keys {
                    do { try await store.delete(key: key) } catch {
                        logger.warning("could not remove an unclaimed upload's bytes", metadata: ["key": "\(key)", "error": "\(error)"])
                    }
                }
                removed += keys.count
                if keys.count < 500 { break }
            }
        } catch {
            logger.warning("could not sweep unclaimed uploads", metadata: ["error": "\(error)"])
        }
        if removed > 0 { logger.info("removed unclaimed uploads", metadata: ["count": "\(removed)"]) }
        return removed
    }
}
