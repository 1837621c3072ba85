// The monthly sheet (月度考勤汇总) as files the inspection office hands on: CSV (UTF-8 with a BOM, so Excel reads the
// Chinese) and XLSX (two sheets, people and windows; written by XLSXWorkbook). The same columns in both, in the hall's
// words, and the amendments after publishing in their own section.
import CounterCore
import Foundation
import XLSXWriter

public enum MonthlySheetExport {
    /// Leave kinds in the sheet's order: leave (病假, 事假), then the outings.
    static let leaveKinds = LeaveKind.allCases.filter { !$0.isOuting } + LeaveKind.allCases.filter(\.isOuting)

    /// The people's columns.
    static let personHeader: [String] = ["工号", "姓名", "窗口", "单位", "应出勤(天)", "出勤(天)", "迟到(次)", "迟到(分钟)", "早退(次)",
                                         "早退(分钟)", "缺卡(次)"] + leaveKinds.map { "\($0.chineseName)(班次)" }
        + ["外出合计(班次)", "旷工(天)", "补卡(次)", "未判定(天)", "工作时长(小时)"]

    static func personRow(_ p: MonthlySheet.Person) -> [XLSXCell] {
        var cells: [XLSXCell] = [.text(p.staffId), .text(p.name), p.window.map { .integer($0) } ?? .empty, .text(p.department)]
        cells += [p.daysDue, p.daysPresent, p.lateCount, p.lateMinutes, p.earlyCount, p.earlyMinutes, p.missingPunches].map { .integer($0) }
        cells += leaveKinds.map { .integer(p.leaveShifts[$0.rawValue] ?? 0) }
        cells += [.integer(p.outingShifts), .number(p.absentDays), .integer(p.corrections), .integer(p.pendingDays),
                  .number((Double(p.minutesWorked) / 6).rounded() / 10)]
        return cells
    }

    /// The windows' columns.
    static let windowHeader = ["窗口", "名称", "人数", "迟到(次)", "早退(次)", "缺卡(次)", "请假(班次)", "外出(班次)", "旷工(天)", "无人在岗(班次)"]

    static func windowRow(_ w: MonthlySheet.Window) -> [XLSXCell] {
        [.integer(w.window), .text(w.name), .integer(w.people), .integer(w.lateCount), .integer(w.earlyCount), .integer(w.missingPunches),
         .integer(w.leaveShifts), .integer(w.outingShifts), .number(w.absentDays), .integer(w.coverGaps)]
    }

    /// What the sheet's state means, in the hall's words.
    public static func stateText(_ sheet: MonthlySheet) -> String {
        switch sheet.state {
        case "published": return "已公示" + (sheet.publication.map { "(\($0.at),\($0.by))" } ?? "")
        case "final": return "已判定,未公示"
        case "pending": return "尚有考勤机未读取,部分日期未判定"
        default: return "本月尚未结束"
        }
    }

    /// CSV: a title line, the people, a blank line, the windows, and the amendments if any.
    public static func csv(_ sheet: MonthlySheet, hall: String) -> String {
        var lines = ["\u{FEFF}" + row(["\(hall) \(sheet.month) 月度考勤汇总", stateText(sheet)])]
        lines.append(row(personHeader))
        for person in sheet.people { lines.append(row(personRow(person).map(text))) }
        lines.append("")
        lines.append(row(windowHeader))
        for window in sheet.windows { lines.append(row(windowRow(window).map(text))) }
        if !sheet.amendments.isEmpty {
            lines.append("")
            lines.append(row(["更正(公示后)", "工号", "姓名", "项目", "公示值", "现值"]))
            for amendment in sheet.amendments {
                lines.append(row(["", amendment.staffId, amendment.name, amendment.figure, number(amendment.published), number(amendment.now)]))
            }
        }
        return lines.joined(separator: "\r\n") + "\r\n"
    }

    /// XLSX: 人员 and 窗口 sheets (and 更正 when the published month was amended).
    public static func xlsx(_ sheet: MonthlySheet, hall: String) throws -> Data {
        var book = XLSXWorkbook()
        let title: [XLSXCell] = [.bold("\(hall) \(sheet.month) 月度考勤汇总"), .text(stateText(sheet))]
        try book.addSheet(named: "人员", rows: [title, personHeader.map { .bold($0) }] + sheet.people.map(personRow),
                          columnWidths: [10, 10, 6, 24] + Array(repeating: 11, count: personHeader.count - 4), frozenHeaderRows: 2)
        try book.addSheet(named: "窗口", rows: [title, windowHeader.map { .bold($0) }] + sheet.windows.map(windowRow),
                          columnWidths: [6, 24] + Array(repeating: 12, count: windowHeader.count - 2), frozenHeaderRows: 2)
        if !sheet.amendments.isEmpty {
            try book.addSheet(named: "更正", rows: [["工号", "姓名", "项目", "公示值", "现值"].map { .bold($0) }] + sheet.amendments.map {
                [.text($0.staffId), .text($0.name), .text($0.figure), .number($0.published), .number($0.now)]
            }, frozenHeaderRows: 1)
        }
        return book.data()
    }

    private static func text(_ cell: XLSXCell) -> String {
        switch cell {
        case .text(let s), .bold(let s): return s
        case .integer(let n): return String(n)
        case .number(let x): return number(x)
        case .empty: return ""
        }
    }

    private static func number(_ x: Double) -> String {
        x == x.rounded() ? String(Int(x)) : String(x)
    }

    /// One CSV row (RFC 4180 quoting); a cell starting with = + - @ is prefixed with ' so a spreadsheet never runs it.
    private static func row(_ cells: [String]) -> String {
        cells.map { cell in
            var value = cell
            if let first = value.first, "=+-@".contains(first), Double(value) == nil { value = "'" + value }
            guard value.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return value }
            return "\"" + value.replacingOccurrences(of: "\"", with: "\"\"") + "\""
        }.joined(separator: ",")
    }
}
