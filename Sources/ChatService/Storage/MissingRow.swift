import Foundation
import Shared

struct MissingRow: Error {}

extension Optional {
    func unwrapped() throws -> Wrapped {
        guard let self else { throw MissingRow() }
        return self
    }
}
