import Foundation
import Hummingbird
import Redis
import ServiceAuth

/// The routes about people — one's profile, others' profiles and search, contacts,
/// blocks, and the internal lookups chat-service makes — over whichever stores they
/// are given: PostgreSQL and Redis in the service, memory in the route tests.
/// `buildApplication` and the tests both call `add(to:authenticated:)`, so the
/// routes tested are the routes served.
struct PeopleRoutes: Sendable {
    let users: any UserStoring
    let contacts: any ContactStoring
    let blocks: any BlockStoring
    let presence: PresenceVisibility
    let profiles: ProfileAnnouncements
    let relations: RelationAnnouncements

    /// Adds the routes behind `authenticated`; answers the `/api/users` group, where avatars go too.
    @discardableResult
    func add(to router: Router<UserRequestContext>, authenticated: AuthMiddleware<UserRequestContext>)
        -> RouterGroup<UserRequestContext>
    {
        let usersGroup = router.group("api/users").add(middleware: authenticated)
        UsersController(users: users, presence: presence, announcements: profiles).addRoutes(to: usersGroup)
        BlocksController(blocks: blocks, announcements: relations).addRoutes(to: usersGroup)
        ContactsController(contacts: contacts, presence: presence)
            .addRoutes(to: router.group("api/contacts").add(middleware: authenticated))
        InternalController(users: users, blocks: blocks).addRoutes(to: router.group("internal").add(middleware: authenticated))
        return usersGroup
    }
}
