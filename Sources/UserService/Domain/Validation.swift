import Foundation
import ServiceKit

/// The rules every user-facing field follows, in one place.
enum Validation {
    static let usernameLength = 3...32
    static let passwordLength = 8...128
    static let displayNameLength = 1...64
    static let emailLength = 3...254
    static let bioLength = 0...500
    static let statusLength = 0...100
    static let nicknameLength = 1...64
    static let avatarURLLength = 0...2048

    static func username(_ value: String, into errors: inout [FieldError]) {
        let scalars = value.unicodeScalars
        if !usernameLength.contains(value.count) {
            errors.append(FieldError(field: "username", code: "invalid_length", detail: "must be 3 to 32 characters"))
        } else if !scalars.allSatisfy({ isASCIIAlphanumeric($0) || "._-".unicodeScalars.contains($0) })
            || !(scalars.first.map(isASCIIAlphanumeric) ?? false)
        {
            errors.append(
                FieldError(
                    field: "username", code: "invalid_format", detail: "letters, digits, '.', '_' and '-', starting with a letter or digit")
            )
        }
    }

    static func email(_ value: String, into errors: inout [FieldError]) {
        let parts = value.split(separator: "@", omittingEmptySubsequences: false)
        let valid =
            emailLength.contains(value.count)
            && parts.count == 2 && !parts[0].isEmpty && parts[0].count <= 64
            && parts[1].contains(".") && !parts[1].hasPrefix(".") && !parts[1].hasSuffix(".") && !parts[1].contains("..")
            && !value.unicodeScalars.contains(where: {
                CharacterSet.whitespacesAndNewlines.contains($0) || CharacterSet.controlCharacters.contains($0)
            })
            && parts[1].unicodeScalars.allSatisfy { isASCIIAlphanumeric($0) || $0 == "-" || $0 == "." }
        if !valid {
            errors.append(FieldError(field: "email", code: "invalid_format", detail: "must be an email address like name@example.com"))
        }
    }

    static func password(_ value: String, username: String?, into errors: inout [FieldError]) {
        if !passwordLength.contains(value.count) {
            errors.append(FieldError(field: "password", code: "weak_password", detail: "must be 8 to 128 characters"))
            return
        }
        let hasLetter = value.unicodeScalars.contains { CharacterSet.letters.contains($0) }
        let hasOther = value.unicodeScalars.contains { !CharacterSet.letters.contains($0) }
        let distinct = Set(value).count
        if !hasLetter || !hasOther || distinct < 5 {
            errors.append(
                FieldError(
                    field: "password", code: "weak_password",
                    detail: "mix letters with digits or symbols, with at least 5 different characters"))
        } else if let username, value.lowercased().contains(username.lowercased()), username.count >= 3 {
            errors.append(FieldError(field: "password", code: "weak_password", detail: "must not contain the username"))
        } else if commonPasswords.contains(value.lowercased()) {
            errors.append(FieldError(field: "password", code: "weak_password", detail: "is too common"))
        }
    }

    static func text(_ value: String, field: String, length: ClosedRange<Int>, into errors: inout [FieldError]) {
        if !length.contains(value.count) {
            errors.append(
                FieldError(field: field, code: "invalid_length", detail: "must be \(length.lowerBound) to \(length.upperBound) characters"))
        } else if value.unicodeScalars.contains(where: { CharacterSet.controlCharacters.contains($0) && $0 != "\n" }) {
            errors.append(FieldError(field: field, code: "invalid_format", detail: "must not contain control characters"))
        }
    }

    static func displayName(_ value: String, into errors: inout [FieldError]) {
        let trimmed = value.trimmingCharacters(in: .whitespacesAndNewlines)
        if trimmed.isEmpty {
            errors.append(FieldError(field: "displayName", code: "invalid_length", detail: "must not be empty"))
        } else {
            text(trimmed, field: "displayName", length: displayNameLength, into: &errors)
            if trimmed.contains("\n") {
                errors.append(FieldError(field: "displayName", code: "invalid_format", detail: "must be one line"))
            }
        }
    }

    static func avatarURL(_ value: String, into errors: inout [FieldError]) {
        guard avatarURLLength.contains(value.count), let url = URL(string: value),
            let scheme = url.scheme?.lowercased(), scheme == "https" || scheme == "http", url.host?.isEmpty == false
        else {
            errors.append(
                FieldError(field: "avatarUrl", code: "invalid_format", detail: "must be an http(s) URL of at most 2048 characters"))
            return
        }
    }

    static func phoneNumber(_ value: String, into errors: inout [FieldError]) {
        let digits = value.filter(\.isASCII).filter(\.isNumber)
        let allowed = value.unicodeScalars.allSatisfy { ("0"..."9").contains($0) || " +-().".unicodeScalars.contains($0) }
        let plusOnlyFirst = !value.dropFirst().contains("+")
        if !allowed || !plusOnlyFirst || !(6...15).contains(digits.count) || value.count > 24 {
            errors.append(
                FieldError(field: "phoneNumber", code: "invalid_format", detail: "must be a phone number such as +44 20 7946 0958"))
        }
    }

    static func isASCIIAlphanumeric(_ scalar: Unicode.Scalar) -> Bool {
        ("a"..."z").contains(scalar) || ("A"..."Z").contains(scalar) || ("0"..."9").contains(scalar)
    }

    static let commonPasswords: Set<String> = [
        "password1", "password123", "qwerty123", "12345678a", "abc12345", "letmein1", "welcome1", "iloveyou1",
        "passw0rd", "p@ssw0rd", "admin123", "qwertyuiop1", "trustno1", "sunshine1", "football1", "monkey123",
    ]
}
