/// Runs `body` in a child task and waits for it. A task keeps the memory its deepest
/// call ever took (its allocator's slabs) until the task ends; a socket's tasks live as
/// long as the socket. What they call only now and then — opening, a command, a replay
/// or a gap fill — runs here instead, and its memory is freed when it returns. Not
/// inlined, so the child's bookkeeping is not part of the caller's frame either.
@inline(never)
func inChildTask<T: Sendable>(_ body: @escaping @Sendable () async throws -> T) async throws -> T {
    async let result = body()
    return try await result
}

/// `inChildTask` for work that cannot fail.
@inline(never)
func inChildTask<T: Sendable>(_ body: @escaping @Sendable () async -> T) async -> T {
    async let result = body()
    return await result
}
