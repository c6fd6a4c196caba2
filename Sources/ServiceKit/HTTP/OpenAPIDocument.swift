import Foundation
import Hummingbird
import NIOCore

/// A service's OpenAPI document: served at `GET /openapi.json`, and held to
/// the router — a route the document does not describe stops the service at
/// start-up, so the contract cannot silently fall behind the code.
public struct OpenAPIDocument: Sendable {
    public let text: String
    /// `METHOD /path` of every operation the document describes.
    public let operations: Set<String>

    public struct Invalid: Error, CustomStringConvertible {
        public var description: String
    }

    /// A service's document (a JSON file embedded in its executable) completed with the parts
    /// every service shares (`Sources/Shared/OpenAPI/shared.json`: the problem schema and
    /// response, bearer auth, the operations routes). A name defined in both is an error.
    public init(serviceDocument bytes: [UInt8]) throws {
        guard var root = try JSONSerialization.jsonObject(with: Data(bytes)) as? [String: Any],
            let shared = try JSONSerialization.jsonObject(with: Data(PackageResources.shared_json)) as? [String: Any]
        else {
            throw Invalid(description: "an OpenAPI document is not a JSON object")
        }
        root["paths"] = try Self.merged(root["paths"], shared["paths"], at: "paths")
        var components = root["components"] as? [String: Any] ?? [:]
        for (section, entries) in shared["components"] as? [String: Any] ?? [:] {
            components[section] = try Self.merged(components[section], entries, at: "components." + section)
        }
        root["components"] = components
        if root["security"] == nil { root["security"] = shared["security"] }
        let data = try JSONSerialization.data(withJSONObject: root, options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes])
        try self.init(String(decoding: data, as: UTF8.self))
    }

    /// `own` with `shared`'s entries added; an entry in both is a mistake, not an override.
    static func merged(_ own: Any?, _ shared: Any?, at place: String) throws -> [String: Any] {
        var result = own as? [String: Any] ?? [:]
        for (key, value) in shared as? [String: Any] ?? [:] {
            guard result[key] == nil else {
                throw Invalid(description: "\(place).\(key) is defined by the service and by the shared parts")
            }
            result[key] = value
        }
        return result
    }

    public init(_ text: String) throws {
        guard let root = try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any],
            let paths = root["paths"] as? [String: Any]
        else {
            throw Invalid(description: "the OpenAPI document has no paths")
        }
        var operations: Set<String> = []
        for (path, item) in paths {
            for method in (item as? [String: Any] ?? [:]).keys
            where ["get", "put", "post", "delete", "patch", "head", "options"].contains(method) {
                operations.insert("\(method.uppercased()) \(path)")
            }
        }
        self.text = text
        self.operations = operations
    }

    /// The routes among `routes` (as `METHOD /path`) that the document leaves out.
    public func undocumented(_ routes: [String]) -> [String] {
        routes.filter { !operations.contains($0) }.sorted()
    }

    /// Throws when the router has a route the document does not describe.
    public func check<Context: RequestContext>(_ router: Router<Context>) throws {
        let missing = undocumented(router.routes.map { "\($0.method.rawValue) \($0.path.description)" })
        guard missing.isEmpty else {
            throw Invalid(description: "routes missing from the OpenAPI document: \(missing.joined(separator: ", "))")
        }
    }

    /// `GET /openapi.json`.
    public func addRoutes<Context: RequestContext>(to router: Router<Context>) {
        let body = ByteBuffer(string: text)
        router.get("/openapi.json") { _, _ in
            Response(status: .ok, headers: [.contentType: "application/json", .cacheControl: "no-cache"], body: .init(byteBuffer: body))
        }
    }
}
