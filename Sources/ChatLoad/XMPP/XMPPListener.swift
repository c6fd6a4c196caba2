import Histogram
import Synchronization

/// One occupant of the room that only listens: it records, per sender, the
/// numbers of this run's messages in the order they arrived, the room's whole
/// order (to compare between listeners), and each message's delay from its
/// send (the send time is in the body, as `<run>-<nanos>-<sender>-<n>`).
final class XMPPListener: Sendable {
    struct Record {
        var ready = false
        var failure: String?
        /// Per sender (`s<index>`), the message numbers in arrival order.
        var seqs: [String: [Int64]] = [:]
        /// Every delivery as `sender << 40 | n`, in arrival order.
        var order: [Int64] = []
        var latency = Histogram<UInt64>(highestTrackableValue: 600_000_000, numberOfSignificantValueDigits: .three)
    }

    let account: XMPPAccount
    let room: String
    let run: String
    private let state = Mutex(Record())

    init(account: XMPPAccount, room: String, run: String) {
        self.account = account
        self.room = room
        self.run = run
    }

    var record: Record { state.withLock { $0 } }
    var isReady: Bool { state.withLock { $0.ready } }
    var failure: String? { state.withLock { $0.failure } }

    /// Logs in, joins and listens until the task is cancelled or the server closes.
    func listen() async {
        do {
            try await XMPPSession.withConnection(host: account.host, port: account.port) { session in
                try await session.login(account)
                try await session.join(room: room, nick: account.user)
                state.withLock { $0.ready = true }
                listening: while let event = try await session.next() {
                    switch event {
                    case .element(let element) where element.localName == "message": handle(element)
                    case .element, .opened: continue
                    case .closed: break listening
                    }
                }
            }
        } catch {
            if !Task.isCancelled { state.withLock { $0.failure = "\(account.user): \(error)" } }
        }
    }

    private func handle(_ message: XMLElement) {
        let received = Clock.now()
        guard message.attribute("type") == "groupchat", let body = message.child("body")?.text,
            let mark = XMPPBody(body), mark.run == run
        else { return }
        let micros = received > mark.sentAt ? (received - mark.sentAt) / 1000 : 0
        state.withLock { record in
            record.seqs["s\(mark.sender)", default: []].append(mark.number)
            record.order.append(Int64(mark.sender) << 40 | mark.number)
            _ = record.latency.record(micros)
        }
    }
}

/// The body of a load message: the run, the send time (monotonic nanoseconds
/// of this process), the sender's index and the sender's message number.
struct XMPPBody: Equatable {
    var run: String
    var sentAt: UInt64
    var sender: Int
    var number: Int64

    init(run: String, sentAt: UInt64, sender: Int, number: Int64) {
        self.run = run
        self.sentAt = sentAt
        self.sender = sender
        self.number = number
    }

    init?(_ text: String) {
        let parts = text.split(separator: "-")
        guard parts.count == 4, let sentAt = UInt64(parts[1]), let sender = Int(parts[2]), let number = Int64(parts[3]) else {
            return nil
        }
        self.init(run: String(parts[0]), sentAt: sentAt, sender: sender, number: number)
    }

    var text: String { "\(run)-\(sentAt)-\(sender)-\(number)" }
}
