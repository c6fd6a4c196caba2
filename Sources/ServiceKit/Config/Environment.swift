import Foundation
import Logging

/// Reads settings from environment variables (twelve-factor). A secret named
/// `X` may instead come from the file named by `X_FILE`, so orchestrators can
/// mount secrets without putting them in the environment.
public struct EnvironmentReader: Sendable {
    public let values: [String: String]

    public init(_ values: [String: String] = ProcessInfo.processInfo.environment) {
        self.values = values
    }

    public func string(_ name: String, default defaultValue: String) -> String {
        guard let value = values[name], !value.isEmpty else { return defaultValue }
        return value
    }

    public func optionalString(_ name: String) -> String? {
        guard let value = values[name], !value.isEmpty else { return nil }
        return value
    }

    public func int(_ name: String, default defaultValue: Int) throws -> Int {
        guard let text = values[name], !text.isEmpty else { return defaultValue }
        guard let value = Int(text) else {
            throw ConfigurationError(name: name, problem: "expected an integer, got \(text.debugDescription)")
        }
        return value
    }

    /// An integer that must lie in `range`; anything else stops start-up with a clear message.
    public func int(_ name: String, default defaultValue: Int, in range: ClosedRange<Int>) throws -> Int {
        let value = try int(name, default: defaultValue)
        guard range.contains(value) else {
            throw ConfigurationError(name: name, problem: "must be \(range.lowerBound)-\(range.upperBound), got \(value)")
        }
        return value
    }

    /// `X`, or the trimmed contents of the file named by `X_FILE`.
    public func secret(_ name: String, default defaultValue: String? = nil) throws -> String? {
        if let value = values[name], !value.isEmpty { return value }
        if let path = values[name + "_FILE"], !path.isEmpty {
            do {
                return try String(contentsOfFile: path, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
            } catch {
                throw ConfigurationError(name: name + "_FILE", problem: "cannot read \(path): \(error.localizedDescription)")
            }
        }
        return defaultValue
    }

    public func logLevel(_ name: String = "LOG_LEVEL") throws -> Logger.Level {
        let text = string(name, default: "info").lowercased()
        guard let level = Logger.Level(rawValue: text) else {
            throw ConfigurationError(name: name, problem: "expected one of trace, debug, info, notice, warning, error, critical")
        }
        return level
    }
}

public struct ConfigurationError: Error, CustomStringConvertible {
    public var name: String
    public var problem: String
    public init(name: String, problem: String) {
        self.name = name
        self.problem = problem
    }
    public var description: String { "configuration \(name): \(problem)" }
}

/// Hides the credentials in a connection URL before it is logged: the password
/// of its user part and any query parameter that carries one (libpq's
/// `?password=` and `sslpassword=`, `secret`, `token`, `key` and the like).
public func maskURLCredentials(_ url: String) -> String {
    guard var components = URLComponents(string: url) else { return "<unparseable>" }
    if components.password != nil { components.password = "****" }
    if let items = components.queryItems {
        components.queryItems = items.map { item in
            let name = item.name.lowercased()
            let secret = ["password", "passwd", "pwd", "secret", "token", "key"].contains { name.contains($0) }
            return secret && item.value != nil ? URLQueryItem(name: item.name, value: "****") : item
        }
    }
    return components.string ?? "<unparseable>"
}
