// The notice register as CSV (the quarter's archive the inspection office keeps): one row a notice, in Chinese column
// names, with a byte-order mark so that Excel reads it as UTF-8.
import CounterCore
import Foundation

public enum NoticeArchiveCSV {
    /// One notice of the register.
    public struct Row: Sendable {
        public let notice: Notice
        public let voided: Bool
        public let voidReason: String?
        /// When it was issued, as the register shows it.
        public let issuedAt: String

        public init(notice: Notice, voided: Bool, voidReason: String?, issuedAt: String) {
            self.notice = notice
            self.voided = voided
            self.voidReason = voidReason
            self.issuedAt = issuedAt
        }
    }

    static let header = ["编号", "种类", "申请人", "申请事项", "窗口", "经办人", "受理日期", "承诺办结日期", "签发时间", "作废", "作废原因"]

    /// The register of `rows`, CRLF line ends (RFC 4180), fields quoted where they hold a comma, quote or line break.
    public static func text(_ rows: [Row]) -> String {
        var csv = "\u{FEFF}" + header.joined(separator: ",") + "\r\n"
        for row in rows {
            let draft = row.notice.draft
            csv += [row.notice.number, draft.kind.title, draft.applicant, draft.item, String(draft.window), draft.clerk, draft.receivedOn.description,
                    row.notice.promisedCompletion?.description ?? "", row.issuedAt, row.voided ? "是" : "否", row.voidReason ?? ""]
                .map(field).joined(separator: ",") + "\r\n"
        }
        return csv
    }

    static func field(_ text: String) -> String {
        text.contains(where: { ",\"\n\r".contains($0) }) ? "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : text
    }
}
