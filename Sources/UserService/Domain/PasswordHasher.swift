import Crypto
import Foundation
import NIOPosix
import ServiceKit
import Synchronization
import _CryptoExtras

/// scrypt password hashes (`scrypt$N$r$p$salt$hash`, base64url parts). Hashing
/// is deliberately slow and memory-hard, so it runs on its own threads and
/// never on an event loop; the parameters travel with each hash so they can be
/// raised later without breaking old passwords.
struct PasswordHasher: Sendable {
    let rounds: Int
    let blockSize: Int
    let parallelism: Int
    let threads: NIOThreadPool
    /// Hashes running or waiting at once (each holds 16 MiB while it runs); the
    /// next is refused with 503 instead of queueing without end.
    let queueLimit: Int
    /// Of those, how many may be spent on logins that name no account (the
    /// timing equaliser): past this share a made-up login waits as long as a
    /// hash takes without hashing (so it still answers like a wrong password,
    /// never sooner), and real sign-ins keep the rest of the queue.
    let unknownLoginLimit: Int
    private let inFlight: Gate
    private let burning: Gate

    final class Gate: Sendable {
        let count = Atomic<Int>(0)
    }

    /// How long a hash has been taking (microseconds, a moving average): what a made-up login past its share waits.
    final class Timing: Sendable {
        let microseconds = Atomic<Int>(0)
        func record(_ duration: Duration) {
            let sample = Int(duration.components.seconds) * 1_000_000 + Int(duration.components.attoseconds / 1_000_000_000_000)
            let old = microseconds.load(ordering: .relaxed)
            microseconds.store(old == 0 ? sample : (old * 7 + sample) / 8, ordering: .relaxed)
        }
    }
    private let timing = Timing()

    init(
        rounds: Int = 1 << 14, blockSize: Int = 8, parallelism: Int = 1, threads: NIOThreadPool, queueLimit: Int = .max,
        unknownLoginLimit: Int? = nil
    ) {
        self.rounds = rounds
        self.blockSize = blockSize
        self.parallelism = parallelism
        self.threads = threads
        self.queueLimit = queueLimit
        self.unknownLoginLimit = unknownLoginLimit ?? max(1, queueLimit / 4)
        self.inFlight = Gate()
        self.burning = Gate()
    }

    /// Runs `body` on the hashing threads if the queue has room, else throws 503 `busy`.
    private func admitted<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        let waiting = inFlight.count.wrappingAdd(1, ordering: .relaxed).newValue
        defer { inFlight.count.wrappingSubtract(1, ordering: .relaxed) }
        guard waiting <= queueLimit else {
            throw AppError.busy("busy", "Too many sign-ins at once; try again in a moment.", retryAfter: 1)
        }
        let timing = self.timing
        return try await threads.runIfActive {
            let started = ContinuousClock.now
            defer { timing.record(ContinuousClock.now - started) }
            return try body()
        }
    }

    func hash(_ password: String) async throws -> String {
        let salt = (0..<16).map { _ in UInt8.random(in: .min ... .max) }
        let (rounds, blockSize, parallelism) = (self.rounds, self.blockSize, self.parallelism)
        let derived = try await admitted {
            try Self.derive(password, salt: salt, rounds: rounds, blockSize: blockSize, parallelism: parallelism)
        }
        return "scrypt$\(rounds)$\(blockSize)$\(parallelism)$\(Base64URL.encode(salt))$\(Base64URL.encode(derived))"
    }

    /// Constant-time comparison against a stored hash; a malformed hash never matches.
    func verify(_ password: String, against stored: String) async throws -> Bool {
        let parts = stored.split(separator: "$")
        guard parts.count == 6, parts[0] == "scrypt", let rounds = Int(parts[1]), let blockSize = Int(parts[2]),
            let parallelism = Int(parts[3]), let salt = Base64URL.decode(parts[4]), let expected = Base64URL.decode(parts[5]),
            rounds > 1, rounds <= 1 << 20, blockSize > 0, blockSize <= 32, parallelism > 0, parallelism <= 16
        else { return false }
        let derived = try await admitted {
            try Self.derive(password, salt: Array(salt), rounds: rounds, blockSize: blockSize, parallelism: parallelism)
        }
        guard derived.count == expected.count else { return false }
        var difference: UInt8 = 0
        for (left, right) in zip(derived, expected) { difference |= left ^ right }
        return difference == 0
    }

    /// Spends the same effort as a real check, so an unknown login answers as slowly as a wrong password.
    /// Within `unknownLoginLimit` at once it hashes; past it, it waits a hash's usual time without using a thread.
    func burnTime() async throws {
        let running = burning.count.wrappingAdd(1, ordering: .relaxed).newValue
        defer { burning.count.wrappingSubtract(1, ordering: .relaxed) }
        guard running <= unknownLoginLimit else {
            let usual = timing.microseconds.load(ordering: .relaxed)
            try await Task.sleep(for: .microseconds(usual > 0 ? usual : 100_000))
            return
        }
        _ = try await hash("timing-equaliser")
    }

    private static func derive(_ password: String, salt: [UInt8], rounds: Int, blockSize: Int, parallelism: Int) throws -> [UInt8] {
        let key = try KDF.Scrypt.deriveKey(
            from: Array(password.utf8), salt: salt, outputByteCount: 32,
            rounds: rounds, blockSize: blockSize, parallelism: parallelism
        )
        return key.withUnsafeBytes { Array($0) }
    }
}
