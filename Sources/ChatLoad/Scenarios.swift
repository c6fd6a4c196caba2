import Foundation
import Histogram
import Logging

/// The six scenarios of `./microchat bench`, each measured with the CPU every
/// process used while it ran (the load generator's own included).
struct Scenarios {
    let api: Api
    let options: Options
    let run: String
    let logger: Logger

    /// Accounts every room shares: senders (members everywhere, never listening) and listeners.
    struct Cast {
        var senders: [Api.Account]
        var listeners: [Api.Account]
    }

    func makeCast(senders: Int, listeners: Int) async throws -> Cast {
        var cast = Cast(senders: [], listeners: [])
        for index in 0..<senders { cast.senders.append(try await api.register("ld\(run)s\(index)")) }
        for index in 0..<listeners { cast.listeners.append(try await api.register("ld\(run)l\(index)")) }
        return cast
    }

    func room(_ cast: Cast, at chatURL: String, name: String, listeners: [Api.Account]? = nil) async throws -> String {
        let owner = cast.senders[0]
        return try await api.createGroup(
            at: chatURL, owner: owner, members: Array(cast.senders.dropFirst()) + (listeners ?? cast.listeners), name: name)
    }

    /// Opens `count` listeners (spread over `urls`, accounts taken in turn) and waits until each said `ready`.
    func listen(
        _ count: Int, accounts: [Api.Account], urls: [String], measure: Bool = true, reconnects: Bool = false,
        group: inout [Task<Void, Never>]
    ) async throws -> [Listener] {
        var listeners: [Listener] = []
        for index in 0..<count {
            let listener = Listener(
                chatURL: urls[index % urls.count], token: accounts[index % accounts.count].token, run: run,
                measure: measure, reconnects: reconnects)
            listeners.append(listener)
            let logger = self.logger
            group.append(Task { await listener.listen(logger: logger) })
            if index % 200 == 199 { try await waitReady(listeners) }  // do not flood the accept queue
        }
        try await waitReady(listeners)
        return listeners
    }

    func waitReady(_ listeners: [Listener]) async throws {
        let deadline = Clock.now() + 120_000_000_000
        while !listeners.allSatisfy(\.isReady) {
            if let closed = listeners.first(where: \.isClosed), !closed.isReady {
                throw OptionError(description: "a WebSocket closed before it was ready (file descriptor limit? see ulimit -n)")
            }
            guard Clock.now() < deadline else { throw OptionError(description: "WebSockets did not become ready in 120 s") }
            try await Task.sleep(for: .milliseconds(20))
        }
    }

    /// CPU seconds per process since `before`.
    func cpu(since before: [String: Double]) -> [String: Double] {
        var used: [String: Double] = [:]
        for (name, seconds) in cpuNow() { used[name] = seconds - (before[name] ?? 0) }
        return used
    }

    func cpuNow() -> [String: Double] {
        var now: [String: Double] = [:]
        for (name, pid) in options.pids { now[name] = ProcessStats.cpuSeconds(pid) }
        for (name, pid) in options.treePids { now[name] = ProcessStats.treeCPUSeconds(pid) }
        now["load-generator"] = ProcessStats.cpuSeconds(ProcessStats.ownPid)
        return now
    }

    /// Sends, drains, verifies (deliveries and storage) and reports one load scenario.
    func measure(
        key: String, title: String, listeners: [(Listener, [String])], rooms: [String], viewer: Api.Account, chatURL: String,
        send: () async -> SendOutcome, openLoopRate: Double? = nil
    ) async throws -> ScenarioResult {
        let before = cpuNow()
        let outcome = await send()
        await Load.drain(listeners, acked: outcome.acked, timeout: 20)
        let used = cpu(since: before)
        var verification = Verification.of(listeners, acked: outcome.acked)
        for room in rooms {
            let stored = Set(try await api.storedSeqs(at: chatURL, room: room, token: viewer.token))
            verification.notStored += (outcome.acked[room] ?? []).filter { !stored.contains($0) }.count
        }
        var result = ScenarioResult(
            key: key, title: title, ackedPerSecond: Double(outcome.count) / max(outcome.seconds, 0.001), acked: outcome.count,
            failures: outcome.failures, deliveries: verification.deliveries, missing: verification.missing,
            duplicated: verification.duplicated, outOfOrder: verification.outOfOrder, notStored: verification.notStored,
            ackMs: Report.milliseconds(outcome.ackLatency), deliverMs: Report.milliseconds(verification.latency),
            deliverCurve: Report.curve(verification.latency), cpuSeconds: used, seconds: outcome.seconds)
        let chatCPU = used.filter { $0.key.hasPrefix("chat-service") }.values.reduce(0, +)
        if outcome.count > 0 { result.chatCPUMicrosPerMessage = chatCPU / Double(outcome.count) * 1e6 }
        result.cpuPerThousand = Report.cpuPerThousand(used, acked: outcome.count)
        let generator = used["load-generator"] ?? 0
        let busiest = used.filter { $0.key != "load-generator" }.values.max() ?? 0
        if openLoopRate != nil, outcome.startLag.totalCount > 0, outcome.startLag.valueAtPercentile(99) > 10_000 {
            result.limit = "the load generator fell behind its schedule (start lag p99 \(outcome.startLag.valueAtPercentile(99) / 1000) ms)"
        } else if generator > busiest && generator / max(outcome.seconds, 0.001) > 0.9 {
            result.limit = "the load generator (\(String(format: "%.2f", generator)) CPU s) was busier than any service"
        }
        if let first = outcome.firstFailure { result.note = "first send failure: \(first.prefix(160))" }
        if let rate = openLoopRate { result.title += " (offered \(Int(rate)) msg/s)" }
        return result
    }

    /// An open-loop scenario: `rate` msg/s offered round robin over `senders`.
    func openLoop(
        key: String, title: String, listeners: [(Listener, [String])], rooms: [String], senders: [Sender],
        viewer: Api.Account, rate: Double
    ) async throws -> ScenarioResult {
        try await measure(
            key: key, title: title, listeners: listeners, rooms: rooms, viewer: viewer, chatURL: options.chatURLs[0],
            send: {
                await Load.openLoop(api, senders: senders, run: run, rate: rate, seconds: options.seconds)
            }, openLoopRate: rate)
    }

    // MARK: the scenarios

    func all() async throws -> [ScenarioResult] {
        var results: [ScenarioResult] = []
        func record(_ result: ScenarioResult) {
            results.append(result)
            print(Report.line(result))
        }
        // `--scenarios none` (peers alone): no accounts to make.
        guard !options.scenarios.isDisjoint(with: ["a", "b", "c", "d", "e", "f", "g"]) else { return results }
        var tasks: [Task<Void, Never>] = []
        defer { tasks.forEach { $0.cancel() } }
        let urls = options.chatURLs
        let cast = try await makeCast(senders: 8, listeners: 4)
        let senderURL = { (index: Int) in urls[index % urls.count] }

        if !options.scenarios.isDisjoint(with: ["a", "b"]) {
            let room = try await room(cast, at: urls[0], name: "load a")
            let listeners = try await listen(20, accounts: cast.listeners, urls: urls, group: &tasks).map { ($0, [room]) }
            let senders = cast.senders.enumerated().map { Sender(token: $1.token, room: room, chatURL: senderURL($0)) }
            if options.scenarios.contains("a") {
                record(
                    try await measure(
                        key: "a", title: "1 room, 20 listeners, 8 senders closed loop", listeners: listeners,
                        rooms: [room], viewer: cast.senders[0], chatURL: urls[0]
                    ) {
                        await Load.closedLoop(api, senders: senders, run: run, seconds: options.seconds)
                    })
            }
            if options.scenarios.contains("b") {
                record(
                    try await openLoop(
                        key: "b", title: "1 room, 20 listeners, open loop", listeners: listeners, rooms: [room],
                        senders: senders, viewer: cast.senders[0], rate: options.openRate ?? 1000))
            }
            tasks.forEach { $0.cancel() }
            tasks = []
        }
        if options.scenarios.contains("c") {
            let room = try await room(cast, at: urls[0], name: "load c")
            let listeners = try await listen(200, accounts: cast.listeners, urls: urls, group: &tasks).map { ($0, [room]) }
            let senders = cast.senders.enumerated().map { Sender(token: $1.token, room: room, chatURL: senderURL($0)) }
            record(
                try await openLoop(
                    key: "c", title: "1 room, 200 listeners", listeners: listeners, rooms: [room],
                    senders: senders, viewer: cast.senders[0], rate: 200))
            tasks.forEach { $0.cancel() }
            tasks = []
        }
        if options.scenarios.contains("d") {
            // One listening account per room, so each listener hears its own room only.
            var rooms: [String] = []
            var listeners: [(Listener, [String])] = []
            for index in 0..<100 {
                let account = try await api.register("ld\(run)r\(index)")
                let room = try await room(cast, at: urls[0], name: "load d\(index)", listeners: [account])
                rooms.append(room)
                listeners += try await listen(5, accounts: [account], urls: urls, group: &tasks).map { ($0, [room]) }
            }
            var senders: [Sender] = []
            for (index, room) in rooms.enumerated() {
                let account = cast.senders[index % cast.senders.count]
                senders.append(Sender(token: account.token, room: room, chatURL: senderURL(index)))
            }
            record(
                try await openLoop(
                    key: "d", title: "100 rooms × 5 listeners", listeners: listeners, rooms: rooms,
                    senders: senders, viewer: cast.senders[0], rate: 2000))
            tasks.forEach { $0.cancel() }
            tasks = []
        }
        if options.scenarios.contains("e"), let replica = options.pids.first(where: { $0.name.hasPrefix("chat-service") }) {
            // Both ends hold one descriptor per connection: stay under this process's limit (and so the service's, set alike).
            let limit = ProcessStats.openFileLimit
            let count = min(options.idle, max(100, limit - 1_000))
            do {
                var result = try await idle(replica: replica, url: urls[0], count: count, cast: cast)
                if count < options.idle {
                    result.note = (result.note ?? "") + "; \(options.idle) asked, the open-file limit here is \(limit)"
                }
                record(result)
            } catch {
                print("(e) idle WebSockets: FAILED — \(error)")
            }
        }
        if options.scenarios.contains("f"), let ui = options.uiURL {
            let room = try await room(cast, at: ui, name: "load f")
            let listeners = try await listen(20, accounts: cast.listeners, urls: [ui], group: &tasks).map { ($0, [room]) }
            let senders = cast.senders.map { Sender(token: $0.token, room: room, chatURL: ui) }
            record(
                try await measure(
                    key: "f", title: "as (a), through ui-service", listeners: listeners, rooms: [room],
                    viewer: cast.senders[0], chatURL: ui
                ) {
                    await Load.closedLoop(api, senders: senders, run: run, seconds: options.seconds)
                })
            tasks.forEach { $0.cancel() }
            tasks = []
        }
        if options.scenarios.contains("g"), let ui = options.uiURL, let fault = options.fault, let command = options.faultCommand {
            record(try await faulted(ui: ui, fault: fault, command: command, cast: cast))
        }
        return results
    }

    /// Scenario (g): the load of (f) — one room, 20 listeners and 8 senders,
    /// all through ui-service — with a fault injected a third of the way in.
    /// Senders retry a failed send with its client id, as clients do; listeners
    /// reconnect and resume, as the page does.
    func faulted(ui: String, fault: String, command: String, cast: Cast) async throws -> ScenarioResult {
        var tasks: [Task<Void, Never>] = []
        defer { tasks.forEach { $0.cancel() } }
        let room = try await room(cast, at: ui, name: "load g")
        let listeners = try await listen(20, accounts: cast.listeners, urls: [ui], reconnects: true, group: &tasks)
        let senders = cast.senders.map { Sender(token: $0.token, room: room, chatURL: ui) }
        let window = FaultWindow()
        let at = options.faultAt ?? options.seconds / 3
        let injection = Task {
            try? await Task.sleep(for: .milliseconds(Int(at * 1000)))
            window.begin()
            print("(g) injecting the fault (\(fault)) \(at) s into the load")
            let status = await Self.shell(command)
            window.end()
            print("(g) the fault's injection ended (exit \(status))")
            return status
        }
        var result = try await measure(
            key: "g", title: "fault: \(fault), through ui-service", listeners: listeners.map { ($0, [room]) },
            rooms: [room], viewer: cast.senders[0], chatURL: ui
        ) {
            await Load.closedLoop(api, senders: senders, run: run, seconds: options.seconds, retrying: true)
        }
        let status = await injection.value
        result.fault = fault
        guard let (start, injected) = window.span else {
            result.note = "the fault was not injected (the load ended first; raise --seconds)"
            return result
        }
        // An instant fault (a kill) is judged by the five seconds after it: what recovery costs.
        let end = max(injected, start + 5_000_000_000)
        result.faultSeconds = Double(end - start) / 1e9
        var during = Histogram<UInt64>(highestTrackableValue: 600_000_000, numberOfSignificantValueDigits: .three)
        var sent = Set<UInt64>()
        for listener in listeners {
            for sample in listener.record.samples where sample.sentAt >= start && sample.sentAt <= end {
                _ = during.record(sample.micros)
                sent.insert(sample.sentAt)
            }
        }
        result.sentDuringFault = sent.count
        result.faultDeliverMs = Report.milliseconds(during)
        let reconnects = listeners.map(\.record.reconnects).reduce(0, +)
        result.note = [status == 0 ? nil : "the fault command exited \(status)", "\(reconnects) listener reconnects"]
            .compactMap { $0 }.joined(separator: "; ")
        return result
    }

    /// Runs `/bin/sh -c command` and returns its exit status (-1 if it could not
    /// start). The wait happens on a thread of its own, never on an event loop.
    static func shell(_ command: String) async -> Int32 {
        var spawnedPid: pid_t = 0
        let words: [String] = ["/bin/sh", "-c", command]
        let arguments: [UnsafeMutablePointer<CChar>?] = words.map { strdup($0) }
        defer { arguments.forEach { free($0) } }
        guard posix_spawn(&spawnedPid, "/bin/sh", nil, nil, arguments + [nil], environ) == 0 else { return -1 }
        let pid = spawnedPid
        return await withCheckedContinuation { continuation in
            Thread.detachNewThread {
                var status: Int32 = 0
                while waitpid(pid, &status, 0) == -1 && errno == EINTR {}
                // WIFEXITED / WEXITSTATUS, which Swift does not import as macros.
                continuation.resume(returning: status & 0x7f == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f))
            }
        }
    }

    /// Scenario (e): resident memory a replica spends per idle WebSocket.
    func idle(replica: (name: String, pid: Int32), url: String, count: Int, cast: Cast) async throws -> ScenarioResult {
        var tasks: [Task<Void, Never>] = []
        defer { tasks.forEach { $0.cancel() } }
        let loner = try await api.register("ld\(run)idle")
        // A warm-up round, so the allocator's first growth is not counted per connection.
        let warm = try await listen(min(500, count), accounts: [loner], urls: [url], measure: false, group: &tasks)
        _ = warm
        tasks.forEach { $0.cancel() }
        tasks = []
        try await Task.sleep(for: .seconds(2))
        let before = ProcessStats.residentKiB(replica.pid) ?? 0
        let cpuBefore = cpuNow()
        let start = Clock.now()
        _ = try await listen(count, accounts: [loner], urls: [url], measure: false, group: &tasks)
        try await Task.sleep(for: .seconds(2))
        let after = ProcessStats.residentKiB(replica.pid) ?? 0
        var result = ScenarioResult(
            key: "e", title: "\(count) idle WebSockets on \(replica.name)", ackedPerSecond: nil, acked: 0,
            failures: 0, deliveries: 0, missing: 0, duplicated: 0, outOfOrder: 0, notStored: 0,
            cpuSeconds: cpu(since: cpuBefore), seconds: Double(Clock.now() - start) / 1e9)
        result.memoryKiBPerConnection = Double(after - before) / Double(count)
        result.note = "RSS \(before / 1024) → \(after / 1024) MiB"
        return result
    }
}
