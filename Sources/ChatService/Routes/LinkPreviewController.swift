import ChatProtocol
import Foundation
import Hummingbird
import ServiceKit

/// `/api/rooms/{roomId}/messages/{messageId}/preview`: the card for the first link of a
/// text message, for the room's members. The server fetches the page (see
/// `LinkPreviewer` and `OutboundPolicy`), so no member's browser ever talks to the
/// linked site, and re-serves the page's picture from `…/preview/image`. The author
/// can remove the card (`DELETE`), which every socket in the room hears as `message.updated`.
struct LinkPreviewController: Sendable {
    let rooms: RoomStore
    let messages: MessageStore
    /// nil when the operator turned link previews off (`LINK_PREVIEWS=off`).
    let previews: LinkPreviewer?
    let cache: LinkPreviewCache
    let gateway: Gateway

    func addRoutes(to group: RouterGroup<ChatRequestContext>) {
        group.get("{roomId}/messages/{messageId}/preview", use: preview)
        group.get("{roomId}/messages/{messageId}/preview/image", use: image)
        group.delete("{roomId}/messages/{messageId}/preview", use: hide)
    }

    @Sendable func preview(_ request: Request, context: ChatRequestContext) async throws -> JSONResponse<LinkPreview> {
        let (access, message, found) = try await linked(context)
        guard let link = found else {
            return JSONResponse(
                .none(url: nil, status: .none, detail: "This message has no link to preview, or its author turned the preview off."))
        }
        guard let previews else {
            return JSONResponse(.none(url: link.absoluteString, status: .off, detail: "Link previews are turned off on this server."))
        }
        // A fetch is charged to whoever posted the link: readers of a busy room are not.
        let entry = try await previews.entry(for: link, sender: message.senderId)
        if let failure = entry.failure { return JSONResponse(Self.answer(failure, url: link.absoluteString)) }
        let image = entry.image.map {
            LinkPreviewImage(
                url: "/api/rooms/\(Self.id(access.roomId))/messages/\(Self.id(message.id))/preview/image",
                contentType: $0.contentType, width: $0.width, height: $0.height)
        }
        let metadata = entry.metadata
        return JSONResponse(
            LinkPreview(
                url: link.absoluteString, finalUrl: entry.finalURL ?? link.absoluteString, title: metadata.title,
                description: metadata.description, siteName: metadata.siteName, image: image))
    }

    /// The card's picture as fetched (its type read from its bytes), never the linked site's own URL.
    @Sendable func image(_ request: Request, context: ChatRequestContext) async throws -> Response {
        let (_, message, link) = try await linked(context)
        guard let link else { throw AppError.notFound("no_link_preview_image", "This message has no link preview.") }
        var found = try await cache.image(LinkPreviewer.cacheKey(link))
        if found == nil {
            // Not fetched yet (or expired): fetch the card, which brings its picture.
            _ = try await previews?.entry(for: link, sender: message.senderId)
            found = try await cache.image(LinkPreviewer.cacheKey(link))
        }
        guard let (contentType, bytes) = found else {
            throw AppError.notFound("no_link_preview_image", "This message's link preview has no image.")
        }
        var headers = HTTPFields()
        headers[.contentType] = contentType
        headers[.contentLength] = String(bytes.count)
        headers[.cacheControl] = "private, max-age=3600"
        headers[.xContentTypeOptions] = "nosniff"
        headers[.contentSecurityPolicy] = "default-src 'none'; sandbox"
        headers[.contentDisposition] = "inline"
        return Response(status: .ok, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(bytes: bytes)))
    }

    /// The author removes the card: the message keeps its text, the page shows no preview.
    @Sendable func hide(_ request: Request, context: ChatRequestContext) async throws -> JSONResponse<ChatMessage> {
        let access = try await RoomsController.access(rooms, context)
        let messageId = try MessagesController.messageId(context)
        guard let existing = try await messages.find(roomId: access.roomId, messageId: messageId) else { throw ChatError.messageNotFound }
        guard existing.senderId == access.identity.userId else {
            throw AppError.forbidden("not_message_author", "Only the message's author can remove its link preview.")
        }
        guard existing.deletedAt == nil, let updated = try await messages.hideLinkPreview(roomId: access.roomId, messageId: messageId)
        else {
            throw ChatError.messageDeleted
        }
        if existing.linkPreview {
            await gateway.publish(ChatEvent.messageUpdated(updated), toRoom: access.roomId)
        }
        return JSONResponse(updated)
    }

    /// The caller's access, the message, and the link its card is for (nil when it has none to preview:
    /// no link outside code, a deleted or non-text message, or the card turned off).
    private func linked(_ context: ChatRequestContext) async throws -> (RoomsController.RoomAccess, ChatMessage, URL?) {
        let access = try await RoomsController.access(rooms, context)
        let messageId = try MessagesController.messageId(context)
        guard let message = try await messages.find(roomId: access.roomId, messageId: messageId) else { throw ChatError.messageNotFound }
        guard message.deletedAt == nil, message.messageType == .text, message.linkPreview, let content = message.content else {
            return (access, message, nil)
        }
        return (access, message, LinkFinder.firstLink(in: content))
    }

    /// Why a link has no card, as the answer says it (200: a state of the link, not a failed request;
    /// never a 5xx, since a third party's outage is not this service's).
    static func answer(_ failure: LinkPreviewFailure, url: String) -> LinkPreview {
        switch failure {
        case let .refused(detail): .none(url: url, status: .refused, detail: "The link is not previewed: \(detail).")
        case let .failed(detail): .none(url: url, status: .unavailable, detail: "The linked page could not be read: \(detail).")
        case let .empty(detail): .none(url: url, status: .empty, detail: "The linked page has nothing to preview: \(detail).")
        }
    }

    /// As every id in the API's JSON is written.
    static func id(_ id: UUID) -> String { id.uuidString }
}
