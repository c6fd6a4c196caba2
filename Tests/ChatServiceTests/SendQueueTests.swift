import Foundation
import Testing
@testable import ChatService

/// Group commit's queue rules, with no database and no threads.
@Suite("Send queue")
struct SendQueueTests {
    let a = UUID()
    let b = UUID()

    @Test("a room's sends go in arrival order, in batches, with one commit in flight at a time")
    func oneCommitPerRoom() throws {
        var queue = SendQueue<Int>()
        let step1 = queue.enqueue(1, room: a)
        #expect(step1 == .queued(roomBecameReady: true))
        let step2 = queue.enqueue(2, room: a)
        #expect(step2 == .queued(roomBecameReady: false), "already ready: no second wake-up")
        let firstBatch = queue.nextBatch(limit: 10)
        let first = try #require(firstBatch)
        #expect(first.room == a && first.items == [1, 2])
        // While its commit is in flight, the room gathers but is not handed out again.
        let step3 = queue.enqueue(3, room: a)
        #expect(step3 == .queued(roomBecameReady: false))
        let step4 = queue.enqueue(4, room: a)
        #expect(step4 == .queued(roomBecameReady: false))
        let step5 = queue.nextBatch(limit: 10)
        #expect(step5 == nil)
        let step6 = queue.finish(a)
        #expect(step6, "more arrived meanwhile: ready again")
        let secondBatch = queue.nextBatch(limit: 1)
        let second = try #require(secondBatch)
        #expect(second.items == [3], "a batch takes at most the limit, oldest first")
        let step7 = queue.finish(a)
        #expect(step7)
        let step8 = queue.nextBatch(limit: 10)
        #expect(step8?.items == [4])
        let step9 = queue.finish(a)
        #expect(!step9, "nothing left: not ready")
    }

    @Test("rooms are handed out in the order they became ready, and commit side by side")
    func roomsInParallel() throws {
        var queue = SendQueue<String>()
        _ = queue.enqueue("b1", room: b)
        _ = queue.enqueue("a1", room: a)
        let firstBatch = queue.nextBatch(limit: 10)
        let first = try #require(firstBatch)
        let secondBatch = queue.nextBatch(limit: 10)
        let second = try #require(secondBatch)
        #expect(first.room == b && second.room == a)
        #expect(queue.inFlight == [a, b])
    }

    @Test("once stopped, new sends are refused, queued ones still go, and the queue drains")
    func stopping() throws {
        var queue = SendQueue<Int>()
        _ = queue.enqueue(1, room: a)
        queue.stop()
        let step10 = queue.enqueue(2, room: a)
        #expect(step10 == .refused)
        #expect(!queue.isDrained)
        let batchBatch = queue.nextBatch(limit: 10)
        let batch = try #require(batchBatch)
        #expect(batch.items == [1])
        #expect(!queue.isDrained, "a commit is still in flight")
        _ = queue.finish(a)
        #expect(queue.isDrained)
    }
}
