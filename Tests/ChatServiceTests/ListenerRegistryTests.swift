import Foundation
import Testing
@testable import ChatService

/// Who listens to what on a replica, with no Redis: which changes start or end the
/// need for a room's or a person's channel, the per-person limit, and the routed position.
@Suite("Listener registry")
struct ListenerRegistryTests {
    let ann = UUID(), bob = UUID()
    let one = UUID(), two = UUID(), three = UUID()
    let roomA = UUID(), roomB = UUID()

    @Test("the first listener of a room and the first connection of a person need channels; later ones do not")
    func registering() throws {
        var registry = ListenerRegistry()
        let registeredFirst = registry.register(one, of: ann, rooms: [roomA, roomB])
        let first = try #require(registeredFirst)
        #expect(first == ListenerRegistry.Registered(firstOfPerson: true, newRooms: [roomA, roomB]))
        let registeredSecond = registry.register(two, of: ann, rooms: [roomA])
        let second = try #require(registeredSecond)
        #expect(second == ListenerRegistry.Registered(firstOfPerson: false, newRooms: []))
        let registeredOther = registry.register(three, of: bob, rooms: [roomB])
        let other = try #require(registeredOther)
        #expect(other == ListenerRegistry.Registered(firstOfPerson: true, newRooms: []))
        #expect(registry.listeners(of: roomA) == [one, two] && registry.connections(of: ann) == [one, two])
    }

    @Test("a person over the limit is refused and nothing changes")
    func limit() {
        var registry = ListenerRegistry()
        _ = registry.register(one, of: ann, rooms: [roomA], limit: 1)
        let before = registry
        let refused = registry.register(two, of: ann, rooms: [roomB], limit: 1)
        #expect(refused == nil)
        #expect(registry == before)
    }

    @Test("the last listener leaving a room ends its channel and forgets how far it was routed")
    func unregistering() {
        var registry = ListenerRegistry()
        _ = registry.register(one, of: ann, rooms: [roomA, roomB])
        _ = registry.register(two, of: bob, rooms: [roomA])
        registry.routedMessage(42, in: roomA)
        registry.routedMessage(7, in: UUID())  // a room nobody here hears is not tracked
        #expect(registry.routed == [roomA: 42])
        let gone = registry.unregister(one, of: ann, rooms: [roomA, roomB])
        #expect(gone == ListenerRegistry.Unregistered(lastOfPerson: true, emptiedRooms: [roomB]))
        #expect(registry.routed[roomA] == 42)
        let last = registry.unregister(two, of: bob, rooms: [roomA])
        #expect(last.emptiedRooms == [roomA] && registry.routed.isEmpty && registry.rooms.isEmpty)
    }

    @Test("joining and leaving a room while connected")
    func listening() {
        var registry = ListenerRegistry()
        _ = registry.register(one, of: ann, rooms: [])
        let firstListener = registry.listen(one, to: roomA)
        let again = registry.listen(one, to: roomA)
        let emptied = registry.stopListening(one, to: roomA)
        let emptiedAgain = registry.stopListening(one, to: roomA)
        #expect(firstListener && !again && emptied && !emptiedAgain)
    }
}
