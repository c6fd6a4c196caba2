import Foundation
import Logging
import ObjectStorage
import ServiceKit
import Redis

/// chat-service's settings, read from the environment (see the README's table).
struct ChatServiceConfiguration: Sendable {
    var host: String
    var port: Int
    var databaseURL: String
    var databasePoolSize: Int
    /// How long a request waits for PostgreSQL to come back (restart, failover) before answering 503.
    var databaseReconnectWait: Duration
    var redisURL: String
    var authIssuer: String
    var authDiscoveryURL: String
    var audience: String
    var userServiceURL: String
    var replicaId: String
    var webSocketQueueLimit: Int
    var webSocketPingSeconds: Int
    var webSocketConnectionsPerPerson: Int
    var webSocketCommandsPerSecond: Int
    var webSocketCommandBurst: Int
    var webSocketMaxFrameBytes: Int
    var typingWindowMilliseconds: Int
    /// How often, while Redis is away, new messages are read from PostgreSQL for the rooms listened to here.
    var degradedPollMilliseconds: Int
    /// How often each replica re-reads its connected people's rooms (a lost removal's bound).
    var membershipRecheckSeconds: Int
    /// Rooms one person may make per hour (429 `too_many_rooms` past it).
    var roomCreationsPerHour: Int
    /// How long an open socket counts as presence without being renewed: a replica that dies takes its people offline within this.
    var presenceSocketSeconds: Int
    var maxMessageLength: Int
    /// Where uploads are stored, and the limits on them.
    var storage: ObjectStoreSettings
    var attachmentMaxBytes: Int
    var unclaimedUploadSeconds: Int
    var uploadSweepSeconds: Int
    var logLevel: Logger.Level
    /// Whether link previews are fetched at all (`LINK_PREVIEWS=off` turns them off).
    var linkPreviews: Bool
    /// `address:port` pairs the preview fetcher may reach although they are not public (tests, an intranet).
    var linkPreviewAllowedTargets: [String]
    /// A PEM file of extra CAs the fetcher trusts besides the system's (a private CA's sites).
    var linkPreviewCAFile: String?

    init(environment: EnvironmentReader = EnvironmentReader()) throws {
        host = environment.string("HOST", default: "127.0.0.1")
        port = try environment.int("PORT", default: 8082, in: 1...65535)
        databaseURL = try environment.secret("DATABASE_URL") ?? "postgresql://chat_service@127.0.0.1:5432/microchat?sslmode=prefer"
        databasePoolSize = try environment.int("DATABASE_POOL_SIZE", default: MachineSize.databasePoolSize, in: 1...256)
        databaseReconnectWait = .seconds(try environment.int("DATABASE_RECONNECT_WAIT_SECONDS", default: 5, in: 0...60))
        redisURL = try environment.secret("REDIS_URL") ?? "redis://127.0.0.1:6379"
        authIssuer = environment.string("AUTH_ISSUER", default: "http://127.0.0.1:8081")
        authDiscoveryURL = environment.string("AUTH_DISCOVERY_URL", default: authIssuer + "/.well-known/openid-configuration")
        audience = environment.string("TOKEN_AUDIENCE", default: "microchat")
        userServiceURL = environment.string("USER_SERVICE_URL", default: "http://127.0.0.1:8081")
        replicaId = environment.string("REPLICA_ID", default: ProcessInfo.processInfo.hostName + "-\(port)")
        webSocketQueueLimit = try environment.int("WS_QUEUE_LIMIT", default: 1000, in: 10...1_000_000)
        webSocketPingSeconds = try environment.int("WS_PING_SECONDS", default: 30, in: 1...3600)
        webSocketConnectionsPerPerson = try environment.int("WS_MAX_CONNECTIONS_PER_USER", default: 32, in: 1...1_000_000)
        webSocketCommandsPerSecond = try environment.int("WS_COMMANDS_PER_SECOND", default: 10, in: 1...100_000)
        webSocketCommandBurst = try environment.int("WS_COMMAND_BURST", default: 30, in: 1...100_000)
        webSocketMaxFrameBytes = try environment.int("WS_MAX_FRAME_BYTES", default: 64 * 1024, in: 1024...16 * 1024 * 1024)
        typingWindowMilliseconds = try environment.int("TYPING_WINDOW_MS", default: 1000, in: 1...60_000)
        degradedPollMilliseconds = try environment.int("DEGRADED_POLL_MS", default: 250, in: 20...10_000)
        membershipRecheckSeconds = try environment.int("MEMBERSHIP_RECHECK_SECONDS", default: 30, in: 1...3600)
        roomCreationsPerHour = try environment.int("ROOM_CREATIONS_PER_HOUR", default: 60, in: 1...1_000_000)
        presenceSocketSeconds = try environment.int("PRESENCE_SOCKET_SECONDS", default: 60, in: 3...3600)
        maxMessageLength = try environment.int("MAX_MESSAGE_LENGTH", default: 4000)
        do {
            storage = try ObjectStoreSettings.make(
                backend: environment.string("STORAGE_BACKEND", default: "filesystem"),
                path: environment.string("STORAGE_PATH", default: "./storage"),
                endpoint: environment.optionalString("S3_ENDPOINT"), bucket: environment.optionalString("S3_BUCKET"),
                region: environment.string("S3_REGION", default: "us-east-1"),
                accessKeyId: environment.optionalString("S3_ACCESS_KEY_ID"), secretAccessKey: try environment.secret("S3_SECRET_ACCESS_KEY")
            )
        } catch {
            throw ConfigurationError(name: "STORAGE_BACKEND", problem: "\(error)")
        }
        attachmentMaxBytes = try environment.int("ATTACHMENT_MAX_BYTES", default: 25 * 1024 * 1024, in: 1...1024 * 1024 * 1024)
        unclaimedUploadSeconds = try environment.int("UNCLAIMED_UPLOAD_SECONDS", default: 86_400, in: 1...31_536_000)
        uploadSweepSeconds = try environment.int("UPLOAD_SWEEP_SECONDS", default: 3600, in: 1...86_400)
        logLevel = try environment.logLevel()
        switch environment.string("LINK_PREVIEWS", default: "on").lowercased() {
        case "on", "true", "1": linkPreviews = true
        case "off", "false", "0": linkPreviews = false
        default: throw ConfigurationError(name: "LINK_PREVIEWS", problem: "expected on or off")
        }
        linkPreviewAllowedTargets = environment.string("LINK_PREVIEW_ALLOWED_TARGETS", default: "")
            .split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        do { _ = try OutboundPolicy(allowedTargets: linkPreviewAllowedTargets) } catch {
            throw ConfigurationError(
                name: "LINK_PREVIEW_ALLOWED_TARGETS", problem: "expected address:port pairs, comma-separated (\(error))")
        }
        linkPreviewCAFile = environment.optionalString("LINK_PREVIEW_CA_FILE")
        guard RedisEndpoint(url: redisURL) != nil else {
            throw ConfigurationError(name: "REDIS_URL", problem: "expected redis://host:port")
        }
    }

    var webSocketLimits: WebSocketLimits {
        WebSocketLimits(
            queueLimit: webSocketQueueLimit, connectionsPerPerson: webSocketConnectionsPerPerson,
            commandsPerSecond: Double(webSocketCommandsPerSecond), commandBurst: Double(webSocketCommandBurst),
            maxFrameSize: webSocketMaxFrameBytes)
    }

    var logMetadata: Logger.Metadata {
        [
            "host": "\(host)", "port": "\(port)", "database_url": "\(maskURLCredentials(databaseURL))",
            "database_pool_size": "\(databasePoolSize)", "database_reconnect_wait": "\(databaseReconnectWait)",
            "redis_url": "\(maskURLCredentials(redisURL))",
            "auth_issuer": "\(authIssuer)", "auth_discovery_url": "\(authDiscoveryURL)", "audience": "\(audience)",
            "user_service_url": "\(userServiceURL)", "replica_id": "\(replicaId)", "ws_queue_limit": "\(webSocketQueueLimit)",
            "ws_ping_seconds": "\(webSocketPingSeconds)",
            "ws_max_connections_per_user": "\(webSocketConnectionsPerPerson)", "ws_commands_per_second": "\(webSocketCommandsPerSecond)",
            "ws_command_burst": "\(webSocketCommandBurst)", "ws_max_frame_bytes": "\(webSocketMaxFrameBytes)",
            "typing_window_ms": "\(typingWindowMilliseconds)", "degraded_poll_ms": "\(degradedPollMilliseconds)",
            "membership_recheck_s": "\(membershipRecheckSeconds)",
            "room_creations_per_hour": "\(roomCreationsPerHour)", "presence_socket_s": "\(presenceSocketSeconds)",
            "log_level": "\(logLevel)",
            "storage": "\(storage)", "attachment_max_bytes": "\(attachmentMaxBytes)",
            "unclaimed_upload_seconds": "\(unclaimedUploadSeconds)",
            "link_previews": "\(linkPreviews)", "link_preview_allowed_targets": "\(linkPreviewAllowedTargets.joined(separator: ","))",
            "link_preview_ca_file": "\(linkPreviewCAFile ?? "")",
        ]
    }
}
