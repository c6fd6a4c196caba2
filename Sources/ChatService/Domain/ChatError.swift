import Shared

/// What chat-service's rules refuse, and the problem+json answer for each.
/// Stores and controllers throw these; `ProblemMiddleware` answers with `problem`.
enum ChatError: Error, Equatable, ProblemConvertible {
    /// No such room, or the caller is not in it (the answer does not say which).
    case roomNotFound
    case messageNotFound
    case alreadyParticipant
    case participantNotFound
    /// The change would leave a group without an owner.
    case lastOwner
    /// This replica is shutting down; the same request to another one will do.
    case shuttingDown

    var problem: AppError {
        switch self {
        case .roomNotFound: .notFound("room_not_found", "There is no such room.")
        case .messageNotFound: .notFound("message_not_found", "There is no such message in this room.")
        case .alreadyParticipant: .conflict("already_participant", "That user is already in the room.")
        case .participantNotFound: .notFound("participant_not_found", "That user is not in the room.")
        case .lastOwner: .conflict("last_owner", "The room needs at least one owner; make someone else owner first.")
        case .shuttingDown:
            AppError(.serviceUnavailable, code: "shutting_down", detail: "This replica is shutting down; send again.", headers: [.retryAfter: "1"])
        }
    }
}
