// Reading the hall's staff list (CSV) into staff, all rows checked before any is accepted.
import Foundation

/// One thing wrong with one row of a staff list.
public struct StaffListProblem: Sendable, Equatable, CustomStringConvertible {
    /// The line of the file (1 is the header).
    public let row: Int
    public let column: String?
    public let message: String

    public var description: String {
        if let column { return "row \(row), column \(column): \(message)" }
        return "row \(row): \(message)"
    }
}

/// A staff list that cannot be imported; every problem found is listed, nothing is imported.
public struct StaffListError: Error, Sendable, Equatable, CustomStringConvertible {
    public let problems: [StaffListProblem]

    public var description: String {
        "the staff list was not imported (nothing was changed); fix these rows and import again:\n"
            + problems.map { "  " + $0.description }.joined(separator: "\n")
    }
}

/// One person read from a staff list, with the line of the file it came from (for errors found later).
public struct StaffListRow: Sendable, Hashable {
    public let row: Int
    public let staff: Staff
    /// The person's badge cards from the `card` column, in canonical form (``CardNumberText``), in file order.
    /// Empty when the file has no `card` column or the person's cell is empty: then the import leaves their cards
    /// as they are (but a card that another row of the list names moves to that row's person).
    public let cards: [String]

    public init(row: Int, staff: Staff, cards: [String] = []) {
        self.row = row
        self.staff = staff
        self.cards = cards
    }
}

/// The staff list format:
///
/// ```
/// staff_id,name,window,department,roles,terminal_user_id,post,card
/// 0001,张三,3,县市场监管局,clerk|window-lead,101,A,0012345678|0087654321
/// ```
///
/// `roles` takes English codes or Chinese names separated by `|`, `;` or `、`; `window`, `terminal_user_id`,
/// `post` and `card` may be empty, and the `terminal_user_id`, `post` and `card` columns may be left out. `card`
/// holds zero or more badge card numbers separated by `|`, in decimal as printed on the card (leading zeros may be
/// missing); each is kept in canonical form (``CardNumberText``), and one card may appear on one row only.
/// Column headers may also be the Chinese ones (工号, 姓名, 窗口, 派驻单位, 角色, 考勤号, 岗位, 卡号).
public enum StaffList {
    static let columns: [(key: String, chinese: String, required: Bool)] = [
        ("staff_id", "工号", true), ("name", "姓名", true), ("window", "窗口", true), ("department", "派驻单位", true),
        ("roles", "角色", true), ("terminal_user_id", "考勤号", false), ("post", "岗位", false), ("card", "卡号", false),
    ]

    /// Parses and checks a whole staff list.
    /// - Parameters:
    ///   - text: the CSV text (UTF-8, a BOM is accepted, CRLF or LF).
    ///   - windows: the window numbers the hall has; a row naming another window is an error.
    /// - Returns: every person with the line they came from, when every row is good.
    /// - Throws: ``StaffListError`` listing each bad row, when any row is bad.
    public static func parse(_ text: String, windows: Set<Int>) throws(StaffListError) -> [StaffListRow] {
        let records: [CSV.Record]
        do { records = try CSV.records(text) } catch { throw StaffListError(problems: [error.problem]) }
        guard let header = records.first?.fields else {
            throw StaffListError(problems: [StaffListProblem(row: 1, column: nil, message: "the file is empty; expected a header line: " + columns.map(\.key).joined(separator: ","))])
        }
        var index: [String: Int] = [:]
        var problems: [StaffListProblem] = []
        for (i, raw) in header.enumerated() {
            let name = raw.trimmingCharacters(in: .whitespaces)
            guard let column = columns.first(where: { $0.key == name.lowercased() || $0.chinese == name }) else {
                problems.append(StaffListProblem(row: 1, column: name, message: "unknown column; expected " + columns.map(\.key).joined(separator: ", ")))
                continue
            }
            index[column.key] = i
        }
        for column in columns where column.required && index[column.key] == nil {
            problems.append(StaffListProblem(row: 1, column: column.key, message: "required column is missing"))
        }
        guard problems.isEmpty else { throw StaffListError(problems: problems) }

        var staff: [StaffListRow] = []
        var rowOfID: [String: Int] = [:]
        var rowOfTerminalID: [String: Int] = [:]
        var rowOfCard: [String: Int] = [:]
        for record in records.dropFirst() {
            let row = record.line
            let fields = record.fields
            if fields.allSatisfy({ $0.trimmingCharacters(in: .whitespaces).isEmpty }) { continue }
            func field(_ key: String) -> String {
                guard let i = index[key], i < fields.count else { return "" }
                return fields[i].trimmingCharacters(in: .whitespaces)
            }
            func problem(_ column: String?, _ message: String) {
                problems.append(StaffListProblem(row: row, column: column, message: message))
            }
            if fields.count != header.count {
                problem(nil, "has \(fields.count) fields, the header has \(header.count)")
                continue
            }
            let id = field("staff_id")
            if id.isEmpty { problem("staff_id", "is empty; every person needs a staff number") }
            else if let first = rowOfID[id] { problem("staff_id", "\(id) is already used on row \(first)") }
            else { rowOfID[id] = row }
            let name = field("name")
            if name.isEmpty { problem("name", "is empty") }
            var window: Int?
            let windowText = field("window").replacingOccurrences(of: "号窗口", with: "")
            if !windowText.isEmpty {
                if let number = Int(windowText), number > 0 {
                    if windows.contains(number) { window = number }
                    else { problem("window", "window \(number) is not configured; configured windows: \(windows.sorted().map(String.init).joined(separator: ", "))") }
                } else {
                    problem("window", "\"\(windowText)\" is not a window number")
                }
            }
            let department = field("department")
            if department.isEmpty { problem("department", "is empty; name the stationed department (派驻单位)") }
            var roles: Set<StaffRole> = []
            let roleTokens = field("roles").split(whereSeparator: { "|;、,".contains($0) }).map(String.init)
            if roleTokens.isEmpty { problem("roles", "is empty; expected one or more of " + StaffRole.allCases.map(\.rawValue).joined(separator: ", ")) }
            for token in roleTokens {
                if let role = StaffRole(token: token) { roles.insert(role) }
                else { problem("roles", "\"\(token)\" is not a role; expected one of " + StaffRole.allCases.map { "\($0.rawValue) (\($0.chineseName))" }.joined(separator: ", ")) }
            }
            if roles.contains(.clerk) && windowText.isEmpty {
                problem("window", "a clerk (窗口工作人员) needs a window")
            }
            var terminalUserID: String?
            let terminal = field("terminal_user_id")
            if !terminal.isEmpty {
                if terminal.count <= 24, terminal.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber) }) {
                    if let first = rowOfTerminalID[terminal] { problem("terminal_user_id", "\(terminal) is already used on row \(first)") }
                    else { rowOfTerminalID[terminal] = row; terminalUserID = terminal }
                } else {
                    problem("terminal_user_id", "\"\(terminal)\" is not a terminal user id (letters and digits, at most 24)")
                }
            }
            var post: PostSlot?
            let postText = field("post").uppercased().replacingOccurrences(of: "岗", with: "")
            if !postText.isEmpty {
                if let slot = PostSlot(rawValue: postText) {
                    if window == nil { problem("post", "an A/B post needs a window") } else { post = slot }
                } else {
                    problem("post", "\"\(postText)\" is not a post; expected A or B")
                }
            }
            var cards: [String] = []
            for token in field("card").split(separator: "|").map({ $0.trimmingCharacters(in: .whitespaces) }) where !token.isEmpty {
                switch CardNumberText.canonical(decimal: token) {
                case .success(let card):
                    if let first = rowOfCard[card] {
                        problem("card", first == row ? "card \(card) is listed twice on this row"
                                                     : "card \(card) is already given to the person on row \(first); a card belongs to one person")
                    } else {
                        rowOfCard[card] = row
                        cards.append(card)
                    }
                case .failure(let error):
                    problem("card", "\"\(token)\" is not a decimal card number: it \(error); write the number printed on the card "
                            + "(e.g. 0012345678), several separated by |")
                }
            }
            staff.append(StaffListRow(row: row, staff: Staff(id: id, name: name, window: window, department: department,
                                                             roles: roles, terminalUserID: terminalUserID, post: post),
                                      cards: cards))
        }
        if problems.isEmpty {
            do { _ = try PostPairs.build(from: staff.map(\.staff)) } catch {
                let rowsOfHolders = error.holders.compactMap { rowOfID[$0] }
                problems.append(StaffListProblem(row: rowsOfHolders.last ?? 1, column: "post", message: error.description))
            }
        }
        guard problems.isEmpty else { throw StaffListError(problems: problems) }
        return staff
    }
}

/// A small RFC 4180 reader: quoted fields, doubled quotes, CRLF or LF, a UTF-8 BOM.
enum CSV {
    struct Malformed: Error {
        let row: Int
        let message: String
        var problem: StaffListProblem { StaffListProblem(row: row, column: nil, message: message) }
    }

    /// One record and the line of the file it starts on.
    struct Record {
        let line: Int
        let fields: [String]
    }

    static func records(_ text: String) throws(Malformed) -> [Record] {
        var rows: [Record] = []
        var fields: [String] = []
        var field = ""
        var inQuotes = false
        var fieldWasQuoted = false
        var line = 1
        var rowStartLine = 1
        var iterator = Array(text.unicodeScalars.drop(while: { $0 == "\u{FEFF}" })).makeIterator()
        var pending: Unicode.Scalar? = nil
        func next() -> Unicode.Scalar? {
            if let p = pending { pending = nil; return p }
            return iterator.next()
        }
        while let c = next() {
            if inQuotes {
                if c == "\"" {
                    if let n = next() {
                        if n == "\"" { field.unicodeScalars.append("\"") } else { inQuotes = false; pending = n }
                    } else { inQuotes = false }
                } else {
                    if c == "\n" { line += 1 }
                    field.unicodeScalars.append(c)
                }
                continue
            }
            switch c {
            case "\"":
                if field.isEmpty && !fieldWasQuoted { inQuotes = true; fieldWasQuoted = true }
                else { throw Malformed(row: rowStartLine, message: "a quote (\") inside an unquoted field; quote the whole field and double the quote") }
            case ",":
                fields.append(field); field = ""; fieldWasQuoted = false
            case "\r":
                continue
            case "\n":
                fields.append(field); field = ""; fieldWasQuoted = false
                rows.append(Record(line: rowStartLine, fields: fields)); fields = []
                line += 1; rowStartLine = line
            default:
                if fieldWasQuoted { throw Malformed(row: rowStartLine, message: "text after a closing quote; put a comma after the quoted field") }
                field.unicodeScalars.append(c)
            }
        }
        if inQuotes { throw Malformed(row: rowStartLine, message: "a quoted field is not closed") }
        if !field.isEmpty || !fields.isEmpty || fieldWasQuoted {
            fields.append(field)
            rows.append(Record(line: rowStartLine, fields: fields))
        }
        return rows
    }
}
