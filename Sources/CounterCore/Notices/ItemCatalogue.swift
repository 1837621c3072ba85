// The window's items (事项目录): each item's promised period in working days, its materials and its joint departments,
// read from the list the hall already keeps; every row checked before any is accepted.
import Foundation

/// One item a window handles (一个事项).
public struct CatalogueItem: Sendable, Hashable, Codable {
    /// The window that accepts it.
    public var window: Int
    /// 事项名称, as it is written on the notice.
    public var name: String
    /// 承诺时限, in working days.
    public var promisedWorkingDays: Int
    /// 申请材料: everything the applicant brings, in the list's order.
    public var materials: [String]
    /// 联办部门: the departments of a joint item (联办件), the first window's own included; empty for other items.
    public var departments: [String]
    /// The line of the file it came from.
    public var line: Int

    public init(window: Int, name: String, promisedWorkingDays: Int, materials: [String], departments: [String] = [], line: Int = 0) {
        self.window = window
        self.name = name
        self.promisedWorkingDays = promisedWorkingDays
        self.materials = materials
        self.departments = departments
        self.line = line
    }

    /// Whether the item is handled jointly (两个及以上部门): its acceptance is a 联办件受理通知书.
    public var isJoint: Bool { departments.count >= 2 }
}

/// One thing wrong with one row of an item catalogue.
public struct ItemCatalogueProblem: Sendable, Equatable, CustomStringConvertible {
    /// The line of the file (1 is the header).
    public let line: Int
    public let column: String?
    public let message: String

    public init(line: Int, column: String?, message: String) {
        self.line = line
        self.column = column
        self.message = message
    }

    public var description: String {
        if let column { return "line \(line), column \(column): \(message)" }
        return "line \(line): \(message)"
    }
}

/// An item catalogue that cannot be imported: every problem found, nothing imported.
public struct ItemCatalogueError: Error, Sendable, Equatable, CustomStringConvertible {
    public let problems: [ItemCatalogueProblem]

    public init(problems: [ItemCatalogueProblem]) { self.problems = problems }

    public var description: String {
        "the item catalogue was not imported (the catalogue in use is unchanged); fix these lines and import again:\n"
            + problems.map { "  " + $0.description }.joined(separator: "\n")
    }
}

/// The item catalogue format, the columns a hall's 事项目录 list already has:
///
/// ```
/// 窗口,事项名称,承诺时限,申请材料,联办部门
/// 3,食品经营许可(新办),5,营业执照副本复印件；法定代表人身份证明；食品安全管理制度文本,
/// 3,开办餐饮店(一件事),10,营业执照副本复印件；消防安全检查申请表,县市场监督管理局；县消防救援大队
/// ```
///
/// Headers may be the English ones (`window`, `item`, `days`, `materials`, `departments`); 承诺期限 and
/// 承诺时限(工作日) are read as 承诺时限, 材料清单 as 申请材料. Materials and departments are separated by `；`, `;`, `|` or
/// a line break inside the cell (not by `、`, which material names use themselves). `联办部门` may be left out.
/// An item appears once per window; its period is 1 to 365 working days. Title rows above the header are skipped.
public enum ItemCatalogue {
    struct Column {
        let key: String
        let names: [String]
        let required: Bool
    }

    static let columns: [Column] = [
        Column(key: "window", names: ["window", "窗口", "窗口号"], required: true),
        Column(key: "item", names: ["item", "事项名称", "事项"], required: true),
        Column(key: "days", names: ["days", "承诺时限", "承诺期限", "承诺时限(工作日)", "承诺时限（工作日）", "承诺期限(工作日)", "承诺期限（工作日）"], required: true),
        Column(key: "materials", names: ["materials", "申请材料", "材料清单", "所需材料"], required: true),
        Column(key: "departments", names: ["departments", "联办部门", "参与部门"], required: false),
    ]

    /// The list's separators between materials (and between departments).
    static let separators: Set<Character> = ["；", ";", "|", "\n", "\r\n", "\r"]

    /// A header cell without any spaces or line breaks (a wrapped header 承诺时限\n(工作日) reads as 承诺时限(工作日)).
    static func headerName(_ cell: String) -> String {
        String(cell.unicodeScalars.filter { !CharacterSet.whitespacesAndNewlines.contains($0) }.map(Character.init))
    }

    /// Reads a catalogue from CSV text (UTF-8, a BOM allowed).
    /// - Throws: ``ItemCatalogueError`` listing every line to fix.
    public static func parse(csv text: String) throws(ItemCatalogueError) -> [CatalogueItem] {
        let records: [CSV.Record]
        do { records = try CSV.records(text) } catch { throw ItemCatalogueError(problems: [ItemCatalogueProblem(line: error.row, column: nil, message: error.message)]) }
        return try parse(rows: records.map { ($0.line, $0.fields) })
    }

    /// Reads a catalogue from rows already split into cells (a spreadsheet's rows), each with its line (row) number;
    /// the first row is the header.
    /// - Throws: ``ItemCatalogueError`` listing every line to fix.
    public static func parse(rows: [(line: Int, cells: [String])]) throws(ItemCatalogueError) -> [CatalogueItem] {
        var rows = rows.filter { !$0.cells.allSatisfy { $0.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty } }
        // A title row or two above the header (2026年事项目录), as spreadsheets kept by halls have, is skipped.
        if let headerAt = rows.prefix(5).firstIndex(where: { row in
            columns.filter(\.required).allSatisfy { column in row.cells.contains { column.names.contains(headerName($0)) || column.names.contains(headerName($0).lowercased()) } }
        }) {
            rows.removeFirst(headerAt)
        }
        guard let header = rows.first else {
            throw ItemCatalogueError(problems: [ItemCatalogueProblem(line: 1, column: nil, message: "the file is empty; the first line names the columns: 窗口,事项名称,承诺时限,申请材料,联办部门")])
        }
        var index: [String: Int] = [:]
        var problems: [ItemCatalogueProblem] = []
        for (i, cell) in header.cells.enumerated() {
            let name = headerName(cell)
            guard let column = columns.first(where: { $0.names.contains(name) || $0.names.contains(name.lowercased()) }) else { continue }
            if index[column.key] != nil {
                problems.append(ItemCatalogueProblem(line: header.line, column: cell, message: "this column appears twice; keep one"))
            }
            index[column.key] = i
        }
        for column in columns where column.required && index[column.key] == nil {
            problems.append(ItemCatalogueProblem(line: header.line, column: nil,
                                                 message: "no \(column.names[1]) column (\(column.key)); the first line names the columns: 窗口,事项名称,承诺时限,申请材料,联办部门"))
        }
        guard problems.isEmpty else { throw ItemCatalogueError(problems: problems) }

        var items: [CatalogueItem] = []
        var firstLine: [String: Int] = [:]
        for row in rows.dropFirst() {
            func cell(_ key: String) -> String {
                guard let i = index[key], i < row.cells.count else { return "" }
                return row.cells[i].trimmingCharacters(in: .whitespacesAndNewlines)
            }
            func list(_ key: String) -> [String] {
                cell(key).split(whereSeparator: { separators.contains($0) })
                    .map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
            }
            var rowProblems: [ItemCatalogueProblem] = []
            func problem(_ column: String, _ message: String) { rowProblems.append(ItemCatalogueProblem(line: row.line, column: column, message: message)) }
            let windowText = cell("window").replacingOccurrences(of: "号窗口", with: "").replacingOccurrences(of: "号", with: "")
            let window = Int(windowText)
            if window == nil || window! <= 0 { problem("窗口", "\"\(cell("window"))\" is not a window number (3, or 3号窗口)") }
            let name = cell("item")
            if name.isEmpty { problem("事项名称", "the item has no name") }
            let daysText = cell("days").replacingOccurrences(of: "个工作日", with: "").replacingOccurrences(of: "工作日", with: "")
                .replacingOccurrences(of: "天", with: "").trimmingCharacters(in: .whitespaces)
            let days = Int(daysText)
            if let days, days < 0 {
                problem("承诺时限", "the period \(days) is negative; write the promised period in working days (1 to 365)")
            } else if days == nil || !(1...365).contains(days!) {
                problem("承诺时限", "\"\(cell("days"))\" is not a period of 1 to 365 working days")
            }
            let materials = list("materials")
            if materials.isEmpty { problem("申请材料", "the item lists no materials; separate them with ；") }
            let departments = list("departments")
            if departments.count == 1 {
                problem("联办部门", "a joint item (联办件) names two or more departments, its own included; leave the cell empty for other items")
            }
            if let window, !name.isEmpty {
                let key = "\(window)\u{0}\(name)"
                if let earlier = firstLine[key] {
                    problem("事项名称", "\(name) of window \(window) is already on line \(earlier); an item appears once per window")
                } else {
                    firstLine[key] = row.line
                }
            }
            if rowProblems.isEmpty, let window, let days {
                items.append(CatalogueItem(window: window, name: name, promisedWorkingDays: days, materials: materials,
                                           departments: departments, line: row.line))
            }
            problems += rowProblems
        }
        guard problems.isEmpty else { throw ItemCatalogueError(problems: problems) }
        guard !items.isEmpty else {
            throw ItemCatalogueError(problems: [ItemCatalogueProblem(line: header.line, column: nil, message: "the file has a header but no items")])
        }
        return items
    }
}
