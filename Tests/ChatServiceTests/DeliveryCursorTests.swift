import Foundation
import Testing
@testable import ChatService

/// The per-socket delivery cursor, with no socket and no database: each room's
/// messages reach the client once and in order, whatever arrives live or is asked
/// for by `resume`.
@Suite("Delivery cursor")
struct DeliveryCursorTests {
    let room = UUID()
    let other = UUID()

    @Test("live messages: the next is sent, an old one skipped, a jump filled first")
    func live() {
        var cursor = DeliveryCursor(connectPoints: [room: 10])
        #expect(cursor.decide(room: room, seq: 11) == .send)
        cursor.sent(room: room, seq: 11)
        #expect(cursor.decide(room: room, seq: 11) == .skip)
        #expect(cursor.decide(room: room, seq: 5) == .skip)
        #expect(cursor.decide(room: room, seq: 15) == .fill(after: 11, through: 14))
        // A room the socket joined after connecting has no position: its first message goes as it comes.
        #expect(cursor.decide(room: other, seq: 1) == .send)
    }

    @Test("a room joined after connecting starts where it stood at the join: older messages (a retry published again) are history")
    func joinedLater() {
        var cursor = DeliveryCursor(connectPoints: [room: 10])
        cursor.start(room: other, at: 30)
        #expect(cursor.decide(room: other, seq: 12) == .skip)
        #expect(cursor.decide(room: other, seq: 30) == .skip)
        #expect(cursor.decide(room: other, seq: 31) == .send)
        // A missed message right after the join is filled before the next one goes.
        #expect(cursor.decide(room: other, seq: 33) == .fill(after: 30, through: 32))
        // A room the socket already has a place in keeps it (a role change says participant.added too).
        cursor.start(room: room, at: 50)
        #expect(cursor.decide(room: room, seq: 11) == .send)
        #expect(cursor.position(of: other) == 30)
    }

    @Test("a resume from behind the connect point replays up to what was sent live, without moving the cursor")
    func resumeFromBehind() {
        var cursor = DeliveryCursor(connectPoints: [room: 10])
        cursor.sent(room: room, seq: 11)
        cursor.sent(room: room, seq: 12)
        let plan = cursor.resume(room: room, from: 4)
        #expect(plan == DeliveryCursor.Resume(replay: (4, 10), fillAfter: 12))
        #expect(cursor.position(of: room) == 12)
    }

    @Test("a resume from ahead fills from the later of the client's and the socket's positions")
    func resumeFromAhead() {
        var cursor = DeliveryCursor(connectPoints: [room: 10])
        #expect(cursor.resume(room: room, from: 20) == DeliveryCursor.Resume(replay: nil, fillAfter: 20))
        #expect(cursor.position(of: room) == 20)
        #expect(cursor.decide(room: room, seq: 20) == .skip)
        #expect(cursor.resume(room: other, from: -3) == DeliveryCursor.Resume(replay: nil, fillAfter: 0))
    }

    @Test("a resume at the connect point replays nothing")
    func resumeAtConnectPoint() {
        var cursor = DeliveryCursor(connectPoints: [room: 10])
        #expect(cursor.resume(room: room, from: 10) == DeliveryCursor.Resume(replay: nil, fillAfter: 10))
    }
}
