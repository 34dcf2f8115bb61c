/// A message of topic PARSER (parser.proto `ParserMessage`).
public struct ParserMessage: Hashable, Sendable {
    /// Field 1.
    public var action: ParserAction
    /// Field 2.
    public var data: String?
    /// Field 8 (`originalTOPIC`): the topic of the message this answers. The reference server never
    /// fills it (it uses a differently spelt key), but a decoder must accept it.
    public var originalTopic: Topic?
    /// Field 9.
    public var originalAction: Int32?

    /// Creates a parser message; every field but the action defaults to absent.
    public init(action: ParserAction, data: String? = nil, originalTopic: Topic? = nil, originalAction: Int32? = nil) {
        self.action = action
        self.data = data
        self.originalTopic = originalTopic
        self.originalAction = originalAction
    }
}
