import DeepstreamProtocol

/// A call's key in the call log: the observer plus the observer's ``CallID``.
///
/// Outgoing and served calls both carry a `nil` requestor, and their correlation ids come from
/// different clients, so the origin is part of the key.
package struct CallKey: Hashable, Sendable, CustomStringConvertible {
    /// Who observed the call.
    package var origin: CallOrigin
    /// The observer's id of the call.
    package var call: CallID

    /// Creates a key.
    package init(origin: CallOrigin, call: CallID) {
        self.origin = origin
        self.call = call
    }

    /// `outgoing:abc`, `broker:#3/abc`.
    package var description: String { "\(origin.rawValue):\(call)" }
}
