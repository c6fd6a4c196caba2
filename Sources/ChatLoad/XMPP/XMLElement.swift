/// One XML element of an XMPP stream, as the load generator needs it: a
/// qualified name, attributes in document order, child elements and the
/// character data directly inside it (entities already decoded).
struct XMLElement: Sendable, Equatable {
    struct Attribute: Sendable, Equatable {
        var name: String
        var value: String
    }

    var name: String
    var attributes: [Attribute] = []
    var children: [XMLElement] = []
    var text = ""

    /// The name without its namespace prefix (`stream:features` → `features`).
    var localName: Substring {
        guard let colon = name.firstIndex(of: ":") else { return name[...] }
        return name[name.index(after: colon)...]
    }

    func attribute(_ name: String) -> String? {
        attributes.first { $0.name == name }?.value
    }

    /// The first child with this local name.
    func child(_ localName: String) -> XMLElement? {
        children.first { $0.localName == localName }
    }

    func children(_ localName: String) -> [XMLElement] {
        children.filter { $0.localName == localName }
    }
}

/// Escaping for the text and attribute values the client writes.
enum XMLEscape {
    static func text(_ value: String) -> String {
        guard value.contains(where: { $0 == "&" || $0 == "<" || $0 == ">" || $0 == "'" || $0 == "\"" }) else { return value }
        var out = ""
        out.reserveCapacity(value.utf8.count + 16)
        for character in value {
            switch character {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "'": out += "&apos;"
            case "\"": out += "&quot;"
            default: out.append(character)
            }
        }
        return out
    }
}
