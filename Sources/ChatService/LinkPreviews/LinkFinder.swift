import Foundation

/// The link a message's card is for: the first bare or Markdown http(s) address of
/// its text, outside code, found as the page finds links (up to white space, `<`,
/// `>`, quotes or a backtick; trailing punctuation is not part of it).
enum LinkFinder {
    static func firstLink(in text: String) -> URL? {
        for candidate in outsideCode(text).matches(of: /(?i)https?:\/\/[^\s<>"'`]+/) {
            var address = Substring(candidate.output)
            while let last = address.last, ".,;:!?)]}".contains(last) { address = address.dropLast() }
            guard address.count > "https://".count, address.utf8.count <= FetchTarget.maxLength, let url = URL(string: String(address)),
                url.host() != nil
            else { continue }
            return url
        }
        return nil
    }

    /// The text with fenced blocks and inline `code` blanked out: a link in code is quoted, not shared.
    static func outsideCode(_ text: String) -> String {
        var kept: [Substring] = []
        var inFence = false
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            if line.trimmingCharacters(in: .whitespaces).hasPrefix("```") {
                inFence.toggle()
                continue
            }
            guard !inFence else { continue }
            let parts = line.split(separator: "`", omittingEmptySubsequences: false)
            // Even pieces are outside backticks, odd ones inside — but an unclosed backtick quotes nothing.
            let unclosed = parts.count % 2 == 0
            kept.append(
                contentsOf: parts.enumerated().filter { $0.offset % 2 == 0 || (unclosed && $0.offset == parts.count - 1) }.map(\.element))
        }
        return kept.joined(separator: "\n")
    }
}
