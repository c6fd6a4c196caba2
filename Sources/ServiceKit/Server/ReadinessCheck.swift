import Foundation
import Hummingbird
import Logging
import Metrics
import NIOCore
import NIOPosix
import Prometheus
import Synchronization

/// A check behind `/readyz`: a name and something that throws when the dependency does not answer.
/// A check that is not `critical` names a dependency the service can work
/// without for a while (chat-service without Redis): its failure is reported
/// as `degraded: …` and the service stays ready.
public struct ReadinessCheck: Sendable {
    public var name: String
    public var critical: Bool
    public var check: @Sendable () async throws -> Void

    public init(name: String, critical: Bool = true, check: @escaping @Sendable () async throws -> Void) {
        self.name = name
        self.critical = critical
        self.check = check
    }
}
