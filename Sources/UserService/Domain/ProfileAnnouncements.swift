import Foundation
import Logging
import ServiceKit
import Redis
import ChatProtocol

/// Tells every chat-service replica that someone's public profile changed
/// (display name, picture, status, bio), on the shared profiles channel; each
/// replica passes it to the sockets of people who share a room with them, so
/// open pages show the change without a reload. Best effort: if Redis is down,
/// pages see the change the next time they load the profile.
struct ProfileAnnouncements: Sendable {
    let redis: any ChannelPublisher
    let logger: Logger

    /// Announces `user` only when what others see of it differs from `before`
    /// (nothing is announced for a request that changed nothing, so a client
    /// looping on a profile call costs the rooms nothing).
    func announce(_ user: UserRecord, changedFrom before: UserRecord?) async {
        if let before, before.publicProfile(presence: false) == user.publicProfile(presence: false) { return }
        await announce(user)
    }

    /// Tells the person's own sockets (their other pages and devices) that their own profile
    /// changed in a way only they see (do-not-disturb): those pages read it again.
    func announceToThemselves(_ user: UserRecord) async {
        await publish(user, to: RealtimeChannel.user(user.id), failure: "could not tell a person's other pages of their change")
    }

    func announce(_ user: UserRecord) async {
        await publish(user, to: RealtimeChannel.profiles, failure: "could not announce a profile change; pages see it on their next load")
    }

    /// `user.updated` with the public profile, on `channel`; a failure is logged (best effort).
    private func publish(_ user: UserRecord, to channel: String, failure: Logger.Message) async {
        let event = ChatEvent(type: .userUpdated, data: .profile(user.publicProfile(presence: false)))
        do {
            try await redis.publish(Array(try JSONCoding.encoder.encode(event)), to: channel)
        } catch {
            logger.warning(failure, metadata: ["error": "\(error)"])
        }
    }
}
