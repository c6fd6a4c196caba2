import ServiceKit

/// What user-service's rules refuse, and the problem+json answer for each.
/// Stores and controllers throw these; `ProblemMiddleware` answers with `problem`.
enum UserError: Error, Equatable, ProblemConvertible {
    case usernameTaken
    case emailTaken
    case userNotFound
    case alreadyContact
    case contactNotFound
    case avatarNotFound
    case avatarTooLarge(limit: Int)
    /// Not a picture a profile can show; the text says why.
    case notAnImage(String)
    case storageUnavailable
    case wrongPassword
    case externalAccount(issuer: String)
    case chatServiceUnavailable

    var problem: AppError {
        switch self {
        case .usernameTaken: .conflict("username_taken", "That username is already taken.")
        case .emailTaken: .conflict("email_taken", "An account with that email already exists.")
        case .userNotFound: .notFound("user_not_found", "There is no user with that id.")
        case .alreadyContact: .conflict("contact_exists", "That user is already in your contacts.")
        case .contactNotFound: .notFound("contact_not_found", "That user is not in your contacts.")
        case .avatarNotFound: .notFound("avatar_not_found", "That user has no uploaded profile picture.")
        case let .avatarTooLarge(limit):
            AppError(.contentTooLarge, code: "upload_too_large", detail: "A profile picture can be at most \(limit / 1024) KiB.")
        case let .notAnImage(detail): AppError(.unprocessableContent, code: "not_an_image", detail: detail)
        case .wrongPassword: .forbidden("wrong_password", "That is not your current password.")
        case let .externalAccount(issuer):
            .conflict("external_account", "Your password is kept by your sign-in provider (\(issuer)); change it there.")
        case .chatServiceUnavailable:
            AppError(
                .serviceUnavailable, code: "chat_service_unavailable",
                detail: "Your conversations cannot be reached right now; try again shortly.",
                headers: [.retryAfter: "5"])
        case .storageUnavailable:
            AppError(
                .serviceUnavailable, code: "storage_unavailable", detail: "Pictures cannot be stored right now; try again shortly.",
                headers: [.retryAfter: "5"])
        }
    }
}
