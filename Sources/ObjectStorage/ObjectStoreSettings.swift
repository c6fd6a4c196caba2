import AsyncHTTPClient

/// Which backend a service stores files in, as its configuration says
/// (`STORAGE_BACKEND=filesystem` with `STORAGE_PATH`, or `s3` with the `S3_*` settings).
public enum ObjectStoreSettings: Sendable, CustomStringConvertible {
    case fileSystem(root: String)
    case s3(S3ObjectStore.Configuration)

    public func makeStore(client: HTTPClient) throws -> any ObjectStore {
        switch self {
        case let .fileSystem(root): FileObjectStore(root: root)
        case let .s3(configuration): try S3ObjectStore(configuration: configuration, client: client)
        }
    }

    /// The settings a service's configuration read (`STORAGE_BACKEND` and the rest), checked.
    public static func make(
        backend: String, path: String, endpoint: String?, bucket: String?, region: String,
        accessKeyId: String?, secretAccessKey: String?
    ) throws -> ObjectStoreSettings {
        switch backend {
        case "filesystem":
            return .fileSystem(root: path)
        case "s3":
            guard let endpoint, let bucket, let accessKeyId, let secretAccessKey, !bucket.isEmpty else {
                throw ObjectStoreError.unavailable(
                    "STORAGE_BACKEND=s3 needs S3_ENDPOINT, S3_BUCKET, S3_ACCESS_KEY_ID and S3_SECRET_ACCESS_KEY")
            }
            return .s3(
                .init(endpoint: endpoint, bucket: bucket, region: region, accessKeyId: accessKeyId, secretAccessKey: secretAccessKey))
        default:
            throw ObjectStoreError.unavailable("STORAGE_BACKEND is filesystem or s3, not \(backend)")
        }
    }

    /// For the start-up log: never the secret key.
    public var description: String {
        switch self {
        case let .fileSystem(root): "filesystem \(root)"
        case let .s3(configuration): "s3 \(configuration.endpoint)/\(configuration.bucket) (\(configuration.region))"
        }
    }
}
