import ChatProtocol
import Foundation
import Postgres
import Synchronization
import Testing
@testable import ChatService

/// The send path's storage (`MessageStore.sendBatch`, one call of the
/// `send_messages` function per batch) against the real PostgreSQL and the
/// chat-service schema: who may send, seq order, idempotency within and across
/// batches, replies, threads and mentions kept only inside the room, and two
/// replicas sending to one room at once.
@Suite("storing a batch of sends", .needsServers)
struct SendBatchTests {
    struct Fixture {
        let pool: PostgresPool
        let store: MessageStore
        let room: UUID
        let members: [UUID]
    }

    /// A fresh group room with `count` members, on the service's own database role.
    func fixture(members count: Int = 3) async throws -> Fixture {
        let pool = PostgresPool(
            configuration: .init(url: try TestEnvironment.require("MICROCHAT_TEST_CHAT_DATABASE_URL"), size: 4),
            logger: TestEnvironment.logger)
        _ = try await Migrator(schema: "chat_service", migrations: ChatMigrations.all).migrate(pool, logger: TestEnvironment.logger)
        let room = try await makeRoom(pool, members: (0..<count).map { _ in UUID() })
        return Fixture(pool: pool, store: MessageStore(pool: pool), room: room.0, members: room.1)
    }

    func makeRoom(_ pool: PostgresPool, members: [UUID]) async throws -> (UUID, [UUID]) {
        let room = UUID()
        try await pool.query(
            "INSERT INTO rooms (id, name, room_type, created_by) VALUES ($1, 'batch', 'group', $2)", [room, members[0]])
        for member in members {
            try await pool.query("INSERT INTO room_participants (room_id, user_id, role) VALUES ($1, $2, 'member')", [room, member])
        }
        return (room, members)
    }

    func send(_ sender: UUID, _ text: String, clientId: String? = nil, in room: UUID) -> MessageStore.SendRequest {
        MessageStore.SendRequest(roomId: room, senderId: sender, content: text, messageType: .text, clientMessageId: clientId)
    }

    @Test("a batch takes consecutive seqs in its order; a stranger's send in it fails alone")
    func seqOrderAndStrangers() async throws {
        let f = try await fixture()
        let stranger = UUID()
        let results = await f.store.sendBatch(
            roomId: f.room,
            [
                send(f.members[0], "one", in: f.room), send(stranger, "not mine", in: f.room),
                send(f.members[1], "two", in: f.room), send(f.members[2], "three", in: f.room),
            ])
        let stored = results.compactMap { try? $0.get() }
        #expect(stored.map(\.0.seq) == [1, 2, 3])
        #expect(stored.map(\.0.content) == ["one", "two", "three"])
        #expect(stored.allSatisfy { $0.created && $0.0.roomId == f.room && $0.0.linkPreview })
        #expect(throws: ChatError.roomNotFound) { try results[1].get() }
        let next = await f.store.sendBatch(roomId: f.room, [send(f.members[0], "four", in: f.room)])
        #expect(try next[0].get().0.seq == 4)
        let lastSeq = try await f.pool.query("SELECT last_seq FROM rooms WHERE id = $1", [f.room]).first?.decode("last_seq", as: Int64.self)
        #expect(lastSeq == 4)
        await f.pool.shutdown()
    }

    @Test("a client message id stores once: repeated in the same batch or a later one, the stored message answers")
    func idempotency() async throws {
        let f = try await fixture()
        let first = await f.store.sendBatch(
            roomId: f.room,
            [
                send(f.members[0], "hello", clientId: "c-1", in: f.room),
                send(f.members[0], "hello again", clientId: "c-1", in: f.room),
                // The same client id from someone else is another message.
                send(f.members[1], "other", clientId: "c-1", in: f.room),
            ])
        let original = try first[0].get()
        #expect(original.created && original.0.seq == 1 && original.0.clientMessageId == "c-1")
        let repeatInBatch = try first[1].get()
        #expect(!repeatInBatch.created && repeatInBatch.0.id == original.0.id && repeatInBatch.0.content == "hello")
        #expect(try first[2].get().created && (try first[2].get().0.seq) == 2)
        let later = await f.store.sendBatch(roomId: f.room, [send(f.members[0], "hello?", clientId: "c-1", in: f.room)])
        #expect(try later[0].get().created == false && (try later[0].get().0.id) == original.0.id)
        let count = try await f.pool.query("SELECT count(*) AS n FROM messages WHERE room_id = $1", [f.room]).first?.decode(
            "n", as: Int64.self)
        #expect(count == 2)
        await f.pool.shutdown()
    }

    @Test("replies, thread roots and mentions are kept only within the room; the quote comes back with the send")
    func repliesThreadsMentions() async throws {
        let f = try await fixture()
        let elsewhere = try await makeRoom(f.pool, members: [f.members[0]]).0
        let outside = try await f.store.sendBatch(roomId: elsewhere, [send(f.members[0], "in another room", in: elsewhere)])[0].get().0
        let root = try await f.store.sendBatch(roomId: f.room, [send(f.members[0], "the root\nsecond line", in: f.room)])[0].get().0
        var reply = send(f.members[1], "a reply", in: f.room)
        reply.replyToId = root.id
        reply.threadRootId = root.id
        let notMember = UUID()
        reply.mentions = [f.members[2], notMember, f.members[2]]
        var stray = send(f.members[1], "reaching out", in: f.room)
        stray.replyToId = outside.id
        stray.threadRootId = outside.id
        let results = await f.store.sendBatch(roomId: f.room, [reply, stray])
        let kept = try results[0].get().0
        #expect(kept.replyToId == root.id && kept.threadRootId == root.id)
        #expect(kept.replyTo?.excerpt == "the root" && kept.replyTo?.senderId == f.members[0])
        #expect(kept.mentions == [f.members[2]])
        let dropped = try results[1].get().0
        #expect(dropped.replyToId == nil && dropped.replyTo == nil && dropped.threadRootId == nil)
        // A reply in a thread is not a thread root.
        var nested = send(f.members[0], "nested", in: f.room)
        nested.threadRootId = kept.id
        #expect(try await f.store.sendBatch(roomId: f.room, [nested])[0].get().0.threadRootId == nil)
        await f.pool.shutdown()
    }

    @Test("a deleted room takes no sends, and its seq does not move")
    func deletedRoom() async throws {
        let f = try await fixture()
        try await f.pool.query("UPDATE rooms SET deleted_at = now() WHERE id = $1", [f.room])
        let results = await f.store.sendBatch(roomId: f.room, [send(f.members[0], "a", in: f.room), send(f.members[1], "b", in: f.room)])
        for result in results { #expect(throws: ChatError.roomNotFound) { try result.get() } }
        let lastSeq = try await f.pool.query("SELECT last_seq FROM rooms WHERE id = $1", [f.room]).first?.decode("last_seq", as: Int64.self)
        #expect(lastSeq == 0)
        await f.pool.shutdown()
    }

    @Test("batches racing into one room from two pools: every seq once, none skipped, retries stored once")
    func racingReplicas() async throws {
        let f = try await fixture(members: 4)
        let other = PostgresPool(
            configuration: .init(url: try TestEnvironment.require("MICROCHAT_TEST_CHAT_DATABASE_URL"), size: 4),
            logger: TestEnvironment.logger)
        let stores = [f.store, MessageStore(pool: other)]
        let room = f.room
        let members = f.members
        let rounds = 25
        let answers = await withTaskGroup(of: [MessageStore.SendResult].self) { group in
            for worker in 0..<8 {
                group.addTask {
                    var results: [MessageStore.SendResult] = []
                    for round in 0..<rounds {
                        // Each send goes to both "replicas" with its client id, as a retry after a lost answer would.
                        let id = "w\(worker)-r\(round)"
                        let request = MessageStore.SendRequest(
                            roomId: room, senderId: members[worker % 4], content: id, messageType: .text, clientMessageId: id)
                        results += await stores[worker % 2].sendBatch(roomId: room, [request, request])
                        results += await stores[(worker + 1) % 2].sendBatch(roomId: room, [request])
                    }
                    return results
                }
            }
            var all: [MessageStore.SendResult] = []
            for await results in group { all += results }
            return all
        }
        let messages = answers.compactMap { try? $0.get().0 }
        #expect(messages.count == answers.count, "every send answered")
        #expect(Set(messages.map(\.id)).count == 8 * rounds)
        let rows = try await f.pool.query("SELECT seq FROM messages WHERE room_id = $1 ORDER BY seq", [room])
        #expect(try rows.map { try $0.decode("seq", as: Int64.self) } == Array(1...Int64(8 * rounds)))
        await other.shutdown()
        await f.pool.shutdown()
    }

    @Test("a retried send is published again as a repeat (its first try may have committed where nothing published it), not as new")
    func repeatsArePublishedAgain() async throws {
        let f = try await fixture()
        let published = Mutex<[(created: [UUID], repeated: [UUID])]>([])
        let batcher = SendBatcher(store: f.store, workers: 2, logger: TestEnvironment.logger) { _, created, repeated, _ in
            published.withLock { $0.append((created.map(\.id), repeated.map(\.id))) }
        }
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await batcher.run() }
            let (first, firstCreated) = try await batcher.send(send(f.members[0], "hello", clientId: "retry-1", in: f.room))
            let (again, againCreated) = try await batcher.send(send(f.members[0], "hello", clientId: "retry-1", in: f.room))
            #expect(firstCreated && !againCreated && again.id == first.id && again.seq == first.seq)
            let calls = published.withLock { $0 }
            #expect(calls.count == 2)
            #expect(calls.first?.created == [first.id] && calls.first?.repeated == [])
            #expect(calls.last?.created == [] && calls.last?.repeated == [first.id])
            group.cancelAll()
        }
        await f.pool.shutdown()
    }
}
