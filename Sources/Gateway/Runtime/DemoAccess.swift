// The demo hall's API tokens (one per role) and its staff's sign-in PINs: made on the demo's first run and kept in
// <data>/demo-tokens.txt, since the store keeps only hashes and the page links must work on every run.
import CounterConfig
import CounterCore
import CounterStore
import Foundation

/// What someone trying the demo needs to open its pages and sign in: a token per role and a PIN per demo person.
///
/// Demo only: the file holds secrets in clear text, which a real hall never does (`countergate token create` shows
/// a token once). The demo listens on loopback.
public struct DemoAccess: Sendable {
    public struct Token: Sendable, Equatable {
        public let role: APIRole
        public let token: String
    }

    public struct PIN: Sendable, Equatable {
        public let staffID: String
        public let name: String
        public let pin: String
    }

    /// One token per role: a clerk token per configured window, then duty chief, ops, kiosk and read-only.
    public let tokens: [Token]
    /// The demo staff's PINs (those given by the demo; a PIN set by hand is not known and not listed).
    public let pins: [PIN]
    /// `<data>/demo-tokens.txt`.
    public let file: URL

    public static let fileName = "demo-tokens.txt"

    /// The work factor of the demo staff's PIN hashes. A real PIN (`countergate staff pin set`) is hashed with
    /// `PINHash.defaultIterations` (200,000), which makes a stolen database slow to search; the demo's PINs are written
    /// in clear text to demo-tokens.txt anyway, and eight of them at the full factor would hold up the demo's first
    /// start (and each kiosk sign-in) by seconds on a debug build.
    public static let pinIterations = 10_000

    /// The demo's tokens and PINs: those in the file when they still hold, new ones otherwise (a token the store no
    /// longer knows is replaced; a person without a PIN gets one). Writes the file again.
    /// - Parameters:
    ///   - directory: the demo's data directory.
    public static func prepare(store: HallStore, config: HallConfiguration, clock: any HallClock, directory: URL) async throws -> DemoAccess {
        let file = directory.appendingPathComponent(fileName)
        let kept = (try? String(contentsOf: file, encoding: .utf8)).map(parse) ?? (tokens: [:], pins: [:])
        var tokens: [Token] = []
        let staff = try await store.staff()
        for role in APIRole.all(windows: config.windows.map(\.number)) {
            // The person a role's token speaks for: the first demo person holding the role (a window's lead for a clerk token).
            let person: String? = switch role {
            case .clerk(let window): (staff.first { $0.window == window && $0.has(.windowLead) } ?? staff.first { $0.window == window })?.id
            case .dutyChief: staff.first { $0.has(.dutyChief) }?.id
            case .inspection: staff.first { $0.has(.inspection) }?.id
            case .leader: staff.first { $0.has(.leader) }?.id
            case .ops, .kiosk, .readOnly: nil
            }
            if let token = kept.tokens[role.text], let caller = try await store.caller(forToken: token, at: clock.now()), caller.role == role,
               caller.staffID == person {
                tokens.append(Token(role: role, token: token))
            } else {
                let created = try await store.createToken(name: "演示 \(role.chineseLabel)", role: role, staffID: person, actor: "demo", at: clock.now())
                tokens.append(Token(role: role, token: created.token))
            }
        }
        let desk = SignInDesk(config: config, store: store, clock: clock)
        var pins: [PIN] = []
        var toSet: [PIN] = []
        for person in try await store.staff() {
            let stored = try await store.pin(ofStaff: person.id)
            if let pin = kept.pins[person.id] {
                pins.append(PIN(staffID: person.id, name: person.name, pin: pin))
                if stored == nil { toSet.append(pins.last!) }
            } else if stored == nil {
                pins.append(PIN(staffID: person.id, name: person.name, pin: try newPIN(desk: desk)))
                toSet.append(pins.last!)
            }
        }
        try await withThrowingTaskGroup(of: Void.self) { group in
            for pin in toSet {
                group.addTask { try await desk.setPIN(pin.pin, staffID: pin.staffID, actor: "demo", iterations: pinIterations) }
            }
            try await group.waitForAll()
        }
        let access = DemoAccess(tokens: tokens, pins: pins, file: file)
        try access.text.write(to: file, atomically: true, encoding: .utf8)
        return access
    }

    /// The token of `role`, if the demo made one.
    public func token(for role: APIRole) -> String? { tokens.first { $0.role == role }?.token }

    /// The pages, each with the token of the role it is for in the fragment (`#token=`, never sent to the server).
    /// - Parameter base: `http://127.0.0.1:8080`.
    public func pageLinks(base: String) -> [(label: String, url: String)] {
        var links: [(String, String)] = []
        for token in tokens {
            let page: String? = switch token.role {
            case .clerk: "clerk"
            case .kiosk: "kiosk"
            case .dutyChief: "duty"
            case .ops: "ops"
            case .inspection: "sheet"
            case .leader, .readOnly: nil
            }
            guard let page else { continue }
            links.append(("\(token.role.chineseLabel) (\(token.role.text))", "\(base)/pages/\(page)#token=\(token.token)"))
        }
        return links
    }

    /// The file: a comment, then `token ROLE TOKEN` and `pin STAFF_ID PIN NAME` lines.
    var text: String {
        var lines = [
            "# CounterGate demo (演示): API tokens and sign-in PINs of the demo hall, made on its first run.",
            "# Demo only, loopback only: a real hall never keeps tokens or PINs in a file. Delete the data folder to start over.",
            "# The page links with #token= are printed each time the demo starts; pages: docs/pages.md.",
        ]
        lines += tokens.map { "token \($0.role.text) \($0.token)" }
        lines += pins.map { "pin \($0.staffID) \($0.pin) \($0.name)" }
        return lines.joined(separator: "\n") + "\n"
    }

    static func parse(_ text: String) -> (tokens: [String: String], pins: [String: String]) {
        var tokens: [String: String] = [:], pins: [String: String] = [:]
        for line in text.split(separator: "\n") {
            let fields = line.split(separator: " ", omittingEmptySubsequences: true).map(String.init)
            guard fields.count >= 3 else { continue }
            switch fields[0] {
            case "token": tokens[fields[1]] = fields[2]
            case "pin": pins[fields[1]] = fields[2]
            default: continue
            }
        }
        return (tokens, pins)
    }

    /// Six random digits the PIN rules accept.
    static func newPIN(desk: SignInDesk) throws -> String {
        var generator = SystemRandomNumberGenerator()
        while true {
            let pin = String(format: "%06d", Int.random(in: 0...999_999, using: &generator))
            if (try? desk.policy.check(newPIN: pin)) != nil { return pin }
        }
    }
}
