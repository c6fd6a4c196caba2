import Shared

/// What user-service's rules refuse, and the problem+json answer for each.
/// Stores and controllers throw these; `ProblemMiddleware` answers with `problem`.
enum UserError: Error, Equatable, ProblemConvertible {
    case usernameTaken
    case emailTaken
    case userNotFound
    case alreadyContact
    case contactNotFound

    var problem: AppError {
        switch self {
        case .usernameTaken: .conflict("username_taken", "That username is already taken.")
        case .emailTaken: .conflict("email_taken", "An account with that email already exists.")
        case .userNotFound: .notFound("user_not_found", "There is no user with that id.")
        case .alreadyContact: .conflict("contact_exists", "That user is already in your contacts.")
        case .contactNotFound: .notFound("contact_not_found", "That user is not in your contacts.")
        }
    }
}
