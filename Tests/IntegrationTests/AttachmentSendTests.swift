import ChatProtocol
import Foundation
import Postgres
import Testing
@testable import ChatService

/// A file message's storage (`MessageStore.sendWithAttachments`) against the real
/// PostgreSQL: repeats of one client message id sent at the same moment.
@Suite("storing a file message", .needsServers)
struct AttachmentSendTests {
    func upload(_ pool: PostgresPool, room: UUID, by uploader: UUID) async throws -> UUID {
        let id = UUID()
        try await AttachmentStore(pool: pool).create(
            AttachmentRecord(
                id: id, roomId: room, uploaderId: uploader, storageKey: "test/\(id)", filename: "notes.txt",
                contentType: "text/plain", size: 5, width: nil, height: nil, sha256: String(repeating: "0", count: 64), messageId: nil,
                createdAt: Date()))
        return id
    }

    @Test("repeats of one client id racing each other store one message and all answer it")
    func racingRepeats() async throws {
        let batches = SendBatchTests()
        let f = try await batches.fixture(members: 2)
        let sender = f.members[0]
        // Several rounds: each starts its repeats together, so before the room lock came first
        // some pair passed the client-id check together and one ended in a conflict.
        for round in 0..<12 {
            let attachment = try await upload(f.pool, room: f.room, by: sender)
            let clientId = "race-\(round)-\(UUID())"
            let results = await withTaskGroup(of: Result<UUID, any Error>.self) { group in
                for _ in 0..<4 {
                    group.addTask {
                        do {
                            return .success(
                                try await f.store.sendWithAttachments(
                                    roomId: f.room, senderId: sender, content: "file", messageType: .file, clientMessageId: clientId,
                                    attachmentIds: [attachment]
                                ).0.id)
                        } catch { return .failure(error) }
                    }
                }
                var all: [Result<UUID, any Error>] = []
                for await result in group { all.append(result) }
                return all
            }
            let ids = results.compactMap { try? $0.get() }
            #expect(ids.count == 4, "round \(round): \(results.filter { (try? $0.get()) == nil })")
            #expect(Set(ids).count == 1)
        }
        let stored = try await f.pool.query("SELECT count(*) AS n FROM messages WHERE room_id = $1", [f.room])
        #expect(try stored.first?.decode("n", as: Int64.self) == 12)
    }
}
