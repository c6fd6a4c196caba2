/// How live events reach this replica's clients, when it is not the usual way
/// (Redis pub/sub): what `/readyz` reports under `delivery`.
enum DeliveryPath: Error, CustomStringConvertible {
    case postgresPolling

    var description: String {
        switch self {
        case .postgresPolling: "Redis is away; new messages are read from PostgreSQL for the rooms listened to here"
        }
    }
}
