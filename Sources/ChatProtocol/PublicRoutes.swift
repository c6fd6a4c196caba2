/// The public URL space: which service answers which paths, declared once.
/// ui-service routes by it on one host; the cluster's Traefik IngressRoute
/// and each service's OpenAPI document are checked against it (tests), so a
/// new route goes here first.
public enum PublicRoutes {
    public enum Service: String, Sendable, CaseIterable {
        case users = "user-service"
        case chats = "chat-service"
    }

    /// A path prefix (the prefix itself and everything under `prefix/`) and its service.
    public struct Prefix: Sendable {
        public let path: String
        public let service: Service
    }

    public static let prefixes: [Prefix] = [
        Prefix(path: "/api/auth", service: .users),
        Prefix(path: "/api/users", service: .users),
        Prefix(path: "/api/contacts", service: .users),
        Prefix(path: "/.well-known", service: .users),
        Prefix(path: "/api/rooms", service: .chats),
        Prefix(path: "/api/ws", service: .chats),
        Prefix(path: "/api/search", service: .chats),
        Prefix(path: "/api/mentions", service: .chats),
        Prefix(path: "/api/saved", service: .chats),
        Prefix(path: "/api/threads", service: .chats),
    ]

    /// The service that answers `path`, or nil for paths no service serves publicly (ui-service's own).
    public static func service(for path: String) -> Service? {
        prefixes.first { path == $0.path || path.hasPrefix($0.path + "/") }?.service
    }
}
