import Foundation
import Synchronization
import ServiceKit

/// Tokens whose signature and claims already checked out, kept until they
/// expire so a busy client is not re-verified (an ES256 or RS256 signature
/// check) on every request. Keyed by the whole token, so a token differing in
/// any byte is verified afresh. Bounded: when full, expired entries go first,
/// then the oldest half.
final class VerifiedTokenCache: Sendable {
    private struct Entry {
        var identity: Identity
        var validUntil: TimeInterval
        var added: UInt64
    }

    private struct State {
        var entries: [String: Entry] = [:]
        var counter: UInt64 = 0
    }

    let capacity: Int
    private let state = Mutex(State())

    init(capacity: Int) {
        self.capacity = max(0, capacity)
    }

    var count: Int { state.withLock { $0.entries.count } }

    /// The identity of a token verified before, unless it has expired since.
    func identity(for token: String, now: Date) -> Identity? {
        state.withLock { state in
            guard let entry = state.entries[token] else { return nil }
            guard now.timeIntervalSince1970 < entry.validUntil else {
                state.entries[token] = nil
                return nil
            }
            return entry.identity
        }
    }

    /// Remembers a verified token until `validUntil` (seconds since 1970: its expiry plus the leeway).
    func remember(_ token: String, _ identity: Identity, validUntil: TimeInterval, now: Date) {
        guard capacity > 0 else { return }
        state.withLock { state in
            if state.entries.count >= capacity, state.entries[token] == nil {
                let current = now.timeIntervalSince1970
                state.entries = state.entries.filter { $0.value.validUntil > current }
                if state.entries.count >= capacity {
                    let keep = state.entries.sorted { $0.value.added > $1.value.added }.prefix(capacity / 2)
                    state.entries = Dictionary(uniqueKeysWithValues: keep.map { ($0.key, $0.value) })
                }
            }
            state.counter += 1
            state.entries[token] = Entry(identity: identity, validUntil: validUntil, added: state.counter)
        }
    }
}
