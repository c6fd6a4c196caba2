import Crypto
import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import ObjectStorage
import ServiceKit

/// Uploading files to a room and fetching them back. An upload is streamed to
/// the object store as it arrives (never held whole); its type comes from its
/// first bytes. Downloads stream too, with ranges, an ETag and headers that
/// keep a hostile file from running in the page's origin.
struct AttachmentsController: Sendable {
    let rooms: RoomStore
    let attachments: AttachmentStore
    let store: any ObjectStore
    let maxBytes: Int

    func addRoutes(to group: RouterGroup<ChatRequestContext>) {
        group.post("{roomId}/attachments", use: upload)
        group.get("{roomId}/attachments/{attachmentId}", use: download)
    }

    @Sendable func upload(_ request: Request, context: ChatRequestContext) async throws -> Response {
        let access = try await RoomsController.access(rooms, context)
        let filename = try Validation.filename(request.uri.queryParameters.get("filename"))
        let declared = request.headers[.contentLength].flatMap { Int($0) }
        if let declared, declared > maxBytes { throw ChatError.uploadTooLarge(limit: maxBytes) }
        if declared == 0 { throw ChatError.emptyUpload }

        // The first bytes decide the type; they are stored like the rest.
        var body = request.body.makeAsyncIterator()
        var prefix = ByteBuffer()
        while prefix.readableBytes < ContentSniffer.prefixLength, var chunk = try await body.next() {
            guard prefix.readableBytes + chunk.readableBytes <= maxBytes else { throw ChatError.uploadTooLarge(limit: maxBytes) }
            prefix.writeBuffer(&chunk)
        }
        guard prefix.readableBytes > 0 else { throw ChatError.emptyUpload }
        let sniffed = ContentSniffer.sniff(Array(prefix.readableBytesView.prefix(ContentSniffer.prefixLength)))

        let id = UUID()
        let key = "attachments/\(access.roomId.uuidString.lowercased())/\(id.uuidString.lowercased())"
        let writer: any ObjectWriter
        do { writer = try await store.makeWriter(key: key, contentType: sniffed.contentType) } catch {
            context.logger.error("cannot start storing an upload", metadata: ["error": "\(error)"])
            throw ChatError.storageUnavailable
        }
        var hash = SHA256()
        var size = prefix.readableBytes
        do {
            prefix.withUnsafeReadableBytes { hash.update(bufferPointer: $0) }
            try await writer.write(prefix)
            while let chunk = try await body.next() {
                size += chunk.readableBytes
                guard size <= maxBytes else { throw ChatError.uploadTooLarge(limit: maxBytes) }
                chunk.withUnsafeReadableBytes { hash.update(bufferPointer: $0) }
                try await writer.write(chunk)
            }
            if let declared, declared != size { throw ChatError.truncatedUpload }
            _ = try await writer.finish()
        } catch let error as ChatError {
            await writer.abort()
            throw error
        } catch is ObjectStoreError {
            await writer.abort()
            throw ChatError.storageUnavailable
        } catch {
            // The client went away mid-upload: nothing of it stays.
            await writer.abort()
            context.logger.info("an upload broke off; nothing was stored", metadata: ["error": "\(error)"])
            throw ChatError.truncatedUpload
        }
        let record = AttachmentRecord(
            id: id, roomId: access.roomId, uploaderId: access.identity.userId, storageKey: key, filename: filename,
            contentType: sniffed.contentType, size: Int64(size), width: sniffed.width, height: sniffed.height,
            sha256: SHA256Digest.hex(hash.finalize()), messageId: nil, createdAt: Date())
        do {
            try await attachments.create(record)
        } catch {
            try? await store.delete(key: key)
            throw error
        }
        return try JSONResponse(record.info, status: .created).response(from: request, context: context)
    }

    @Sendable func download(_ request: Request, context: ChatRequestContext) async throws -> Response {
        let access = try await RoomsController.access(rooms, context)
        let id = try context.parameters.requireUUID("attachmentId", what: "attachment")
        // An upload no message has shown yet is its uploader's alone.
        guard let record = try await attachments.find(roomId: access.roomId, id: id),
            record.messageId != nil || record.uploaderId == access.identity.userId
        else {
            throw ChatError.attachmentNotFound(UUID?.none)
        }
        var headers = Self.headers(for: record)
        if let match = request.headers[.ifNoneMatch],
            match.split(separator: ",").contains(where: { $0.trimmingCharacters(in: .whitespaces) == headers[.eTag] })
        {
            return Response(status: .notModified, headers: headers)
        }
        let size = Int(record.size)
        var asked = 0...(size - 1)
        var status = HTTPResponse.Status.ok
        if let text = request.headers[.range] {
            guard let satisfiable = Self.range(text, size: size) else {
                headers[.contentRange] = "bytes */\(size)"
                throw AppError(
                    .rangeNotSatisfiable, code: "range_not_satisfiable",
                    detail: "The file has \(size) bytes; ask for one range within them.",
                    headers: headers)
            }
            asked = satisfiable
            status = .partialContent
            headers[.contentRange] = "bytes \(asked.lowerBound)-\(asked.upperBound)/\(size)"
        }
        headers[.contentLength] = String(asked.count)
        let store = self.store, key = record.storageKey, logger = context.logger, range = asked
        return Response(
            status: status, headers: headers,
            body: ResponseBody(contentLength: range.count) { writer in
                do {
                    try await store.read(key: key, range: range) { chunk in try await writer.write(chunk) }
                } catch {
                    logger.error("could not stream an attachment", metadata: ["key": "\(key)", "error": "\(error)"])
                    throw error
                }
                try await writer.finish(nil)
            })
    }

    /// The headers every download carries. Only PNG, JPEG, GIF and WebP are shown inline; everything
    /// else — SVG and HTML above all — is a download, under a sandbox CSP and nosniff either way.
    static func headers(for record: AttachmentRecord) -> HTTPFields {
        let inline = SniffedContent(contentType: record.contentType, width: record.width, height: record.height).isInlineImage
        var headers = HTTPFields()
        headers[.contentType] =
            inline || record.contentType == "application/pdf" || record.contentType == "text/plain"
            ? record.contentType + (record.contentType == "text/plain" ? "; charset=utf-8" : "") : "application/octet-stream"
        headers[.contentDisposition] = "\(inline ? "inline" : "attachment"); \(contentDispositionFilename(record.filename))"
        headers[.eTag] = "\"\(record.sha256.prefix(32))\""
        headers[.cacheControl] = "private, max-age=86400"
        headers[.acceptRanges] = "bytes"
        headers[.xContentTypeOptions] = "nosniff"
        headers[.contentSecurityPolicy] = "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; sandbox"
        return headers
    }

    /// `filename="…"` with anything outside printable ASCII replaced, and the exact name as `filename*` (RFC 6266).
    static func contentDispositionFilename(_ name: String) -> String {
        let plain = String(name.unicodeScalars.map { $0.isASCII && $0.value >= 0x20 && $0 != "\"" && $0 != "\\" ? Character($0) : "_" })
        let encoded = name.utf8.map { byte -> String in
            let safe =
                (byte >= 48 && byte <= 57) || (byte >= 65 && byte <= 90) || (byte >= 97 && byte <= 122)
                || "!#$&+-.^_`|~".utf8.contains(byte)
            return safe ? String(UnicodeScalar(byte)) : String(format: "%%%02X", byte)
        }.joined()
        return "filename=\"\(plain)\"; filename*=UTF-8''\(encoded)"
    }

    /// One `bytes=` range (`a-b`, `a-`, `-n`) clamped to the file, or nil when it cannot be satisfied.
    static func range(_ text: String, size: Int) -> ClosedRange<Int>? {
        guard text.hasPrefix("bytes="), !text.contains(","), size > 0 else { return nil }
        let spec = text.dropFirst("bytes=".count)
        let parts = spec.split(separator: "-", maxSplits: 1, omittingEmptySubsequences: false)
        guard parts.count == 2 else { return nil }
        let first = parts[0].trimmingCharacters(in: .whitespaces), last = parts[1].trimmingCharacters(in: .whitespaces)
        if first.isEmpty {
            guard let suffix = Int(last), suffix > 0 else { return nil }
            return max(0, size - suffix)...(size - 1)
        }
        guard let start = Int(first), start >= 0, start < size else { return nil }
        if last.isEmpty { return start...(size - 1) }
        guard let end = Int(last), end >= start else { return nil }
        return start...min(end, size - 1)
    }
}

extension SHA256Digest {
    static func hex(_ digest: SHA256Digest) -> String { digest.map { String(format: "%02x", $0) }.joined() }
}
