// A notice laid out for paper, independent of the printer: blocks of text, a QR code, room for the seal, cuts.
import Foundation

/// How a line of text is set.
public struct NoticeTextStyle: Sendable, Hashable {
    public enum Alignment: String, Sendable, Hashable { case left, center, right }
    public var alignment: Alignment
    public var bold: Bool
    /// Double width and height (titles).
    public var large: Bool
    /// What the line is, for layouts that place it apart from the flow (the A4 page puts the number at the top right
    /// and the seal with the date at the bottom right); the receipt ignores it.
    public var role: Role?

    /// Lines a page layout places by what they are rather than where they come.
    public enum Role: String, Sendable, Hashable {
        /// 编号:… (the notice number).
        case number
        /// Which copy this is (第一联 / 第二联), with the reprint mark.
        case copyLabel
        /// The window's seal, (窗口印章).
        case seal
        /// 出具日期:… (the date the notice was issued).
        case issueDate
    }

    public init(alignment: Alignment = .left, bold: Bool = false, large: Bool = false, role: Role? = nil) {
        self.alignment = alignment
        self.bold = bold
        self.large = large
        self.role = role
    }

    public static let body = NoticeTextStyle()
    public static let centered = NoticeTextStyle(alignment: .center)
    public static let title = NoticeTextStyle(alignment: .center, bold: true, large: true)
    public static let heading = NoticeTextStyle(alignment: .center, bold: true)
}

/// One element of a laid-out notice.
public enum NoticeBlock: Sendable, Hashable {
    /// A paragraph; it wraps to the paper, continuation lines indented by `hangingIndent` columns.
    case text(String, style: NoticeTextStyle, hangingIndent: Int)
    /// A QR code carrying `payload` (the notice number).
    case qr(String)
    /// Empty lines (room for the window's seal).
    case blank(Int)
    /// A dashed rule across the paper.
    case rule
    /// Cut the paper here (between the two copies, and at the end).
    case cut

    public static func text(_ s: String, _ style: NoticeTextStyle = .body) -> NoticeBlock { .text(s, style: style, hangingIndent: 0) }
}

/// A notice ready to render: both copies, in order, for paper `columns` characters wide (font A, half-width).
public struct NoticeDocument: Sendable, Hashable {
    public let number: String
    public let columns: Int
    public let blocks: [NoticeBlock]

    public init(number: String, columns: Int, blocks: [NoticeBlock]) {
        self.number = number
        self.columns = columns
        self.blocks = blocks
    }
}
