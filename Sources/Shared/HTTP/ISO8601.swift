import Foundation
import Hummingbird
import NIOCore

/// API timestamps: UTC, microsecond precision, e.g. `2026-11-25T15:18:28.123456Z`.
public enum ISO8601 {
    public static func format(_ date: Date) -> String { PostgresTimestamp.format(date) }
    public static func parse(_ text: String) -> Date? { PostgresTimestamp.parse(text) }
}
