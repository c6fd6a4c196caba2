import Foundation
import NIOEmbedded
import NIOCore
import Synchronization
import Testing

@testable import ChatService

@Suite("a socket's expiry timer: no task per socket, moved on by auth, gone with the socket")
struct SocketExpiryTests {
    final class Count: Sendable {
        let value = Atomic<Int>(0)
        func add() { value.add(1, ordering: .relaxed) }
        var now: Int { value.load(ordering: .relaxed) }
    }

    @Test("fires once the time has passed, not before")
    func firesWhenDue() {
        let loop = EmbeddedEventLoop()
        let fired = Count()
        let expiry = SocketExpiry(Date().addingTimeInterval(0.05), loop: loop) { fired.add() }
        expiry.arm()
        loop.advanceTime(by: .milliseconds(10))
        #expect(fired.now == 0)
        // The embedded loop's time is its own: wait for the wall clock to pass the date, then let the timer run.
        while !expiry.hasPassed { Thread.sleep(forTimeInterval: 0.01) }
        #expect(throws: Never.self) { try expiry.check() }  // the writer's check is the timer's word, not a clock read
        loop.advanceTime(by: .seconds(1))
        #expect(fired.now == 1)
        #expect(throws: SocketExpiry.Passed.self) { try expiry.check() }
        // An `auth` that lands just after the timer fired still counts.
        expiry.extend(to: Date().addingTimeInterval(60))
        #expect(throws: Never.self) { try expiry.check() }
    }

    @Test("a timer that finds the time moved on (auth) arms itself for the new time instead of firing")
    func rearmsWhenExtended() {
        let loop = EmbeddedEventLoop()
        let fired = Count()
        let first = Date().addingTimeInterval(0.02)
        let expiry = SocketExpiry(first, loop: loop) { fired.add() }
        expiry.arm()
        expiry.extend(to: Date().addingTimeInterval(0.3))
        expiry.extend(to: first)  // never moved back
        while Date() <= first { Thread.sleep(forTimeInterval: 0.005) }
        loop.advanceTime(by: .seconds(1))  // the first timer runs, finds the time moved on, arms again
        #expect(fired.now == 0)
        while !expiry.hasPassed { Thread.sleep(forTimeInterval: 0.01) }
        loop.advanceTime(by: .seconds(1))
        #expect(fired.now == 1)
    }

    @Test("a stopped timer never fires and lets go of its task")
    func stopCancels() {
        let loop = EmbeddedEventLoop()
        let fired = Count()
        let expiry = SocketExpiry(Date().addingTimeInterval(-1), loop: loop) { fired.add() }
        expiry.arm()
        expiry.stop()
        loop.advanceTime(by: .seconds(10))
        #expect(fired.now == 0)
        expiry.arm()  // arming after the socket closed does nothing
        loop.advanceTime(by: .seconds(10))
        #expect(fired.now == 0)
    }
}
