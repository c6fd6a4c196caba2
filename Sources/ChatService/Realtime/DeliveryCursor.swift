import Foundation

/// Where one socket stands in each room: the seq of the last message it was sent.
/// It decides, with no I/O, what the socket's writer does with each live message and
/// each `resume`, so that per room the client sees every message once and in seq
/// order. The writer does the reading and writing, and tells the cursor what it sent.
struct DeliveryCursor: Equatable, Sendable {
    /// What to do with a live `message.created` of seq `seq`.
    enum Live: Equatable, Sendable {
        /// Already sent (a replay or a duplicate notification).
        case skip
        /// Next in line: send it.
        case send
        /// Messages after `after` up to `through` were missed: fill them from storage first, then send it.
        case fill(after: Int64, through: Int64)
    }

    /// What a `resume` from some seq takes.
    struct Resume: Equatable, Sendable {
        /// Stored messages after `after` up to `through` to send without moving the cursor:
        /// the client is behind the point this socket connected at, and live messages
        /// from that point on were sent already.
        var replay: (after: Int64, through: Int64)?
        /// Then every stored message after this seq, to the newest; the cursor follows.
        var fillAfter: Int64

        static func == (lhs: Resume, rhs: Resume) -> Bool {
            lhs.fillAfter == rhs.fillAfter && lhs.replay?.after == rhs.replay?.after && lhs.replay?.through == rhs.replay?.through
        }
    }

    /// Where each room stood when the socket connected: it gets every message after that.
    let connectPoints: [UUID: Int64]
    private(set) var sent: [UUID: Int64]

    init(connectPoints: [UUID: Int64]) {
        self.connectPoints = connectPoints
        self.sent = connectPoints
    }

    func decide(room: UUID, seq: Int64) -> Live {
        guard let last = sent[room] else { return .send }
        if seq <= last { return .skip }
        if seq > last + 1 { return .fill(after: last, through: seq - 1) }
        return .send
    }

    /// A room joined after the socket connected starts where it stood at the join
    /// (`participant.added` carries that seq): what came before is history, read over
    /// HTTP; every message after it reaches the socket, live or by gap fill. A room the
    /// socket already has a place in keeps it.
    mutating func start(room: UUID, at seq: Int64) {
        if sent[room] == nil { sent[room] = seq }
    }

    /// The writer sent message `seq` of `room` (live or from storage, in order).
    mutating func sent(room: UUID, seq: Int64) {
        sent[room] = seq
    }

    /// Plans a `resume` of `room` from `requested` (a client's last seq; below 0 counts as 0).
    mutating func resume(room: UUID, from requested: Int64) -> Resume {
        let from = max(requested, 0)
        if let connectedAt = connectPoints[room], let sentLive = sent[room], from < connectedAt {
            return Resume(replay: (from, min(connectedAt, sentLive)), fillAfter: sentLive)
        }
        let start = max(from, sent[room] ?? from)
        sent[room] = start
        return Resume(replay: nil, fillAfter: start)
    }

    /// Where `room` stands now (what `resumed` reports).
    func position(of room: UUID) -> Int64? { sent[room] }
}
