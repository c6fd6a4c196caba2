import Foundation
import Testing
@testable import ChatService

@Suite("a reconnecting client's opening resume goes before live messages")
struct OpeningResumeTests {
    let room = UUID()

    @Test("a resume that is the first command is taken by the writer before anything queued")
    func openingResume() async {
        let opening = OpeningResume()
        opening.readerListening()
        opening.frameArrived()
        #expect(opening.offer([room: 41]))
        // Offered before the writer starts: no grace is waited out (an hour would fail the test by timeout).
        #expect(await opening.start(grace: .seconds(3600)) == [room: 41])
    }

    @Test("a frame that arrived is waited for past the grace, however long its handling takes")
    func slowHandling() async {
        let opening = OpeningResume()
        opening.readerListening()
        opening.frameArrived()
        async let taken = opening.start(grace: .milliseconds(1))
        try? await Task.sleep(for: .milliseconds(50))  // the grace is long over; the resume is still being read
        #expect(opening.offer([room: 9]))
        #expect(await taken == [room: 9])
    }

    @Test("another first command ends the wait; a later resume takes its turn in the queue")
    func otherCommandFirst() async {
        let opening = OpeningResume()
        opening.readerListening()
        opening.frameArrived()
        opening.commandHandled()
        #expect(await opening.start(grace: .seconds(3600)) == nil)
        #expect(!opening.offer([room: 7]))
    }

    @Test("a client that says nothing gets live messages after the grace; its resume then goes through the queue")
    func silentClient() async {
        let opening = OpeningResume()
        opening.readerListening()
        #expect(await opening.start(grace: .milliseconds(10)) == nil)
        #expect(!opening.offer([room: 3]))
    }
}
