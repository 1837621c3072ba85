// The official number of a notice (太谷政务〔2026〕第000123号): per year, from a configurable pattern.
import Foundation

/// A pattern for notice numbers with two placeholders: `{year}` and `{seq}` or `{seq:N}` (zero-padded to N digits).
///
/// Numbers restart at 1 each year, so a pattern without `{year}` would print the same number twice in two
/// years; such a pattern is refused.
public struct NoticeNumberFormat: Sendable, Hashable, CustomStringConvertible {
    public let pattern: String
    private let pieces: [Piece]

    private enum Piece: Sendable, Hashable {
        case text(String)
        case year
        case sequence(width: Int)
    }

    /// The hall's default pattern.
    public static let hallDefault = try! NoticeNumberFormat("太谷政务〔{year}〕第{seq:6}号")

    public struct Invalid: Error, Sendable, Equatable, CustomStringConvertible {
        public let pattern: String
        public let reason: String
        public var description: String { "notice number format \"\(pattern)\" \(reason)" }
    }

    public init(_ pattern: String) throws(Invalid) {
        var pieces: [Piece] = []
        var text = ""
        var rest = Substring(pattern)
        while let open = rest.firstIndex(of: "{") {
            text += rest[rest.startIndex..<open]
            guard let close = rest[open...].firstIndex(of: "}") else {
                throw Invalid(pattern: pattern, reason: "has a `{` without a closing `}`")
            }
            let name = rest[rest.index(after: open)..<close]
            if !text.isEmpty { pieces.append(.text(text)); text = "" }
            if name == "year" {
                pieces.append(.year)
            } else if name == "seq" {
                pieces.append(.sequence(width: 1))
            } else if name.hasPrefix("seq:"), let width = Int(name.dropFirst(4)), (1...12).contains(width) {
                pieces.append(.sequence(width: width))
            } else {
                throw Invalid(pattern: pattern, reason: "has an unknown placeholder {\(name)}; use {year} and {seq} or {seq:N} (N from 1 to 12)")
            }
            rest = rest[rest.index(after: close)...]
        }
        text += rest
        if !text.isEmpty { pieces.append(.text(text)) }
        if pieces.filter({ $0 == .year }).isEmpty {
            throw Invalid(pattern: pattern, reason: "has no {year}: numbers restart every year, so without the year a number would be reused")
        }
        if !pieces.contains(where: { if case .sequence = $0 { return true } else { return false } }) {
            throw Invalid(pattern: pattern, reason: "has no {seq}: the running number is what makes each notice's number unique")
        }
        if pattern.contains("}") && pattern.filter({ $0 == "}" }).count != pattern.filter({ $0 == "{" }).count {
            throw Invalid(pattern: pattern, reason: "has a `}` without an opening `{`")
        }
        self.pattern = pattern
        self.pieces = pieces
    }

    /// The number for the `sequence`-th notice of `year`.
    public func render(year: Int, sequence: Int) -> String {
        pieces.map { piece in
            switch piece {
            case .text(let t): return t
            case .year: return String(year)
            case .sequence(let width):
                let digits = String(sequence)
                return digits.count >= width ? digits : String(repeating: "0", count: width - digits.count) + digits
            }
        }.joined()
    }

    public var description: String { pattern }
}
