// What the /api/v1 routes take and answer (JSON, camelCase keys, times as ISO 8601 with the hall's offset, days as
// YYYY-MM-DD). docs/api/openapi.yaml describes the same shapes.
import CounterCore
import CounterStore
import Foundation

/// A notice to issue and print (POST /api/v1/notices).
struct NoticeRequest: Decodable, Sendable {
    var kind: String
    var applicant: String
    var item: String
    var window: Int
    var clerk: String
    var receivedOn: String?
    var materialsReceived: [String]?
    var materialsMissing: [String]?
    var promisedWorkingDays: Int?
    var rejectionReason: String?
    var rejectionBasis: String?
    var departments: [String]?
    var redirectTo: String?
    var nextStep: String?
    /// The printer role; default: the window's printer.
    var printerRole: String?
    /// The idempotency key, when not sent as the Idempotency-Key header.
    var idempotencyKey: String?
}

struct NoticeBody: Encodable, Sendable {
    let number: String
    let kind: String
    let title: String
    let applicant: String
    let item: String
    let window: Int
    let clerk: String
    let receivedOn: String
    let promisedCompletion: String?
    let materialsReceived: [String]
    let materialsMissing: [String]
    let issuedAt: String
    let voided: Bool
    let voidReason: String?

    init(_ stored: StoredNotice) {
        let notice = stored.notice, draft = stored.notice.draft
        number = notice.number
        kind = draft.kind.rawValue
        title = draft.kind.title
        applicant = draft.applicant
        item = draft.item
        window = draft.window
        clerk = draft.clerk
        receivedOn = draft.receivedOn.description
        promisedCompletion = notice.promisedCompletion?.description
        materialsReceived = draft.materialsReceived
        materialsMissing = draft.materialsMissing
        issuedAt = APITime.string(notice.issuedAt)
        voided = stored.voided
        voidReason = stored.voidReason
    }
}

struct PrintJobBody: Encodable, Sendable {
    let id: Int64
    let printerRole: String
    let state: String
    let kind: String
    let reprint: Bool
    let copies: Int
    let attempts: Int
    let lastError: String?
    let createdAt: String
    let printedAt: String?
    let printedOn: String?

    init(_ job: PrintJob) {
        id = job.id
        printerRole = job.printerRole
        state = job.state.rawValue
        kind = job.kind.rawValue
        reprint = job.reprint
        copies = job.copies
        attempts = job.attempts
        lastError = job.lastError
        createdAt = APITime.string(job.createdAt)
        printedAt = job.printedAt.map(APITime.string)
        printedOn = job.printedOn
    }
}

struct IssuedBody: Encodable, Sendable {
    let notice: NoticeBody
    let job: PrintJobBody
}

struct VoidRequest: Decodable, Sendable {
    /// The window lead or duty chief who voids it (staff id).
    var by: String
    var reason: String
}

struct ReprintRequest: Decodable, Sendable {
    var printerRole: String?
}

struct DeviceBody: Encodable, Sendable {
    let id: String
    let kind: String
    let kindName: String
    let role: String?
    let profile: String
    let address: String
    let power: String
    let state: String
    let reason: String?
    let lastSeen: String

    init(_ device: StoredDeviceHealth) {
        id = device.id
        kind = device.kind.rawValue
        kindName = device.kind.chineseName
        role = device.role
        profile = device.profile
        address = device.address
        power = device.power.rawValue
        state = device.operational.code
        reason = device.operational.reason
        lastSeen = APITime.string(device.lastSeen)
    }
}

struct PunchBody: Encodable, Sendable {
    let id: Int64
    let staffId: String?
    let terminalUserId: String
    let terminalSerial: String
    let at: String
    let verification: String
    let direction: String
    let flag: String?

    init(_ stored: StoredPunch) {
        id = stored.id
        staffId = stored.punch.staffID
        terminalUserId = stored.punch.terminalUserID
        terminalSerial = stored.punch.terminalSerial
        at = APITime.string(stored.punch.at)
        verification = stored.punch.verification.code
        direction = stored.punch.direction.rawValue
        flag = stored.flag
    }
}

struct SignInBody: Encodable, Sendable {
    let id: Int64
    let staffId: String
    let name: String?
    let at: String
    let method: String
    let terminalRole: String
    let status: String

    init(_ stored: StoredSignIn, name: String?) {
        id = stored.id
        staffId = stored.signIn.staffID
        self.name = name
        at = APITime.string(stored.signIn.at)
        method = stored.signIn.method.rawValue
        terminalRole = stored.signIn.terminalRole
        status = stored.signIn.status.code
    }
}

struct SignInRequest: Decodable, Sendable {
    var staffId: String
    var pin: String
}

struct SignInAnswer: Encodable, Sendable {
    let signIn: SignInBody
    /// What the kiosk shows.
    let message: String
}

struct ReviewRequest: Decodable, Sendable {
    /// "confirm" or "reject".
    var action: String
    /// The duty chief's staff id.
    var by: String
    /// The sign-ins; or `all` for every pending one (except the duty chief's own).
    var ids: [Int64]?
    var all: Bool?
    var reason: String?
}

struct ReviewAnswer: Encodable, Sendable {
    struct Refused: Encodable, Sendable {
        let id: Int64
        let detail: String
    }
    let done: [Int64]
    let refused: [Refused]
}

struct StaffBody: Encodable, Sendable {
    let id: String
    let name: String
    let window: Int?
    let department: String
    let roles: [String]
    let post: String?
    let cards: [String]?

    init(_ staff: Staff, cards: [String]? = nil) {
        id = staff.id
        name = staff.name
        window = staff.window
        department = staff.department
        roles = staff.roles.map(\.rawValue).sorted()
        post = staff.post?.rawValue
        self.cards = cards
    }
}

struct CardRequest: Decodable, Sendable {
    var card: String
    /// decimal (default), decimal-10, hex, wiegand-26.
    var format: String?
}

struct ModeBody: Encodable, Sendable {
    struct Role: Encodable, Sendable {
        let role: String
        let mode: String
        let since: String?
        let reason: String?
        /// In sign-in mode by a duty chief's order (lifted by a duty chief), not by the terminal's failure (lifted by
        /// its return).
        let byDutyChief: Bool
    }
    /// What lifting sign-in mode by hand reconciled (`POST /mode/{role}` only).
    struct Reconciled: Encodable, Sendable {
        let records: Int
        let conflicts: Int
        let problem: String?
    }
    let signInMode: Bool
    let roles: [Role]
    var reconciled: Reconciled? = nil
}

/// `POST /mode/{role}`: the duty chief puts a terminal role into sign-in mode, or takes it out, by hand.
struct ModeOrderRequest: Decodable, Sendable {
    /// true: enter sign-in mode (签到考勤); false: back to normal (the time in sign-in mode is reconciled).
    var signInMode: Bool
    /// The duty chief's staff id.
    var by: String
    /// Why, for the audit log and the mode's reason.
    var note: String
}

/// An attendance conflict the reconciliation after sign-in mode listed for the duty chief.
struct ConflictBody: Encodable, Sendable {
    let id: Int64
    let staffId: String
    let name: String?
    let kind: String
    let description: String
    let terminalRole: String
    let foundAt: String
    let resolvedBy: String?

    init(_ conflict: StoredAttendanceConflict, name: String?) {
        id = conflict.id
        staffId = conflict.staffID
        self.name = name
        kind = conflict.kind
        description = conflict.description
        terminalRole = conflict.terminalRole
        foundAt = APITime.string(conflict.foundAt)
        resolvedBy = conflict.resolvedBy
    }
}

/// `POST /attendance/conflicts/{id}/resolve`.
struct ResolveRequest: Decodable, Sendable {
    /// The duty chief's staff id.
    var by: String
    /// What was decided (处理意见).
    var note: String
}

struct AttendanceDayBody: Encodable, Sendable {
    struct Person: Encodable, Sendable {
        let staffId: String
        let name: String
        let window: Int?
        let firstIn: String?
        let lastOut: String?
        let punches: Int
        let signIns: Int
        let records: Int
    }
    let date: String
    let kindOfDay: String
    let people: [Person]
}

struct AttendanceMonthBody: Encodable, Sendable {
    struct Person: Encodable, Sendable {
        let staffId: String
        let name: String
        /// Working days of the month on which the person has a punch, a confirmed sign-in or a record.
        let daysPresent: Int
        let workingDays: Int
    }
    let month: String
    let people: [Person]
}

/// Times in answers: ISO 8601 with the hall's offset (+08:00).
enum APITime {
    static func string(_ date: Date) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.timeZone = HallTime.chinaStandardTime
        formatter.formatOptions = [.withInternetDateTime]
        return formatter.string(from: date)
    }
}

struct CandidateBody: Encodable, Sendable {
    let id: String
    let kind: String
    let profile: String
    let serialNumber: String?
    let address: String
    let present: Bool?
    let firstSeen: String
    let lastSeen: String
    let proposedFor: String?

    init(_ device: KnownDevice) {
        id = device.id
        kind = device.identity.kind.rawValue
        profile = device.identity.profile
        serialNumber = device.identity.serialNumber
        address = device.identity.address
        present = device.presence.map { $0 == .present }
        firstSeen = APITime.string(device.firstSeen)
        lastSeen = APITime.string(device.lastSeen)
        proposedFor = device.proposedFor
    }
}

struct ReplaceRequest: Decodable, Sendable {
    /// A candidate's id (GET /devices/candidates), or an address for a network device (tcp://10.0.0.9:4370).
    var with: String
    /// The profile of a device named by address (default: that of the device it replaces).
    var profile: String?
    /// Restore the latest backup onto a replacement terminal (default true).
    var restore: Bool?
}

struct ReplaceAnswer: Encodable, Sendable {
    struct Restore: Encodable, Sendable {
        let backupId: Int64
        let backupTakenAt: String
        let backupUsers: Int
        let backupTemplates: Int
        let terminalUsers: Int
        let terminalTemplates: Int
        let countsMatch: Bool
    }
    let role: String
    let from: String?
    let to: String
    let restore: Restore?
    /// What went wrong after the binding was made, with what to do; nil when all went well.
    let problem: String?
    /// Each step, as it was reported while it ran.
    let steps: [String]

    init(_ report: ReplacementReport, role: String, steps: [String]) {
        self.role = role
        from = report.rebinding.previous?.id
        to = report.rebinding.device.id
        restore = report.restore.map {
            Restore(backupId: $0.backupID, backupTakenAt: APITime.string($0.backupTakenAt), backupUsers: $0.backupUsers,
                    backupTemplates: $0.backupTemplates, terminalUsers: $0.terminalUsers, terminalTemplates: $0.terminalTemplates,
                    countsMatch: $0.countsMatch)
        }
        problem = report.problem
        self.steps = steps
    }
}

struct BackupBody: Encodable, Sendable {
    let id: Int64
    let role: String
    let deviceId: String
    let serialNumber: String
    let takenAt: String
    let takenBy: String
    let users: Int
    let templates: Int

    init(_ record: TerminalBackupRecord) {
        id = record.id
        role = record.role
        deviceId = record.deviceID
        serialNumber = record.serialNumber
        takenAt = APITime.string(record.takenAt)
        takenBy = record.takenBy
        users = record.userCount
        templates = record.templateCount
    }
}
