import Foundation
import Histogram

/// What the senders of one scenario did: acknowledged seqs per room and how
/// long each acknowledgement took (from the send, or in open loop from the
/// time the send was scheduled).
struct SendOutcome {
    var acked: [String: [Int64]] = [:]
    var failures = 0
    var firstFailure: String?
    var ackLatency = Histogram<UInt64>(highestTrackableValue: 600_000_000, numberOfSignificantValueDigits: .three)
    /// Open loop: how late sends left against their schedule (µs); a large lag means the generator could not keep up.
    var startLag = Histogram<UInt64>(highestTrackableValue: 600_000_000, numberOfSignificantValueDigits: .three)
    var seconds = 0.0

    mutating func merge(_ other: SendOutcome) {
        for (room, seqs) in other.acked { acked[room, default: []] += seqs }
        failures += other.failures
        firstFailure = firstFailure ?? other.firstFailure
        ackLatency.add(other.ackLatency)
        startLag.add(other.startLag)
    }

    var count: Int { acked.values.reduce(0) { $0 + $1.count } }
}

/// One sending identity: who sends, to which room, through which URL.
struct Sender: Sendable {
    var token: String
    var room: String
    var chatURL: String
}

enum Load {
    /// S senders, each waiting for its acknowledgement before the next send. When
    /// `retrying` (as a client does), a send that failed is sent again with the
    /// same client id until it is acknowledged: each failed attempt counts as a
    /// failure, and the acknowledgement's latency counts from the first attempt.
    static func closedLoop(_ api: Api, senders: [Sender], run: String, seconds: Double, retrying: Bool = false) async -> SendOutcome {
        let start = Clock.now()
        let end = start + UInt64(seconds * 1e9)
        var total = await withTaskGroup(of: SendOutcome.self) { group in
            for (index, sender) in senders.enumerated() {
                group.addTask {
                    var outcome = SendOutcome()
                    var n = 0
                    while Clock.now() < end {
                        let sentAt = Clock.now()
                        n += 1
                        // A retry gives up a minute past the end: a send still failing then is lost to its sender.
                        while true {
                            do {
                                let seq = try await api.send(
                                    at: sender.chatURL, room: sender.room, token: sender.token,
                                    content: "load \(index)-\(n)", clientId: "\(run)-\(sentAt)-s\(index)n\(n)")
                                outcome.acked[sender.room, default: []].append(seq)
                                _ = outcome.ackLatency.record((Clock.now() - sentAt) / 1000)
                                break
                            } catch {
                                outcome.failures += 1
                                outcome.firstFailure = outcome.firstFailure ?? "\(error)"
                                guard retrying, Clock.now() < end + 60_000_000_000 else { break }
                                try? await Task.sleep(for: .milliseconds(100))
                            }
                        }
                    }
                    return outcome
                }
            }
            var merged = SendOutcome()
            for await outcome in group { merged.merge(outcome) }
            return merged
        }
        total.seconds = Double(Clock.now() - start) / 1e9
        return total
    }

    /// A fixed offered rate, spread over the senders round robin; latency counts
    /// from each send's scheduled time, so a queue anywhere shows up in it.
    static func openLoop(_ api: Api, senders: [Sender], run: String, rate: Double, seconds: Double) async -> SendOutcome {
        struct One: Sendable {
            var room: String
            var seq: Int64?
            var ackMicros: UInt64
            var lagMicros: UInt64
            var failure: String?
        }
        let total = Int(rate * seconds)
        let interval = 1e9 / rate
        let start = Clock.now() + 20_000_000
        var outcome = await withTaskGroup(of: One.self) { group in
            var merged = SendOutcome()
            func take(_ one: One) {
                _ = merged.startLag.record(one.lagMicros)
                if let seq = one.seq {
                    merged.acked[one.room, default: []].append(seq)
                    _ = merged.ackLatency.record(one.ackMicros)
                } else {
                    merged.failures += 1
                    merged.firstFailure = merged.firstFailure ?? one.failure
                }
            }
            for index in 0..<total {
                let scheduled = start + UInt64(Double(index) * interval)
                await Clock.sleep(until: scheduled)
                let lag = (Clock.now() - min(Clock.now(), scheduled)) / 1000
                let sender = senders[index % senders.count]
                group.addTask {
                    do {
                        let seq = try await api.send(
                            at: sender.chatURL, room: sender.room, token: sender.token,
                            content: "open \(index)", clientId: "\(run)-\(scheduled)-o\(index)")
                        return One(room: sender.room, seq: seq, ackMicros: (Clock.now() - scheduled) / 1000, lagMicros: lag)
                    } catch {
                        return One(room: sender.room, seq: nil, ackMicros: 0, lagMicros: lag, failure: "\(error)")
                    }
                }
            }
            for await one in group { take(one) }
            return merged
        }
        outcome.seconds = Double(Clock.now() - start) / 1e9
        return outcome
    }

    /// Waits until every listener has the newest acknowledged seq of each room it hears (or the time is up).
    static func drain(_ listeners: [(Listener, [String])], acked: [String: [Int64]], timeout: Double) async {
        let deadline = Clock.now() + UInt64(timeout * 1e9)
        let newest = acked.mapValues { $0.max() ?? 0 }
        while Clock.now() < deadline {
            let done = listeners.allSatisfy { listener, rooms in
                let record = listener.record
                return rooms.allSatisfy { room in (record.seqs[room]?.max() ?? 0) >= (newest[room] ?? 0) }
            }
            if done { return }
            try? await Task.sleep(for: .milliseconds(50))
        }
    }
}
