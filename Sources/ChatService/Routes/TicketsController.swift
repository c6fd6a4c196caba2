import Foundation
import Hummingbird
import ServiceKit

struct TicketResponse: Codable, Sendable {
    var ticket: String
    var expiresIn: Int
}

/// `POST /api/ws/tickets`: a one-time ticket for `GET /api/ws?ticket=…`, so
/// the page opens its socket without an access token in the URL.
struct TicketsController: Sendable {
    let tickets: WebSocketTickets

    func addRoutes(to group: RouterGroup<ChatRequestContext>) {
        group.post(use: issue)
    }

    @Sendable func issue(_ request: Request, context: ChatRequestContext) async throws -> JSONResponse<TicketResponse> {
        let identity = try context.requireIdentity()
        let ticket = try await tickets.issue(for: identity.token)
        return JSONResponse(TicketResponse(ticket: ticket, expiresIn: WebSocketTickets.lifetimeSeconds), status: .created)
    }
}
