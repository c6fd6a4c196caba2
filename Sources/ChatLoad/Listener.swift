import Foundation
import Histogram
import HummingbirdWSClient
import Logging
import NIOCore
import Synchronization

/// One WebSocket client of the chat: it records, per room, the seqs of this
/// run's messages in the order they arrived and how long each took from its
/// send, so the run can be checked for loss, duplicates and order. One that
/// `reconnects` behaves as the page does when its connection is lost: it
/// connects again and resumes each room from the last seq it has.
final class Listener: Sendable {
    struct Record {
        var ready = false
        var closed = false
        var seqs: [String: [Int64]] = [:]
        var latency = Histogram<UInt64>(highestTrackableValue: 600_000_000, numberOfSignificantValueDigits: .three)
        /// (sent at, latency µs) of every delivery, kept by listeners that reconnect (the fault
        /// scenario's), to measure the deliveries of the messages sent during the fault.
        var samples: [(sentAt: UInt64, micros: UInt64)] = []
        var reconnects = 0
    }

    let url: String
    let run: String
    let measure: Bool
    let reconnects: Bool
    private let state = Mutex(Record())

    init(chatURL: String, token: String, run: String, measure: Bool = true, reconnects: Bool = false) {
        self.url = chatURL.replacingOccurrences(of: "http://", with: "ws://") + "/api/ws?access_token=" + token
        self.run = run
        self.measure = measure
        self.reconnects = reconnects
    }

    var isReady: Bool { state.withLock { $0.ready } }
    var isClosed: Bool { state.withLock { $0.closed } }
    var record: Record { state.withLock { $0 } }

    /// Connects and listens until the task is cancelled or the server closes
    /// (and, when it `reconnects`, connects again and resumes until cancelled).
    func listen(logger: Logger) async {
        repeat {
            let resume = resumeCommand()
            let client = WebSocketClient(url: url, configuration: .init(maxFrameSize: 1 << 20), logger: logger) { inbound, outbound, _ in
                if let resume { try await outbound.write(.text(resume)) }
                for try await frame in inbound {
                    self.handle(frame.data)
                }
            }
            _ = try? await client.run()
            guard reconnects, !Task.isCancelled else { break }
            state.withLock { $0.reconnects += 1 }
            try? await Task.sleep(for: .milliseconds(100))
        } while !Task.isCancelled
        state.withLock { $0.closed = true }
    }

    /// `resume` from the newest seq heard in each room, once anything was heard.
    private func resumeCommand() -> String? {
        let newest = state.withLock { $0.seqs.compactMapValues { $0.max() } }
        guard !newest.isEmpty else { return nil }
        let rooms = newest.map { #""\#($0.key)":\#($0.value)"# }.joined(separator: ",")
        return #"{"type":"resume","rooms":{\#(rooms)}}"#
    }

    private func handle(_ data: ByteBuffer) {
        let received = Clock.now()
        guard let delivery = FrameScan.delivery(data, run: run) else {
            if !isReady, FrameScan.isReady(data) { state.withLock { $0.ready = true } }
            return
        }
        guard measure, let sentAt = delivery.sentAt else { return }
        let micros = received > sentAt ? (received - sentAt) / 1000 : 0
        state.withLock { record in
            record.seqs[delivery.roomId, default: []].append(delivery.seq)
            _ = record.latency.record(micros)
            if reconnects { record.samples.append((sentAt, micros)) }
        }
    }
}
