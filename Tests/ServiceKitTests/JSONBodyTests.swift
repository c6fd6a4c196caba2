import Foundation
import Testing
@testable import ServiceKit
import ChatProtocol

struct Sample: StrictDecodable {
    static let fields: Set<String> = ["name", "count"]
    var name: String
    var count: Int?
}

@Suite("Strict JSON bodies and timestamps")
struct JSONBodyTests {
    func code(_ json: String) -> String? {
        do {
            _ = try JSONBody.decode(Sample.self, from: Data(json.utf8))
            return nil
        } catch let error as AppError {
            return error.code
        } catch {
            return "\(error)"
        }
    }

    @Test("good bodies decode; every kind of bad body has its own code")
    func codes() {
        #expect(code(#"{"name":"a","count":2}"#) == nil)
        #expect(code(#"{"name":"a"}"#) == nil)
        #expect(code("") == "malformed_json")
        #expect(code("not json") == "malformed_json")
        #expect(code("[1,2]") == "malformed_json")
        #expect(code(#"{"name":"a","extra":1}"#) == "unknown_field")
        #expect(code(#"{"name":5}"#) == "wrong_type")
        #expect(code(#"{"name":null}"#) == "wrong_type")
        #expect(code(#"{"count":1}"#) == "missing_field")
    }

    @Test("timestamps keep microseconds through text and back")
    func timestamps() throws {
        let date = Date(timeIntervalSince1970: 1_764_083_908.654321)
        let text = ISO8601.format(date)
        #expect(text == "2025-11-25T15:18:28.654321Z")
        let parsed = try #require(ISO8601.parse(text))
        #expect(abs(parsed.timeIntervalSince1970 - date.timeIntervalSince1970) < 0.000_001)
        let server = try #require(ISO8601.parse("2025-11-25 15:18:28.5+00"))
        #expect(server.timeIntervalSince1970 == 1_764_083_908.5)
        let offset = try #require(ISO8601.parse("2025-11-25 17:18:28+02:00"))
        #expect(offset.timeIntervalSince1970 == 1_764_083_908)
        #expect(ISO8601.parse("garbage") == nil)
        // Out-of-range fields are no time at all (they are not rolled over into the next month or day).
        for bad in [
            "2026-13-01T00:00:00Z", "2026-02-29T00:00:00Z", "2026-04-31T00:00:00Z", "2026-12-40T00:00:00Z", "2026-12-05T24:00:00Z",
            "2026-12-05T12:60:00Z", "2026-12-05T12:00:61Z", "2026/12/05T12:00:00Z", "2026-12-05X12:00:00Z", "2026-12-05T12:00:00+25:00",
        ] {
            #expect(ISO8601.parse(bad) == nil, "\(bad)")
        }
        #expect(ISO8601.parse("2024-02-29T23:59:59Z") != nil)
    }
}
