import Foundation
import ServiceKit
import ChatProtocol

extension ChatRoom {
    /// What an invitee may see of a room before accepting: its name, kind and who is in it —
    /// not what was said (`lastMessage`) nor when each member last read it (which tells when they were around).
    var asInvitationView: ChatRoom {
        var view = self
        view.lastMessage = nil
        view.unreadCount = nil
        view.mentionCount = nil
        view.muted = nil
        view.notificationLevel = nil
        view.participants = participants?.map {
            RoomParticipant(userId: $0.userId, role: $0.role, joinedAt: $0.joinedAt, lastReadAt: nil, lastReadSeq: 0)
        }
        return view
    }
}
