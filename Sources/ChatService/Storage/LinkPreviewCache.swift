import ChatProtocol
import Foundation
import Postgres

/// What was fetched for a link, kept in `link_previews` and shared by every message
/// (and replica) that shows it. A card or an "empty" page is kept a day; a refusal or
/// a failure ten minutes, so a site that was down is tried again soon. Rows past the
/// longest of those (a day) are removed whenever a new one is written.
struct LinkPreviewCache: Sendable {
    struct Image: Sendable, Equatable {
        var contentType: String
        var width: Int
        var height: Int
    }

    /// A fetch's result as kept: the page's card, or the reason there is none.
    struct Entry: Sendable, Equatable {
        var finalURL: String?
        var metadata: PageMetadata
        var image: Image?
        var failure: LinkPreviewFailure?
    }

    let pool: PostgresPool

    static let freshness = """
        fetched_at > clock_timestamp() - CASE WHEN outcome IN ('ok', 'empty') THEN interval '1 day' ELSE interval '10 minutes' END
        """

    /// The fresh entry for a link, if there is one.
    func find(_ url: String) async throws -> Entry? {
        let sql = """
            SELECT outcome, detail, final_url, title, description, site_name, image_type, image_width, image_height
            FROM link_previews WHERE url = $1 AND \(Self.freshness)
            """
        guard let row = try await pool.query(sql, [url]).first else { return nil }
        let outcome: String = try row.decode("outcome")
        let detail = try row.decode("detail", as: String?.self) ?? ""
        var image: Image?
        if let type = try row.decode("image_type", as: String?.self), let width = try row.decode("image_width", as: Int?.self),
            let height = try row.decode("image_height", as: Int?.self)
        {
            image = Image(contentType: type, width: width, height: height)
        }
        let failure: LinkPreviewFailure? =
            switch outcome {
            case "refused": .refused(detail)
            case "failed": .failed(detail)
            case "empty": .empty(detail)
            default: nil
            }
        return Entry(
            finalURL: try row.decode("final_url", as: String?.self),
            metadata: PageMetadata(
                title: try row.decode("title", as: String?.self), description: try row.decode("description", as: String?.self),
                siteName: try row.decode("site_name", as: String?.self)),
            image: image, failure: failure)
    }

    /// A fresh card's picture: its type and bytes.
    func image(_ url: String) async throws -> (contentType: String, bytes: [UInt8])? {
        let sql = """
            SELECT image_type, encode(image, 'base64') AS image FROM link_previews
            WHERE url = $1 AND outcome = 'ok' AND image IS NOT NULL AND \(Self.freshness)
            """
        guard let row = try await pool.query(sql, [url]).first,
            let data = Data(base64Encoded: try row.decode("image", as: String.self), options: .ignoreUnknownCharacters)
        else { return nil }
        return (try row.decode("image_type"), [UInt8](data))
    }

    /// Keeps a fetch's result for the link (replacing an older one) and drops week-old rows.
    func store(_ url: String, _ entry: Entry, imageBytes: [UInt8]?) async throws {
        let metadata = entry.metadata
        let sql = """
            WITH pruned AS (DELETE FROM link_previews WHERE fetched_at < clock_timestamp() - interval '1 day' AND url <> $1)
            INSERT INTO link_previews AS p (url, fetched_at, outcome, detail, final_url, title, description, site_name,
                                            image_type, image_width, image_height, image)
            VALUES ($1, clock_timestamp(), $2, $3, $4, $5, $6, $7, $8, $9, $10, decode($11, 'base64'))
            ON CONFLICT (url) DO UPDATE SET
                fetched_at = excluded.fetched_at, outcome = excluded.outcome, detail = excluded.detail, final_url = excluded.final_url,
                title = excluded.title, description = excluded.description, site_name = excluded.site_name,
                image_type = excluded.image_type, image_width = excluded.image_width, image_height = excluded.image_height,
                image = excluded.image
            """
        let image = imageBytes.map { Data($0).base64EncodedString() }
        try await pool.query(
            sql,
            [
                url, entry.failure?.outcome ?? "ok", entry.failure?.detail, entry.finalURL, metadata.title, metadata.description,
                metadata.siteName, entry.image?.contentType, entry.image?.width, entry.image?.height, image,
            ], idempotent: true)
    }
}
