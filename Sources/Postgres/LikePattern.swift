/// Text matched with `LIKE … ESCAPE '\'`: its `\`, `%` and `_` stand for themselves.
public enum LikePattern {
    public static func escape(_ text: String) -> String {
        text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "%", with: "\\%")
            .replacingOccurrences(of: "_", with: "\\_")
    }
}
