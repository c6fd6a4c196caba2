import ChatProtocol
import Foundation
import NIOCore
import Testing
@testable import ChatService

@Suite("a room's early events wait for the messages before them")
struct ReorderHoldTests {
    let room = UUID()
    let start = ContinuousClock.now

    func message(_ seq: Int64) -> ReorderHold.Item {
        ReorderHold.Item(header: RoutingHeader(type: .messageCreated, roomId: room, seq: seq), frame: ByteBuffer(string: "m\(seq)"))
    }

    func other(_ type: ChatEvent.Kind, _ tag: String) -> ReorderHold.Item {
        ReorderHold.Item(header: RoutingHeader(type: type, roomId: room), frame: ByteBuffer(string: tag))
    }

    func frames(_ items: [ReorderHold.Item]) -> [String] { items.map { String(buffer: $0.frame) } }

    @Test("in order, or with nothing routed yet, an event passes at once")
    func passes() {
        var hold = ReorderHold()
        #expect(frames(hold.arrive(message(1), room: room, routed: nil, now: start).route) == ["m1"])
        #expect(frames(hold.arrive(message(2), room: room, routed: 1, now: start).route) == ["m2"])
        #expect(frames(hold.arrive(other(.typing, "t"), room: room, routed: 2, now: start).route) == ["t"])
        // An old message (already filled from PostgreSQL) passes too: each socket's cursor drops it.
        #expect(frames(hold.arrive(message(2), room: room, routed: 2, now: start).route) == ["m2"])
        #expect(hold.heldRooms == 0)
    }

    @Test("a message past a gap waits, with what follows it, until the gap is filled; then all go in seq order")
    func waitsForTheGap() {
        var hold = ReorderHold()
        let first = hold.arrive(message(12), room: room, routed: 10, now: start)
        #expect(first.route.isEmpty && first.startedWaiting)
        let reaction = hold.arrive(other(.reactionAdded, "r12"), room: room, routed: 10, now: start)
        #expect(reaction.route.isEmpty && !reaction.startedWaiting)
        #expect(hold.arrive(message(14), room: room, routed: 10, now: start).route.isEmpty)
        // 11 closes the first gap but 13 is still missing.
        #expect(hold.arrive(message(11), room: room, routed: 10, now: start).route.isEmpty)
        #expect(frames(hold.arrive(message(13), room: room, routed: 10, now: start).route) == ["m11", "m12", "m13", "m14", "r12"])
        #expect(hold.heldRooms == 0)
    }

    @Test("a wait that runs out gives up what it held, in order; other rooms are not held up")
    func expires() {
        var hold = ReorderHold()
        let otherRoom = UUID()
        _ = hold.arrive(message(5), room: room, routed: 3, now: start)
        _ = hold.arrive(message(7), room: room, routed: 3, now: start)
        let later = start + .milliseconds(5)
        let elsewhere = ReorderHold.Item(
            header: RoutingHeader(type: .messageCreated, roomId: otherRoom, seq: 9), frame: ByteBuffer(string: "o9"))
        #expect(hold.arrive(elsewhere, room: otherRoom, routed: 7, now: later).startedWaiting)
        // An old message of a waiting room waits with the rest.
        let old = ReorderHold.Item(
            header: RoutingHeader(type: .messageCreated, roomId: otherRoom, seq: 6), frame: ByteBuffer(string: "o6"))
        #expect(frames(hold.arrive(old, room: otherRoom, routed: 7, now: later).route).isEmpty)
        let due = hold.expire(waitingSince: start)
        #expect(due.count == 1 && due.first?.room == room)
        #expect(frames(due.first?.route ?? []) == ["m5", "m7"])
        #expect(hold.heldRooms == 1)
        let rest = hold.expire(waitingSince: later)
        #expect(frames(rest.first?.route ?? []) == ["o6", "o9"])
        #expect(hold.heldRooms == 0)
    }
}
