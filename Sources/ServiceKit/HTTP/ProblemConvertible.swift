/// A domain error that knows the problem+json answer it stands for.
///
/// Each service keeps its domain errors in one file (`Domain/*Errors.swift`)
/// with their mapping, so handlers just `throw` them and `ProblemMiddleware`
/// answers every route the same way.
public protocol ProblemConvertible: Error {
    var problem: AppError { get }
}
