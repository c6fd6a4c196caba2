import Foundation

/// A request body type that names the JSON fields it accepts, so a client
/// that misspells or invents a field hears about it instead of being ignored.
public protocol StrictDecodable: Decodable {
    static var fields: Set<String> { get }
}
