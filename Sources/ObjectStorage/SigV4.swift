import Crypto
import Foundation

/// AWS Signature Version 4 for requests to S3-compatible services: the
/// canonical request, the string to sign and the derived key exactly as AWS
/// documents them, checked against AWS's published examples in the tests.
public struct SigV4: Sendable {
    public var accessKeyId: String
    public var secretAccessKey: String
    public var region: String
    public var service: String

    public init(accessKeyId: String, secretAccessKey: String, region: String, service: String = "s3") {
        self.accessKeyId = accessKeyId
        self.secretAccessKey = secretAccessKey
        self.region = region
        self.service = service
    }

    public struct Signed: Sendable, Equatable {
        public var authorization: String
        public var signature: String
        public var signedHeaders: String
        public var canonicalRequest: String
    }

    /// Signs a request. `path` is the URI path as sent (already percent-encoded),
    /// `headers` must hold `host` and `x-amz-date` (and for S3 `x-amz-content-sha256`),
    /// `payloadHash` is the hex SHA-256 of the body or `UNSIGNED-PAYLOAD`.
    public func sign(
        method: String, path: String, query: [(String, String)] = [], headers: [String: String],
        payloadHash: String
    ) -> Signed {
        let canonicalHeaders = headers.map { (name: $0.key.lowercased(), value: Self.trim($0.value)) }
            .sorted { $0.name < $1.name }
        let signedHeaders = canonicalHeaders.map(\.name).joined(separator: ";")
        let encodedQuery: [(name: String, value: String)] = query.map { (Self.encode($0.0), Self.encode($0.1)) }
        let sortedQuery = encodedQuery.sorted { left, right in left.name == right.name ? left.value < right.value : left.name < right.name }
        let canonicalQuery = sortedQuery.map { pair in pair.name + "=" + pair.value }.joined(separator: "&")
        let headerBlock = canonicalHeaders.map { header in header.name + ":" + header.value + "\n" }.joined()
        let canonicalPath = path.isEmpty ? "/" : path
        let canonicalRequest = [method, canonicalPath, canonicalQuery, headerBlock, signedHeaders, payloadHash].joined(separator: "\n")
        let amzDate = headers.first { $0.key.lowercased() == "x-amz-date" }?.value ?? ""
        let day = String(amzDate.prefix(8))
        let scope = "\(day)/\(region)/\(service)/aws4_request"
        let stringToSign = ["AWS4-HMAC-SHA256", amzDate, scope, Self.hex(SHA256.hash(data: Data(canonicalRequest.utf8)))]
            .joined(separator: "\n")
        var key = SymmetricKey(data: Data("AWS4\(secretAccessKey)".utf8))
        for part in [day, region, service, "aws4_request"] {
            key = SymmetricKey(data: Data(HMAC<SHA256>.authenticationCode(for: Data(part.utf8), using: key)))
        }
        let signature = Self.hex(HMAC<SHA256>.authenticationCode(for: Data(stringToSign.utf8), using: key))
        let authorization = "AWS4-HMAC-SHA256 Credential=\(accessKeyId)/\(scope), SignedHeaders=\(signedHeaders), Signature=\(signature)"
        return Signed(authorization: authorization, signature: signature, signedHeaders: signedHeaders, canonicalRequest: canonicalRequest)
    }

    /// `20150830T123600Z`, the form of `x-amz-date`.
    public static func amzDate(_ date: Date) -> String {
        var time = time_t(date.timeIntervalSince1970.rounded(.down))
        var parts = tm()
        gmtime_r(&time, &parts)
        return String(
            format: "%04d%02d%02dT%02d%02d%02dZ", parts.tm_year + 1900, parts.tm_mon + 1, parts.tm_mday,
            parts.tm_hour, parts.tm_min, parts.tm_sec)
    }

    /// RFC 3986 percent-encoding of everything but the unreserved characters (and `/` when asked).
    public static func encode(_ text: String, keepSlash: Bool = false) -> String {
        var out = ""
        for byte in text.utf8 {
            let unreserved =
                (byte >= 48 && byte <= 57) || (byte >= 65 && byte <= 90) || (byte >= 97 && byte <= 122)
                || byte == 45 || byte == 46 || byte == 95 || byte == 126 || (keepSlash && byte == 47)
            out += unreserved ? String(UnicodeScalar(byte)) : String(format: "%%%02X", byte)
        }
        return out
    }

    public static func hex(_ bytes: some Sequence<UInt8>) -> String {
        bytes.map { String(format: "%02x", $0) }.joined()
    }

    static let emptyPayloadHash = hex(SHA256.hash(data: Data()))

    private static func trim(_ value: String) -> String {
        value.split(separator: " ", omittingEmptySubsequences: true).joined(separator: " ")
    }
}
