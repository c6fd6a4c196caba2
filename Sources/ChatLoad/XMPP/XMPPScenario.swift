import Foundation
import Histogram

/// Scenario (a)'s shape against an XMPP server: one multi-user chat room, 20
/// occupants that only listen and 8 that send in a closed loop, each waiting
/// for the room's echo of its own message (the room sends every message to
/// every occupant, the sender included) before the next. With `rate`, the
/// shape of (b) instead: the same room offered `rate` messages a second in an
/// open loop, round robin over the senders, each send on its schedule whether
/// or not earlier echoes came back, latency counted from the scheduled time.
/// Accounts `s0…s7` and `l0…l19` exist beforehand (./microchat registers them).
struct XMPPScenario: Sendable {
    static let senders = 8
    static let listeners = 20

    let target: XMPPTarget
    let seconds: Double
    let run: String
    /// Open loop at this many messages a second (nil: closed loop).
    var rate: Double? = nil

    func measure() async throws -> ScenarioResult {
        let room = "load\(run)\(rate.map { "o\(Int($0))" } ?? "")@\(target.mucService)"
        let listeners = (0..<Self.listeners).map { XMPPListener(account: target.account("l\($0)"), room: room, run: run) }
        let gate = StartGate()
        return try await withThrowingTaskGroup(of: SendOutcome?.self) { group in
            // The first listener creates the room; the others join it once it exists.
            group.addTask {
                await listeners[0].listen()
                return nil
            }
            try await waitReady(listeners.prefix(1))
            for listener in listeners.dropFirst() {
                group.addTask {
                    await listener.listen()
                    return nil
                }
            }
            try await waitReady(listeners[...])
            for index in 0..<Self.senders {
                group.addTask {
                    if let rate {
                        try await sendOnSchedule(as: index, room: room, gate: gate, rate: rate)
                    } else {
                        try await send(as: index, room: room, gate: gate)
                    }
                }
            }
            let deadline = Clock.now() + 60_000_000_000
            while gate.arrived < Self.senders {
                guard Clock.now() < deadline else { throw XMPPError(description: "the senders did not join within 60 s") }
                try await Task.sleep(for: .milliseconds(5))
            }
            let before = target.cpuNow()
            let start = Clock.now()
            gate.open(until: start + UInt64(seconds * 1e9))
            // A sender waits for its echo without a timeout of its own: past this, the run fails instead of hanging.
            group.addTask {
                do { try await Task.sleep(for: .seconds(seconds + 30)) } catch { return nil }
                throw XMPPError(description: "a sender waited more than 30 s past the end for the room's echo of its message")
            }
            var outcome = SendOutcome()
            var finished = 0
            while finished < Self.senders, let result = try await group.next() {
                guard let result else { continue }
                outcome.merge(result)
                finished += 1
            }
            outcome.seconds = Double(Clock.now() - start) / 1e9
            await drain(listeners, acked: outcome.acked, timeout: 20)
            var used: [String: Double] = [:]
            for (name, seconds) in target.cpuNow() { used[name] = seconds - (before[name] ?? 0) }
            group.cancelAll()
            return report(outcome: outcome, listeners: listeners, cpu: used)
        }
    }

    private func waitReady(_ listeners: ArraySlice<XMPPListener>) async throws {
        let deadline = Clock.now() + 60_000_000_000
        while !listeners.allSatisfy(\.isReady) {
            if let failure = listeners.lazy.compactMap(\.failure).first {
                throw XMPPError(description: "a listener failed: \(failure)")
            }
            guard Clock.now() < deadline else { throw XMPPError(description: "the listeners did not join within 60 s") }
            try await Task.sleep(for: .milliseconds(10))
        }
    }

    /// One sender: logs in, joins, waits for the start, then sends until the
    /// end, each message only after the room echoed the previous one.
    private func send(as index: Int, room: String, gate: StartGate) async throws -> SendOutcome {
        let nick = "s\(index)"
        let occupant = "\(room)/\(nick)"
        return try await XMPPSession.withConnection(host: target.host, port: target.port) { session in
            try await session.login(target.account(nick))
            try await session.join(room: room, nick: nick)
            gate.arrive()
            let end = try await gate.wait()
            var outcome = SendOutcome()
            var number: Int64 = 0
            while Clock.now() < end {
                number += 1
                let sentAt = Clock.now()
                let body = XMPPBody(run: run, sentAt: sentAt, sender: index, number: number).text
                let id = "m\(number)"
                try await session.send("<message to='\(room)' type='groupchat' id='\(id)'><body>\(body)</body></message>")
                echo: while true {
                    let element = try await session.nextElement()
                    guard element.localName == "message", element.attribute("id") == id else { continue }
                    if element.attribute("type") == "error" {
                        outcome.failures += 1
                        outcome.firstFailure = outcome.firstFailure ?? XMPPSession.describe(element)
                        break echo
                    }
                    guard element.attribute("from") == occupant, element.child("body")?.text == body else { continue }
                    outcome.acked[nick, default: []].append(number)
                    _ = outcome.ackLatency.record((Clock.now() - sentAt) / 1000)
                    break echo
                }
            }
            await session.close()
            return outcome
        }
    }

    /// One open-loop sender: its messages leave at `start + (k × senders + index) / rate`
    /// from a task of their own while this one reads the echoes; the body carries the
    /// scheduled time, so a queue anywhere (the server's or this sender's) shows in the latency.
    private func sendOnSchedule(as index: Int, room: String, gate: StartGate, rate: Double) async throws -> SendOutcome {
        let nick = "s\(index)"
        let occupant = "\(room)/\(nick)"
        let interval = 1e9 / rate
        // Messages whose turn comes before the end: the same count the closed form would give.
        let count = max(0, Int(((seconds * rate - Double(index)) / Double(Self.senders)).rounded(.up)))
        return try await XMPPSession.withConnection(host: target.host, port: target.port) { session in
            try await session.login(target.account(nick))
            try await session.join(room: room, nick: nick)
            gate.arrive()
            let start = try await gate.wait() - UInt64(seconds * 1e9)
            let writer = session.writer
            let run = self.run
            return try await withThrowingTaskGroup(of: SendOutcome.self) { group in
                group.addTask {
                    var lag = SendOutcome()
                    for k in 0..<count {
                        let scheduled = start + UInt64((Double(k * Self.senders + index)) * interval)
                        await Clock.sleep(until: scheduled)
                        _ = lag.startLag.record((Clock.now() - min(Clock.now(), scheduled)) / 1000)
                        let body = XMPPBody(run: run, sentAt: scheduled, sender: index, number: Int64(k + 1)).text
                        try await writer.send("<message to='\(room)' type='groupchat' id='m\(k + 1)'><body>\(body)</body></message>")
                    }
                    return lag
                }
                var outcome = SendOutcome()
                var answered = 0
                while answered < count {
                    let element = try await session.nextElement()
                    guard element.localName == "message", let id = element.attribute("id"), id.hasPrefix("m") else { continue }
                    if element.attribute("type") == "error" {
                        answered += 1
                        outcome.failures += 1
                        outcome.firstFailure = outcome.firstFailure ?? XMPPSession.describe(element)
                        continue
                    }
                    guard element.attribute("from") == occupant, let text = element.child("body")?.text,
                        let mark = XMPPBody(text), mark.run == run, mark.sender == index
                    else { continue }
                    answered += 1
                    outcome.acked[nick, default: []].append(mark.number)
                    _ = outcome.ackLatency.record((Clock.now() - min(Clock.now(), mark.sentAt)) / 1000)
                }
                for try await lag in group { outcome.merge(lag) }
                await session.close()
                return outcome
            }
        }
    }

    /// Waits until every listener has each sender's newest acknowledged message (or the time is up).
    private func drain(_ listeners: [XMPPListener], acked: [String: [Int64]], timeout: Double) async {
        let deadline = Clock.now() + UInt64(timeout * 1e9)
        let newest = acked.mapValues { $0.max() ?? 0 }
        while Clock.now() < deadline {
            let done = listeners.allSatisfy { listener in
                let seqs = listener.record.seqs
                return newest.allSatisfy { sender, number in (seqs[sender]?.last ?? 0) >= number }
            }
            if done { return }
            try? await Task.sleep(for: .milliseconds(50))
        }
    }

    private func report(outcome: SendOutcome, listeners: [XMPPListener], cpu: [String: Double]) -> ScenarioResult {
        let records = listeners.map(\.record)
        let streams = Array(outcome.acked.keys)
        var verification = Verification.of(records: records.map { ($0.seqs, $0.latency, streams) }, acked: outcome.acked)
        // Every listener must also have seen the room's one order (the first listener's).
        let reference = records.first?.order ?? []
        let disagreeing = records.dropFirst().filter { $0.order != reference }.count
        verification.outOfOrder += disagreeing
        var result = ScenarioResult(
            key: target.label + (rate == nil ? "" : "-open"),
            title: target.title + (rate.map { " (offered \(Int($0)) msg/s)" } ?? ""),
            ackedPerSecond: Double(outcome.count) / max(outcome.seconds, 0.001),
            acked: outcome.count, failures: outcome.failures, deliveries: verification.deliveries, missing: verification.missing,
            duplicated: verification.duplicated, outOfOrder: verification.outOfOrder, notStored: 0,
            ackMs: Report.milliseconds(outcome.ackLatency), deliverMs: Report.milliseconds(verification.latency),
            deliverCurve: Report.curve(verification.latency), cpuSeconds: cpu, seconds: outcome.seconds)
        result.cpuPerThousand = Report.cpuPerThousand(cpu, acked: outcome.count)
        let generator = cpu["load-generator"] ?? 0
        let busiest = cpu.filter { $0.key != "load-generator" }.values.max() ?? 0
        if rate != nil, outcome.startLag.totalCount > 0, outcome.startLag.valueAtPercentile(99) > 10_000 {
            result.limit = "the load generator fell behind its schedule (start lag p99 \(outcome.startLag.valueAtPercentile(99) / 1000) ms)"
        } else if generator > busiest && generator / max(outcome.seconds, 0.001) > 0.9 {
            result.limit = "the load generator (\(String(format: "%.2f", generator)) CPU s) was busier than any server process"
        }
        var notes: [String] = []
        if disagreeing > 0 { notes.append("\(disagreeing) listeners saw another order than the first") }
        if let failure = listeners.lazy.compactMap(\.failure).first { notes.append("listener failure: \(failure.prefix(160))") }
        if let first = outcome.firstFailure { notes.append("first send failure: \(first.prefix(160))") }
        if !notes.isEmpty { result.note = notes.joined(separator: "; ") }
        return result
    }
}
