import Foundation
import Histogram
import HummingbirdWSClient
import Logging
import NIOCore
import Synchronization

/// One WebSocket client of the chat: it records, per room, the seqs of this
/// run's messages in the order they arrived and how long each took from its
/// send, so the run can be checked for loss, duplicates and order.
final class Listener: Sendable {
    struct Record {
        var ready = false
        var closed = false
        var seqs: [String: [Int64]] = [:]
        var latency = Histogram<UInt64>(highestTrackableValue: 600_000_000, numberOfSignificantValueDigits: .three)
    }

    let url: String
    let run: String
    let measure: Bool
    private let state = Mutex(Record())

    init(chatURL: String, token: String, run: String, measure: Bool = true) {
        self.url = chatURL.replacingOccurrences(of: "http://", with: "ws://") + "/api/ws?access_token=" + token
        self.run = run
        self.measure = measure
    }

    var isReady: Bool { state.withLock { $0.ready } }
    var isClosed: Bool { state.withLock { $0.closed } }
    var record: Record { state.withLock { $0 } }

    /// Connects and listens until the task is cancelled or the server closes.
    func listen(logger: Logger) async {
        let client = WebSocketClient(url: url, configuration: .init(maxFrameSize: 1 << 20), logger: logger) { inbound, _, _ in
            for try await frame in inbound {
                self.handle(frame.data)
            }
        }
        _ = try? await client.run()
        state.withLock { $0.closed = true }
    }

    private func handle(_ data: ByteBuffer) {
        let received = Clock.now()
        guard let delivery = FrameScan.delivery(data, run: run) else {
            if !isReady, FrameScan.isReady(data) { state.withLock { $0.ready = true } }
            return
        }
        guard measure, let sentAt = delivery.sentAt else { return }
        state.withLock { record in
            record.seqs[delivery.roomId, default: []].append(delivery.seq)
            _ = record.latency.record(received > sentAt ? (received - sentAt) / 1000 : 0)
        }
    }
}
