import Foundation

/// How `@username` is written in a message: an `@` at the start or after a
/// character that cannot be part of a name (so `ann@example.com` is no
/// mention), then a username (3–32 of letters, digits, `.`, `_`, `-`, starting
/// with a letter or digit). Sentence punctuation after it is not part of the
/// name (`@bob.` names bob), and nothing inside `code` or a ``` block counts.
enum MentionSyntax {
    static let maxNamesPerMessage = 50

    /// The distinct names mentioned, lowercased, in order of first appearance (at most 50).
    static func usernames(in text: String) -> [String] {
        guard text.utf8.contains(UInt8(ascii: "@")) else { return [] }  // most messages: nothing to scan
        let scalars = Array(withoutCode(text).unicodeScalars)
        var names: [String] = []
        var seen: Set<String> = []
        var index = 0
        while index < scalars.count {
            defer { index += 1 }
            guard scalars[index] == "@", index == 0 || !isNameScalar(scalars[index - 1]) else { continue }
            var end = index + 1
            while end < scalars.count, isNameScalar(scalars[end]) { end += 1 }
            var name = String(String.UnicodeScalarView(scalars[(index + 1)..<end]))
            while let last = name.last, last == "." || last == "-" { name.removeLast() }
            guard (3...32).contains(name.count), let first = name.unicodeScalars.first, isAlphanumeric(first) else { continue }
            let key = name.lowercased()
            if seen.insert(key).inserted { names.append(key) }
            if names.count == maxNamesPerMessage { break }
            index = end - 1
        }
        return names
    }

    /// The text with code blocks and inline code blanked out (same places, spaces instead).
    static func withoutCode(_ text: String) -> String {
        var out = ""
        var rest = Substring(text)
        while let open = rest.range(of: "`") {
            out += rest[..<open.lowerBound]
            let fence = rest[open.lowerBound...].hasPrefix("```") ? "```" : "`"
            let afterOpen = rest.index(open.lowerBound, offsetBy: fence.count)
            guard let close = rest[afterOpen...].range(of: fence) else {
                out += rest[open.lowerBound...]
                return out
            }
            out += String(repeating: " ", count: rest[open.lowerBound..<close.upperBound].count)
            rest = rest[close.upperBound...]
        }
        return out + rest
    }

    private static func isAlphanumeric(_ scalar: Unicode.Scalar) -> Bool {
        scalar.isASCII && (("a"..."z").contains(scalar) || ("A"..."Z").contains(scalar) || ("0"..."9").contains(scalar))
    }

    private static func isNameScalar(_ scalar: Unicode.Scalar) -> Bool {
        isAlphanumeric(scalar) || scalar == "." || scalar == "_" || scalar == "-"
    }
}
