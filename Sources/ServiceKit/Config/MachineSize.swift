import Foundation

/// Defaults that follow the machine a service runs on, so two replicas on two
/// cores do not open dozens of threads and backends they cannot keep busy.
/// Every one can be overridden through the environment.
public enum MachineSize {
    /// Cores this process may use.
    public static var cores: Int { max(1, ProcessInfo.processInfo.activeProcessorCount) }

    /// Database connections (each with its own thread for the blocking libpq calls):
    /// enough to keep every core busy while others wait on the network or an fsync.
    public static var databasePoolSize: Int { max(4, 2 * cores + 2) }

    /// Redis connections for publishing: one per core, at most four.
    public static var redisConnections: Int { min(4, cores) }
}
