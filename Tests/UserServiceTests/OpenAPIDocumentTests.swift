import ServiceKit
import Testing
@testable import UserService
import ChatProtocol

/// user-service's OpenAPI document and the one table of public routes agree.
@Suite("user-service's OpenAPI document")
struct UserOpenAPIDocumentTests {
    @Test("it loads with the shared parts, and every public path is one the table sends to user-service")
    func publicPathsFollowTheTable() throws {
        let document = try OpenAPIDocument(serviceDocument: PackageResources.user_service_json)
        #expect(document.operations.contains("GET /metrics"))
        for operation in document.operations {
            let path = String(operation.split(separator: " ")[1])
            if path.hasPrefix("/internal/") || ["/healthz", "/readyz", "/metrics", "/openapi.json"].contains(path) { continue }
            #expect(PublicRoutes.service(for: path) == .users, "\(operation) is not routed to user-service by PublicRoutes")
        }
    }
}
