import Crypto
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import ObjectStorage
import ServiceKit

/// Profile pictures: a person uploads one (`PUT /api/users/me/avatar`, a PNG,
/// JPEG, GIF or WebP checked from its bytes and its size read from its header),
/// and anyone with the link fetches it (`GET /api/users/{id}/avatar`) — it is
/// shown in `<img>` tags, which carry no bearer token, like the profile it
/// belongs to. The link is versioned by the picture's hash, so it caches forever.
struct AvatarController: Sendable {
    let users: any UserStoring
    let avatars: AvatarStore
    let store: any ObjectStore
    let maxBytes: Int
    let announcements: ProfileAnnouncements
    static let maxSide = 4096

    func addRoutes(authenticated group: RouterGroup<UserRequestContext>, public router: Router<UserRequestContext>) {
        group.put("me/avatar", use: upload)
        group.delete("me/avatar", use: remove)
        router.get("api/users/{id}/avatar", use: show)
    }

    @Sendable func upload(_ request: Request, context: UserRequestContext) async throws -> JSONResponse<OwnProfile> {
        let identity = try context.requireIdentity()
        if let declared = request.headers[.contentLength].flatMap({ Int($0) }), declared > maxBytes {
            throw UserError.avatarTooLarge(limit: maxBytes)
        }
        let body: ByteBuffer
        do { body = try await request.body.collect(upTo: maxBytes) } catch let error as HTTPError where error.status == .contentTooLarge {
            throw UserError.avatarTooLarge(limit: maxBytes)
        }
        guard body.readableBytes > 0 else { throw UserError.notAnImage("The picture is empty.") }
        let bytes = Array(body.readableBytesView)
        let sniffed = ContentSniffer.sniff(Array(bytes.prefix(ContentSniffer.prefixLength)))
        guard sniffed.isInlineImage, let width = sniffed.width, let height = sniffed.height else {
            throw UserError.notAnImage("A profile picture is a PNG, JPEG, GIF or WebP image (this is \(sniffed.contentType)).")
        }
        guard width <= Self.maxSide, height <= Self.maxSide else {
            throw UserError.notAnImage(
                "A profile picture is at most \(Self.maxSide) × \(Self.maxSide) pixels (this is \(width) × \(height)).")
        }
        let digest = SHA256.hash(data: bytes).map { String(format: "%02x", $0) }.joined()
        let key = "avatars/\(identity.userId.uuidString.lowercased())/\(digest.prefix(32))"
        do {
            let writer = try await store.makeWriter(key: key, contentType: sniffed.contentType)
            do {
                try await writer.write(body)
                _ = try await writer.finish()
            } catch {
                await writer.abort()
                throw error
            }
        } catch {
            context.logger.error("cannot store a profile picture", metadata: ["error": "\(error)"])
            throw UserError.storageUnavailable
        }
        let record = AvatarRecord(
            userId: identity.userId, storageKey: key, contentType: sniffed.contentType, size: Int64(bytes.count), sha256: digest)
        if let replaced = try await avatars.replace(with: record) { try? await store.delete(key: replaced) }
        guard let user = try await users.find(id: identity.userId) else { throw UserError.userNotFound }
        await announcements.announce(user)
        return JSONResponse(user.ownProfile)
    }

    @Sendable func remove(_ request: Request, context: UserRequestContext) async throws -> Response {
        let identity = try context.requireIdentity()
        // Only a picture that was there is news: removing none announces nothing.
        if let key = try await avatars.remove(userId: identity.userId) {
            try? await store.delete(key: key)
            if let user = try await users.find(id: identity.userId) { await announcements.announce(user) }
        }
        return Response(status: .noContent)
    }

    @Sendable func show(_ request: Request, context: UserRequestContext) async throws -> Response {
        let id = try context.parameters.requireUUID("id", what: "user")
        guard let avatar = try await avatars.find(userId: id) else { throw UserError.avatarNotFound }
        var headers = HTTPFields()
        headers[.contentType] = avatar.contentType
        headers[.contentLength] = String(avatar.size)
        headers[.eTag] = "\"\(avatar.sha256.prefix(32))\""
        headers[.cacheControl] = "public, max-age=31536000, immutable"
        headers[.xContentTypeOptions] = "nosniff"
        headers[.contentSecurityPolicy] = "default-src 'none'; img-src 'self'; sandbox"
        headers[.contentDisposition] = "inline; filename=\"avatar\""
        if request.headers[.ifNoneMatch] == headers[.eTag] { return Response(status: .notModified, headers: headers) }
        let store = self.store, key = avatar.storageKey, size = Int(avatar.size)
        return Response(
            status: .ok, headers: headers,
            body: ResponseBody(contentLength: size) { writer in
                try await store.read(key: key, range: 0...(size - 1)) { chunk in try await writer.write(chunk) }
                try await writer.finish(nil)
            })
    }
}
