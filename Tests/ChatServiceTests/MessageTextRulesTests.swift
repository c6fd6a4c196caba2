import Foundation
import ServiceKit
import Testing
@testable import ChatService

/// The pure rules behind mentions, reactions and search snippets.
@Suite("message text rules")
struct MessageTextRulesTests {
    @Test("@usernames are found where a name can start, not in emails or code, without trailing punctuation")
    func mentions() {
        let text =
            "hi @Ann, @bob. and @carol-! mail dave@example.com `@eve` ```\n@frank\n``` @gi @toolong" + String(repeating: "x", count: 40)
        #expect(MentionSyntax.usernames(in: text) == ["ann", "bob", "carol"])
        #expect(MentionSyntax.usernames(in: "@ann @ANN @ann") == ["ann"])
        #expect(MentionSyntax.usernames(in: "(@a.b_c-d)") == ["a.b_c-d"])
        #expect(MentionSyntax.usernames(in: "@_x1 @-abc") == [])
        let many = (0..<80).map { "@user\($0)" }.joined(separator: " ")
        #expect(MentionSyntax.usernames(in: many).count == MentionSyntax.maxNamesPerMessage)
        // An unclosed backtick leaves the rest as text.
        #expect(MentionSyntax.usernames(in: "`open @ann") == ["ann"])
    }

    @Test("a reaction is exactly one emoji, however many code points it takes")
    func emoji() throws {
        for good in ["👍", "❤️", "👨‍👩‍👧", "🇫🇷", "👋🏽", "1️⃣", "🏳️‍🌈", "☺️"] {
            #expect(try Validation.emoji(good) == good)
        }
        for bad in [nil, "", " ", "a", "1", "#", "©", "™", "👍👍", "👍 ", "\u{200D}", "ab", "<b>", "\u{0007}"] {
            #expect(throws: AppError.self) { try Validation.emoji(bad) }
        }
    }

    @Test("search snippets: PostgreSQL's marks become ranges in UTF-16 units")
    func snippets() {
        let s = MessageStore.highlightStart, e = MessageStore.highlightEnd
        let (text, ranges) = MessageStore.highlighted("an \(s)emoji\(e) 🎉 then \(s)deploy\(e) … \(s)\(e)")
        #expect(text == "an emoji 🎉 then deploy … ")
        let utf16 = Array(text.utf16)
        #expect(ranges.map { String(decoding: utf16[$0[0]..<$0[1]], as: UTF16.self) } == ["emoji", "deploy"])
    }

    @Test("search form values: + is a space, %2B a plus")
    func formValues() {
        #expect(SearchController.formValue("q", in: "q=a+b%2Bc&limit=3") == "a b+c")
        #expect(SearchController.formValue("q", in: "limit=3") == nil)
        #expect(SearchController.formValue("q", in: "q=") == "")
    }
}
