import AsyncHTTPClient
import Foundation
import NIOCore
import NIOPosix

/// How a failed upstream call is classified: could the request never have
/// reached the service (so another replica may take it), or not?
enum UpstreamFailure {
    /// True when the error means no connection was made at all.
    static func isConnectFailure(_ error: any Error) -> Bool {
        if let error = error as? HTTPClientError {
            return error == .connectTimeout
        }
        if error is NIOConnectionError { return true }
        if let error = error as? ChannelError, case .connectTimeout = error { return true }
        if let error = error as? IOError {
            return [ECONNREFUSED, EHOSTUNREACH, ENETUNREACH, ECONNRESET].contains(error.errnoCode)
        }
        return false
    }

    static func isTimeout(_ error: any Error) -> Bool {
        if let error = error as? HTTPClientError { return error == .deadlineExceeded || error == .readTimeout }
        return false
    }
}
