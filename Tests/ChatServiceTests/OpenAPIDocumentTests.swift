import ServiceKit
import Testing
@testable import ChatService
import ChatProtocol

/// chat-service's OpenAPI document (a JSON file embedded in the executable, completed with
/// the shared parts) and the one table of public routes agree.
@Suite("chat-service's OpenAPI document")
struct ChatOpenAPIDocumentTests {
    static let operationsRoutes: Set<String> = ["/healthz", "/readyz", "/metrics", "/openapi.json"]

    @Test("it loads with the shared parts, and every public path is one the table sends to chat-service")
    func publicPathsFollowTheTable() throws {
        let document = try OpenAPIDocument(serviceDocument: PackageResources.chat_service_json)
        #expect(document.operations.contains("GET /healthz"), "the shared operations routes are merged in")
        #expect(document.text.contains("\"Problem\""))
        for operation in document.operations {
            let path = String(operation.split(separator: " ")[1])
            if path.hasPrefix("/internal/") || Self.operationsRoutes.contains(path) { continue }
            #expect(PublicRoutes.service(for: path) == .chats, "\(operation) is not routed to chat-service by PublicRoutes")
        }
    }

    @Test("a name defined by a service and by the shared parts stops the service")
    func duplicateNamesRefused() throws {
        let clash = #"{"openapi":"3.1.0","paths":{"/healthz":{"get":{"responses":{}}}},"components":{}}"#
        #expect(throws: OpenAPIDocument.Invalid.self) { try OpenAPIDocument(serviceDocument: Array(clash.utf8)) }
    }
}
