import Foundation
import Hummingbird
import Testing
@testable import ServiceKit

@Suite("OpenAPI document held to the router")
struct OpenAPIDocumentTests {
    let document = """
        {"openapi":"3.1.0","paths":{"/api/rooms":{"get":{},"post":{}},"/api/rooms/{roomId}":{"get":{},"parameters":[]}}}
        """

    @Test("a router whose every route is described passes; a route left out is named")
    func undocumentedRoutes() throws {
        let described = try OpenAPIDocument(document)
        let router = Router()
        router.get("api/rooms") { _, _ in "" }
        router.post("api/rooms") { _, _ in "" }
        router.get("api/rooms/{roomId}") { _, _ in "" }
        try described.check(router)

        router.delete("api/rooms/{roomId}") { _, _ in "" }
        router.get("healthz") { _, _ in "" }
        #expect(
            described.undocumented(router.routes.map { "\($0.method.rawValue) \($0.path)" }) == [
                "DELETE /api/rooms/{roomId}", "GET /healthz",
            ])
        #expect(throws: OpenAPIDocument.Invalid.self) { try described.check(router) }
    }

    @Test("path-level keys that are not methods are not operations; a document without paths is refused")
    func operationsAreMethodsOnly() throws {
        #expect(try OpenAPIDocument(document).operations == ["GET /api/rooms", "POST /api/rooms", "GET /api/rooms/{roomId}"])
        #expect(throws: OpenAPIDocument.Invalid.self) { try OpenAPIDocument("{\"openapi\":\"3.1.0\"}") }
    }
}
