import Foundation
import Testing
@testable import ServiceKit
@testable import Redis

@Suite("Redis over hiredis", .needsServers)
struct RedisTests {
    /// Waits for the next event matching `predicate`, failing after `timeout`.
    static func next(
        _ iterator: inout AsyncStream<RedisSubscriberEvent>.Iterator, timeout: Duration = .seconds(10),
        where predicate: @escaping @Sendable (RedisSubscriberEvent) -> Bool
    ) async throws -> RedisSubscriberEvent {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            guard let event = await iterator.next() else { break }
            if predicate(event) { return event }
        }
        throw TimeoutError()
    }

    /// Publishes until a subscriber sees it: SUBSCRIBE is asynchronous, so the first publish may precede it.
    static func publishUntilSeen(_ client: RedisClient, _ payload: String, on channel: String, deadline: Duration = .seconds(10))
        async throws
    {
        let end = ContinuousClock.now + deadline
        while ContinuousClock.now < end {
            if (try? await client.publish(Array(payload.utf8), to: channel)) ?? 0 > 0 { return }
            try await Task.sleep(for: .milliseconds(50))
        }
        throw TimeoutError()
    }

    @Test("a published message reaches a subscriber, binary payload intact")
    func publishSubscribe() async throws {
        let endpoint = try #require(RedisEndpoint(url: try TestEnvironment.redisURL))
        let channel = TestEnvironment.uniqueName("chan")
        let subscriber = try RedisSubscriber(endpoint: endpoint, logger: TestEnvironment.logger)
        subscriber.start()
        subscriber.subscribe(channel)
        let client = RedisClient(endpoint: endpoint)
        var events = subscriber.events.makeAsyncIterator()
        try await Self.publishUntilSeen(client, "hello", on: channel)
        let binary: [UInt8] = [0, 1, 2, 255, 0x0A, 0x0D]
        try await client.publish(binary, to: channel)
        let first = try await Self.next(&events) { if case .message = $0 { true } else { false } }
        #expect(first == .message(channel: channel, payload: Array("hello".utf8)))
        let second = try await Self.next(&events) { if case .message = $0 { true } else { false } }
        #expect(second == .message(channel: channel, payload: binary))

        subscriber.unsubscribe(channel)
        try await TestEnvironment.eventually("the channel has no subscriber") {
            try await client.command(["PUBSUB", "NUMSUB", channel]) == .array([.string(Array(channel.utf8)), .integer(0)])
        }
        #expect(try await client.publish(Array("gone".utf8), to: channel) == 0)
        await subscriber.stop()
        await client.shutdown()
    }

    @Test("publishInOrder sends a batch in one pipeline, and one key's batches arrive in the order they were made")
    func publishInOrder() async throws {
        let endpoint = try #require(RedisEndpoint(url: try TestEnvironment.redisURL))
        let channel = TestEnvironment.uniqueName("ordered")
        let subscriber = try RedisSubscriber(endpoint: endpoint, logger: TestEnvironment.logger)
        subscriber.start()
        subscriber.subscribe(channel)
        let client = RedisClient(endpoint: endpoint, connections: 4)
        var events = subscriber.events.makeAsyncIterator()
        try await Self.publishUntilSeen(client, "ready", on: channel)
        _ = try await Self.next(&events) { $0 == .message(channel: channel, payload: Array("ready".utf8)) }
        // 50 batches of 20, one after another, over a client with four connections.
        for batch in 0..<50 {
            let messages = (0..<20).map { (channel: channel, payload: Array("\(batch * 20 + $0)".utf8)) }
            let receivers = try await client.publishInOrder(messages, orderKey: channel)
            #expect(receivers == Array(repeating: 1, count: 20))
        }
        var seen: [Int] = []
        while seen.count < 1000 {
            let event = try await Self.next(&events) { if case .message = $0 { true } else { false } }
            if case let .message(_, payload) = event, let number = Int(String(decoding: payload, as: UTF8.self)) { seen.append(number) }
        }
        #expect(seen == Array(0..<1000))
        await subscriber.stop()
        await client.shutdown()
    }

    @Test("a refused connection is a typed connection error")
    func unreachable() async throws {
        let client = RedisClient(endpoint: RedisEndpoint(host: "127.0.0.1", port: 1))
        do {
            try await client.ping()
            Issue.record("PING to a closed port succeeded")
        } catch let error as RedisError {
            #expect(error.kind == .connection)
        }
        await client.shutdown()
    }

    @Test("publisher and subscriber survive a Redis restart and resubscribe")
    func survivesRestart() async throws {
        let server = try RedisProcess.start()
        defer { server.stop() }
        let endpoint = server.endpoint
        let channel = TestEnvironment.uniqueName("restart")
        let subscriber = try RedisSubscriber(endpoint: endpoint, logger: TestEnvironment.logger)
        subscriber.start()
        subscriber.subscribe(channel)
        let client = RedisClient(endpoint: endpoint)
        var events = subscriber.events.makeAsyncIterator()
        try await Self.publishUntilSeen(client, "before", on: channel)
        _ = try await Self.next(&events) { $0 == .message(channel: channel, payload: Array("before".utf8)) }

        server.stop()
        await #expect(throws: RedisError.self) { try await client.ping() }
        try server.restart()

        // The subscriber reconnects, resubscribes, and says so.
        _ = try await Self.next(&events, timeout: .seconds(15)) { $0 == .reconnected }
        #expect(subscriber.isConnected)
        // The publisher's stale connection is replaced transparently.
        #expect(try await client.publish(Array("after".utf8), to: channel) == 1)
        _ = try await Self.next(&events) { $0 == .message(channel: channel, payload: Array("after".utf8)) }
        await subscriber.stop()
        await client.shutdown()
    }
}

struct TimeoutError: Error {}

/// A private redis-server for tests that stop and restart it. It runs
/// daemonized and is stopped with SHUTDOWN, so no child process is waited on.
struct RedisProcess: Sendable {
    let port: Int
    let directory: String

    static func start() throws -> RedisProcess {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent(TestEnvironment.uniqueName("redis")).path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let server = RedisProcess(port: freePort(), directory: directory)
        try server.restart()
        return server
    }

    var endpoint: RedisEndpoint { RedisEndpoint(host: "127.0.0.1", port: port) }

    func restart() throws {
        let binary = try TestEnvironment.require("MICROCHAT_TEST_REDIS_SERVER")
        let process = Process()
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = [
            "--port", "\(port)", "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
            "--dir", directory, "--daemonize", "yes", "--logfile", directory + "/redis.log",
        ]
        try process.run()
        let deadline = Date().addingTimeInterval(10)
        while Date() < deadline {
            if (try? RedisConnection(endpoint: endpoint).command([Array("PING".utf8)])) != nil { return }
            usleep(50_000)
        }
        throw TimeoutError()
    }

    func stop() {
        _ = try? RedisConnection(endpoint: endpoint).command([Array("SHUTDOWN".utf8), Array("NOSAVE".utf8)])
        let deadline = Date().addingTimeInterval(10)
        while Date() < deadline, (try? RedisConnection(endpoint: endpoint)) != nil {
            usleep(50_000)
        }
    }

    static func freePort() -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) } }
        _ = withUnsafeMutablePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) } }
        return Int(UInt16(bigEndian: address.sin_port))
    }
}
