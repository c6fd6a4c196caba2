import Foundation
import Postgres
import ServiceKit
import ChatProtocol

/// One search hit: the message, where the words matched, and its rank.
struct SearchHit: Codable, Sendable {
    var message: ChatMessage
    /// Up to two short passages of the message around the matches, as plain text.
    var snippet: String
    /// Where in `snippet` the matched words are: `[start, end)` in UTF-16 code
    /// units (JavaScript string indices).
    var highlights: [[Int]]
    var rank: Double
}

extension MessageStore {
    /// Marks ts_headline puts around matches; taken out of the text first, so only PostgreSQL's count.
    static let highlightStart: Character = "\u{E000}"
    static let highlightEnd: Character = "\u{E001}"

    /// Full-text search over the live messages of the live rooms `userId` is in
    /// (one room if `roomId` is given, only messages older than `before` if
    /// given), best match first, newest first among equals; `offset` pages on.
    /// The query is read like a web search box: words, "quoted phrases", `or`, `-not`.
    func search(userId: UUID, query: String, roomId: UUID?, before: Date?, limit: Int, offset: Int) async throws -> (
        hits: [SearchHit], hasMore: Bool
    ) {
        let rows = try await pool.query(
            """
            SELECT \(Rows.messageColumns),
                   ts_rank_cd(m.search, q.query) AS rank,
                   ts_headline('english', translate(m.content, E'\\uE000\\uE001', ''), q.query,
                               'StartSel=' || chr(57344) || ', StopSel=' || chr(57345) ||
                               ', MaxWords=24, MinWords=8, MaxFragments=2, FragmentDelimiter=" … "') AS snippet
            FROM websearch_to_tsquery('english', $2) AS q(query)
            JOIN messages m ON m.search @@ q.query
            JOIN room_participants p ON p.room_id = m.room_id AND p.user_id = $1
            JOIN rooms r ON r.id = m.room_id AND r.deleted_at IS NULL
            WHERE m.deleted_at IS NULL
              AND ($3::uuid IS NULL OR m.room_id = $3)
              AND ($4::timestamptz IS NULL OR m.created_at < $4)
            ORDER BY rank DESC, m.created_at DESC, m.id
            LIMIT $5 OFFSET $6
            """, [userId, query, roomId, before, limit + 1, offset])
        var hits: [SearchHit] = []
        for row in rows.prefix(limit) {
            let (snippet, highlights) = Self.highlighted(try row.decode("snippet", as: String?.self) ?? "")
            hits.append(SearchHit(message: try Rows.message(row), snippet: snippet, highlights: highlights, rank: try row.decode("rank")))
        }
        return (hits, rows.count > limit)
    }

    /// Splits ts_headline's marked text into the plain text and the marked ranges.
    static func highlighted(_ marked: String) -> (String, [[Int]]) {
        var text = ""
        var ranges: [[Int]] = []
        var position = 0
        var start: Int?
        for character in marked {
            switch character {
            case highlightStart: start = position
            case highlightEnd:
                if let begin = start, begin < position { ranges.append([begin, position]) }
                start = nil
            default:
                text.append(character)
                position += character.utf16.count
            }
        }
        return (text, ranges)
    }

    /// The live messages of others that mention `userId`, in rooms they are
    /// still in, newest first; `before` (a message id) pages on.
    func mentions(of userId: UUID, before: UUID?, limit: Int) async throws -> (messages: [ChatMessage], hasMore: Bool) {
        let rows = try await pool.query(
            """
            SELECT \(Rows.messageColumns)
            FROM messages m
            JOIN room_participants p ON p.room_id = m.room_id AND p.user_id = $1
            JOIN rooms r ON r.id = m.room_id AND r.deleted_at IS NULL
            WHERE m.mentions <> '{}' AND m.mentions @> ARRAY[$1::uuid] AND m.deleted_at IS NULL AND m.sender_id <> $1
              AND ($2::uuid IS NULL OR (m.created_at, m.id) < (
                SELECT c.created_at, c.id FROM messages c
                JOIN room_participants cp ON cp.room_id = c.room_id AND cp.user_id = $1
                WHERE c.id = $2))
            ORDER BY m.created_at DESC, m.id DESC
            LIMIT $3
            """, [userId, before, limit + 1])
        let messages = try rows.map(Rows.message)
        return (Array(messages.prefix(limit)), messages.count > limit)
    }
}
