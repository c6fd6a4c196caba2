import Crypto
import Foundation
import Testing
@testable import ObjectStorage

/// Signature V4 against the examples AWS publishes (the SigV4 test suite and
/// the S3 documentation): the S3 test server does not check signatures, so
/// these are what holds the signing code to the real thing.
@Suite("AWS Signature Version 4")
struct SigV4Tests {
    // The SigV4 test suite's credentials, scope and time.
    let suite = SigV4(
        accessKeyId: "AKIDEXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", region: "us-east-1", service: "service")
    let suiteHeaders = ["Host": "example.amazonaws.com", "X-Amz-Date": "20150830T123600Z"]
    let emptyHash = SigV4.hex(SHA256.hash(data: Data()))

    @Test("get-vanilla")
    func getVanilla() {
        let signed = suite.sign(method: "GET", path: "/", headers: suiteHeaders, payloadHash: emptyHash)
        #expect(
            signed.authorization == "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, "
                + "SignedHeaders=host;x-amz-date, Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31")
    }

    @Test("get-vanilla-query-order-key-case: the query is sorted before signing")
    func queryOrder() {
        let signed = suite.sign(
            method: "GET", path: "/", query: [("Param2", "value2"), ("Param1", "value1")], headers: suiteHeaders,
            payloadHash: emptyHash)
        #expect(signed.signature == "b97d918cfa904a5beff61c982a1b6f458b799221646efd99d3219ec94cdf2500")
    }

    // The S3 documentation's examples: bucket examplebucket, 24 May 2013.
    let s3 = SigV4(accessKeyId: "AKIAIOSFODNN7EXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", region: "us-east-1")

    @Test("S3 GET Object with a Range header")
    func s3GetObject() {
        let signed = s3.sign(
            method: "GET", path: "/test.txt",
            headers: [
                "Host": "examplebucket.s3.amazonaws.com", "Range": "bytes=0-9",
                "x-amz-content-sha256": emptyHash, "x-amz-date": "20130524T000000Z",
            ],
            payloadHash: emptyHash)
        #expect(signed.signedHeaders == "host;range;x-amz-content-sha256;x-amz-date")
        #expect(
            SigV4.hex(SHA256.hash(data: Data(signed.canonicalRequest.utf8)))
                == "7344ae5b7ee6c3e7e6b0fe0640412a37625d1fbfff95c48bbb2dc43964946972")
        #expect(signed.signature == "f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41")
    }

    @Test("S3 GET Bucket lifecycle: a query parameter without a value")
    func s3Lifecycle() {
        let signed = s3.sign(
            method: "GET", path: "/", query: [("lifecycle", "")],
            headers: ["Host": "examplebucket.s3.amazonaws.com", "x-amz-content-sha256": emptyHash, "x-amz-date": "20130524T000000Z"],
            payloadHash: emptyHash)
        #expect(signed.signature == "fea454ca298b7da1c68078a5d1bdbfbbe0d65c699e0f91ac7a200a0136783543")
    }

    @Test("x-amz-date and percent-encoding")
    func helpers() {
        #expect(SigV4.amzDate(Date(timeIntervalSince1970: 1_440_938_160)) == "20150830T123600Z")
        #expect(SigV4.encode("a b/c~d.e_f-g+h") == "a%20b%2Fc~d.e_f-g%2Bh")
        #expect(SigV4.encode("a b/c", keepSlash: true) == "a%20b/c")
        #expect(SigV4.encode("é") == "%C3%A9")
    }
}
