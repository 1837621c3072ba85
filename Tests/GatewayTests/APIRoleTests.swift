// The API's access policy, whole: every role against every permission, and the roles' text forms.
import CounterCore
import Foundation
import Testing

@Suite struct APIRoleTests {
    static let windows = [1, 2, 3]

    /// What each role may do, written out by hand from the policy (docs/api/security.md), not computed.
    static func expected(_ role: APIRole) -> Set<APIPermission> {
        switch role {
        case .clerk(let window):
            return [.printNotice(window: window), .readNotices, .readJobs, .readMode, .readStaff, .requestLeave]
        case .dutyChief:
            return [.reviewSignIns, .readAttendance, .readNotices, .readMode, .readStaff, .readDevices, .readJobs, .manageNotices,
                    .requestLeave, .decideLeave, .correctPunches]
        case .inspection:
            return [.readAttendance, .readNotices, .readMode, .readStaff, .requestLeave, .decideLeave, .manageRoster, .publishSheet]
        case .leader:
            return [.readAttendance, .readNotices, .readMode, .readStaff, .requestLeave, .decideLeave, .manageRoster]
        case .ops:
            return [.printNotice(window: 1), .printNotice(window: 2), .printNotice(window: 3), .readNotices, .manageNotices, .readJobs,
                    .manageJobs, .readDevices, .manageDevices, .readAttendance, .readStaff, .manageStaff, .readMode]
        case .kiosk:
            return [.submitSignIn, .readMode]
        case .readOnly:
            return [.readNotices, .readJobs, .readDevices, .readAttendance, .readStaff, .readMode]
        }
    }

    @Test("every role against every permission", arguments: APIRole.all(windows: windows))
    func table(role: APIRole) {
        let all = APIPermission.all(windows: Self.windows)
        #expect(all.count == 20)
        let allowed = Set(all.filter { role.allows($0) })
        #expect(allowed == Self.expected(role), "\(role)")
    }

    /// docs/api/security.md shows the policy as a table; it must say what the code does.
    @Test func theDocumentedTableIsThePolicy() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let text = try String(contentsOf: root.appendingPathComponent("docs/api/security.md"), encoding: .utf8)
        let table = try #require(text.components(separatedBy: "<!-- permissions table: checked by APIRoleTests -->").last?
            .components(separatedBy: "<!-- end of permissions table -->").first)
        let rows = table.split(separator: "\n").filter { $0.hasPrefix("| `") }
        let byName: [String: APIPermission] = Dictionary(uniqueKeysWithValues: APIPermission.all(windows: [2]).map { permission in
            (permission.description.components(separatedBy: "(").first!, permission)
        })
        #expect(rows.count == byName.count)
        let roles: [APIRole] = [.clerk(window: 2), .dutyChief, .inspection, .leader, .ops, .kiosk, .readOnly]
        for row in rows {
            let cells = row.split(separator: "|").map { $0.trimmingCharacters(in: .whitespaces) }
            let name = cells[0].trimmingCharacters(in: CharacterSet(charactersIn: "`"))
            let permission = try #require(byName[name], "\(name) is not a permission")
            #expect(cells.count == 9, "\(row)")
            for (role, cell) in zip(roles, cells.dropFirst(2)) {
                switch cell {
                case "yes":
                    #expect(role.allows(permission), "\(name) for \(role)")
                    if case .printNotice = permission { #expect(role.allows(.printNotice(window: 7)), "\(name) for \(role): any window") }
                case "own window":
                    #expect(role.allows(permission) && !role.allows(.printNotice(window: 7)), "\(name) for \(role)")
                case "–":
                    #expect(!role.allows(permission), "\(name) for \(role)")
                default:
                    Issue.record("cell \"\(cell)\" in row \(name)")
                }
            }
        }
    }

    @Test func aClerkPrintsOnlyForTheirWindow() {
        let clerk = APIRole.clerk(window: 3)
        #expect(clerk.allows(.printNotice(window: 3)))
        #expect(!clerk.allows(.printNotice(window: 2)))
        #expect(!clerk.allows(.printNotice(window: 30)))
        #expect(!clerk.allows(.manageNotices))
    }

    @Test func theKioskOnlySignsInAndReadsTheMode() {
        let all = APIPermission.all(windows: 1...999)
        #expect(all.filter { APIRole.kiosk.allows($0) } == [.submitSignIn, .readMode])
    }

    @Test func opsDoEverythingButSignInReviewAndThePeoplesOwnActs() {
        let all = APIPermission.all(windows: 1...999)
        #expect(Set(all.filter { !APIRole.ops.allows($0) }) == [.submitSignIn, .reviewSignIns, .requestLeave, .decideLeave, .correctPunches, .manageRoster, .publishSheet])
    }

    @Test func readOnlyReadsEverythingAndWritesNothing() {
        for permission in APIPermission.all(windows: Self.windows) {
            #expect(APIRole.readOnly.allows(permission) == permission.isRead, "\(permission)")
        }
    }

    @Test func whoMayDoWhat() {
        #expect(APIPermission.printNotice(window: 2).allowedRoles == [.clerk(window: 2), .ops])
        #expect(APIPermission.reviewSignIns.allowedRoles == [.dutyChief])
        #expect(APIPermission.submitSignIn.allowedRoles == [.kiosk])
        #expect(APIPermission.publishSheet.allowedRoles == [.inspection])
        #expect(APIPermission.decideLeave.allowedRoles == [.dutyChief, .inspection, .leader])
    }

    @Test("text forms read and print back", arguments: ["clerk:3", "clerk:999", "duty-chief", "inspection", "leader", "ops", "kiosk", "read-only"])
    func textRoundTrip(text: String) throws {
        let role = try APIRole(parsing: text)
        #expect(role.text == text)
        #expect(role.description == text)
        let json = try JSONEncoder().encode([role])
        #expect(String(decoding: json, as: UTF8.self) == "[\"\(text)\"]")
        #expect(try JSONDecoder().decode([APIRole].self, from: json) == [role])
    }

    @Test func wrongTextsAreRefusedWithWhatIsAccepted() {
        #expect(throws: APIRoleError.unknown("admin")) { try APIRole(parsing: "admin") }
        #expect(throws: APIRoleError.clerkWithoutWindow("clerk")) { try APIRole(parsing: "clerk") }
        #expect(throws: APIRoleError.clerkWithoutWindow("clerk:")) { try APIRole(parsing: "clerk:") }
        #expect(throws: APIRoleError.clerkWithoutWindow("clerk:03")) { try APIRole(parsing: "clerk:03") }
        #expect(throws: APIRoleError.clerkWithoutWindow("clerk:+3")) { try APIRole(parsing: "clerk:+3") }
        #expect(throws: APIRoleError.clerkWithoutWindow("clerk:3a")) { try APIRole(parsing: "clerk:3a") }
        #expect(throws: APIRoleError.windowOutOfRange(0)) { try APIRole(parsing: "clerk:0") }
        #expect(throws: APIRoleError.windowOutOfRange(1000)) { try APIRole(parsing: "clerk:1000") }
        #expect(throws: APIRoleError.unknown("Duty-Chief")) { try APIRole(parsing: "Duty-Chief") }
        #expect(APIRoleError.unknown("admin").description.contains("clerk:N (N the window number), duty-chief, inspection, leader, ops, kiosk, read-only"))
        #expect(throws: DecodingError.self) { try JSONDecoder().decode([APIRole].self, from: Data("[\"root\"]".utf8)) }
    }
}
