// TEST FAKE: a ZKTeco-style attendance terminal in push mode (ADMS / iclock over HTTP) that calls a server, for
// tests, the demo and the benchmark. It keeps its own log and users like a real terminal and obeys the options the
// server gives it at the handshake.
import CounterCore
import Foundation
import NIOCore
import NIOHTTP1
import Synchronization
import ZKTerminal

/// A **test fake** of a fingerprint terminal that pushes (the gateway is its server). It never talks to real hardware.
///
/// Like a real terminal it:
/// - handshakes (`GET /iclock/cdata?SN=…&options=all`) and works by the answer: the stamps say what the server has
///   (it uploads what comes after them), `Delay` how often it polls, `ErrorDelay` how long it waits after a failure,
///   `Realtime`/`TransInterval` when it uploads new punches, `TransFlag` what it uploads;
/// - uploads its attendance log (`table=ATTLOG`, 7-field lines, or 4-field ones as old firmware) and its users,
///   fingerprints and operations (`table=OPERLOG`) in batches, each with the stamp of its last record, and moves its
///   cursor only when the server answers `OK`; an error answer makes it wait `ErrorDelay` and send the batch again;
/// - polls `GET /iclock/getrequest`, runs the commands (`C:<id>:…`: users, templates, log queries, CHECK, INFO,
///   REBOOT, SET OPTION) and posts their results to `/iclock/devicecmd`;
/// - writes names in GB18030 (Chinese firmware) or UTF-8.
public final class PushTerminalSimulator: Sendable {
    public struct Configuration: Sendable {
        public var serialNumber: String
        public var firmware: String
        public var deviceName: String
        /// `pushver=` of the handshake; nil for old firmware (the legacy dialect).
        public var pushVersion: String?
        public var textEncoding: PushTextEncoding
        /// Lines per upload at most.
        public var maxLinesPerUpload: Int
        /// Write ATTLOG lines in the 4-field form of old firmware.
        public var shortAttendanceLines: Bool
        /// Seconds to wait after a failure before the server's `ErrorDelay` is known.
        public var initialErrorDelay: Double
        public var ipAddress: String

        public init(serialNumber: String = "CGPUSH0000001", firmware: String = "Ver 8.0.4-20220525", deviceName: String = "CounterGate simulated push terminal",
                    pushVersion: String? = "2.4.1", textEncoding: PushTextEncoding = .gb18030, maxLinesPerUpload: Int = 200,
                    shortAttendanceLines: Bool = false, initialErrorDelay: Double = 2, ipAddress: String = "127.0.0.1") {
            self.serialNumber = serialNumber
            self.firmware = firmware
            self.deviceName = deviceName
            self.pushVersion = pushVersion
            self.textEncoding = textEncoding
            self.maxLinesPerUpload = maxLinesPerUpload
            self.shortAttendanceLines = shortAttendanceLines
            self.initialErrorDelay = initialErrorDelay
            self.ipAddress = ipAddress
        }
    }

    /// One request the terminal made, as it went.
    public struct Exchange: Sendable, Hashable {
        public enum Kind: String, Sendable, Hashable {
            case handshake, attendanceUpload, operationUpload, queryUpload, poll, results
        }
        public let kind: Kind
        public let at: Date
        /// The HTTP status, 0 when no answer came.
        public let status: Int
        public let lines: Int
        /// From sending the request to the last byte of the answer.
        public let seconds: Double
        public let answer: String
    }

    /// A command the terminal ran.
    public struct Executed: Sendable, Hashable {
        public let id: Int64
        public let text: String
        public let returnCode: Int
    }

    /// A snapshot of the terminal.
    public struct State: Sendable {
        /// The options of the last handshake answer.
        public var options: PushOptions?
        public var optionsAnswer: String?
        public var records: [PushAttendanceRecord]
        /// The highest record stamp the server has (1-based: record n has stamp n); from the handshake, then each `OK`.
        public var acknowledgedRecords: Int
        public var operationLines: Int
        public var acknowledgedOperations: Int
        public var users: [String: PushUserRecord]
        public var templates: [String: PushTemplateRecord]
        public var executed: [Executed]
        public var exchanges: [Exchange]
        /// Options set by `SET OPTION`.
        public var deviceOptions: [String: String]
        public var reboots: Int
        /// Raw lines still to be slipped into the next ATTLOG upload.
        public var pendingGarbage: Int

        public var pendingRecords: Int { records.count - acknowledgedRecords }
        public func count(_ kind: Exchange.Kind, status: Int? = nil) -> Int {
            exchanges.filter { $0.kind == kind && (status == nil || $0.status == status) }.count
        }
    }

    /// Why ``waitUntil(_:timeout:_:)`` gave up.
    public struct TimedOut: Error, CustomStringConvertible {
        public let what: String
        public let lastExchanges: [Exchange]
        public var description: String {
            "timed out waiting for \(what); last requests of the simulated push terminal: "
                + lastExchanges.map { "\($0.kind.rawValue) \($0.status) \($0.answer.prefix(60))" }.joined(separator: "; ")
        }
    }

    struct Hub {
        var state: State
        /// The operation log: OPERLOG lines in the order things happened (stamp n = index n-1).
        var operations: [(line: String, flag: PushTransFlag)]
        var garbage: [[UInt8]] = []
        var needsHandshake = true
        var wakeForUpload = false
        var pollNow = false
        /// The waiting run loop's doorbell, or a ring that came while it was busy.
        var waiter: AsyncStream<Void>.Continuation?
        var rung = false
    }

    public let configuration: Configuration
    private let hub: Mutex<Hub>
    private let changes = ChangeSignal()

    /// - Parameters:
    ///   - users: enrolled at the terminal before it first calls (uploaded as OPERLOG `USER` lines when asked to).
    ///   - templates: their fingers (uploaded as `FP` lines).
    ///   - records: its attendance log (record n gets stamp n).
    public init(configuration: Configuration = Configuration(), users: [PushUserRecord] = [], templates: [PushTemplateRecord] = [],
                records: [PushAttendanceRecord] = []) {
        self.configuration = configuration
        var operations: [(line: String, flag: PushTransFlag)] = []
        for user in users {
            if let line = try? PushOperationRecord.user(user).line() { operations.append((line, .enrolledUsers)) }
        }
        for template in templates {
            if let line = try? PushOperationRecord.fingerprint(template).line() { operations.append((line, .enrolledFingerprints)) }
        }
        let state = State(options: nil, optionsAnswer: nil, records: records, acknowledgedRecords: 0, operationLines: operations.count, acknowledgedOperations: 0,
                          users: Dictionary(users.map { ($0.pin, $0) }, uniquingKeysWith: { _, last in last }),
                          templates: Dictionary(templates.map { ("\($0.pin)#\($0.finger)", $0) }, uniquingKeysWith: { _, last in last }),
                          executed: [], exchanges: [], deviceOptions: [:], reboots: 0, pendingGarbage: 0)
        hub = Mutex(Hub(state: state, operations: operations))
    }

    // MARK: - Driving the terminal

    /// Someone punches: the record joins the log; with `Realtime=1` it is uploaded at once.
    @discardableResult
    public func punch(userID: String, at time: ZKLocalTime, status: UInt8 = 0, verify: UInt8 = 1) -> PushAttendanceRecord {
        let record = PushAttendanceRecord(userID: userID, time: time, status: status, verify: verify)
        append([record])
        return record
    }

    /// Adds records to the log (as if punched while nobody looked); with `Realtime=1` they are uploaded at once.
    public func append(_ records: [PushAttendanceRecord]) {
        hub.withLock { hub in
            hub.state.records += records
            hub.wakeForUpload = hub.state.options?.realtime ?? true
        }
        ringBell()
        changes.notify()
    }

    /// Someone is enrolled at the terminal: an OPLOG entry, the user and their fingers join the operation log.
    public func enroll(_ user: PushUserRecord, templates: [PushTemplateRecord] = [], at time: ZKLocalTime) {
        hub.withLock { hub in
            hub.state.users[user.pin] = user
            hub.operations.append(("OPLOG " + PushOperationEvent(type: 30, time: time, objects: [user.pin, "0", "0", "0"]).fields, .operations))
            if let line = try? PushOperationRecord.user(user).line() { hub.operations.append((line, .enrolledUsers)) }
            for template in templates {
                hub.state.templates["\(template.pin)#\(template.finger)"] = template
                hub.operations.append(("OPLOG " + PushOperationEvent(type: 6, time: time, objects: [user.pin, String(template.finger), "0", "0"]).fields, .operations))
                if let line = try? PushOperationRecord.fingerprint(template).line() { hub.operations.append((line, .enrolledFingerprints)) }
            }
            hub.state.operationLines = hub.operations.count
            hub.wakeForUpload = true
        }
        ringBell()
        changes.notify()
    }

    /// Slips raw lines (bytes, without line breaks) into the next ATTLOG upload, between its records: a firmware bug,
    /// a damaged flash page.
    public func uploadGarbage(_ lines: [[UInt8]]) {
        hub.withLock { hub in
            hub.garbage += lines
            hub.state.pendingGarbage = hub.garbage.count
            hub.wakeForUpload = true
        }
        ringBell()
        changes.notify()
    }

    /// Polls at once instead of waiting out `Delay` (as the terminal's menu item "连接服务器" does).
    public func pollNow() {
        hub.withLock { $0.pollNow = true }
        ringBell()
    }

    /// Wakes the run loop (or tells it, if busy, not to wait next time).
    private func ringBell() {
        hub.withLock { hub in
            if let waiter = hub.waiter { waiter.yield() } else { hub.rung = true }
        }
    }

    /// Waits until `deadline` or a ring, whichever comes first.
    private func rest(until deadline: ContinuousClock.Instant) async {
        let (bell, continuation) = AsyncStream<Void>.makeStream(bufferingPolicy: .bufferingNewest(1))
        let rung = hub.withLock { hub -> Bool in
            if hub.rung {
                hub.rung = false
                return true
            }
            hub.waiter = continuation
            return false
        }
        if !rung {
            await withTaskGroup(of: Void.self) { group in
                group.addTask { for await _ in bell { return } }
                group.addTask { try? await Task.sleep(until: deadline, clock: .continuous) }
                await group.next()
                group.cancelAll()
            }
        }
        hub.withLock { hub in
            hub.waiter = nil
            hub.rung = false
        }
        continuation.finish()
    }

    // MARK: - Observing

    public var state: State { hub.withLock { $0.state } }

    /// Waits until `condition` holds, re-checking after everything the terminal does. For tests: wait on the event,
    /// with a timeout, instead of sleeping.
    public func waitUntil(_ what: String, timeout: Duration = .seconds(30), _ condition: @escaping @Sendable (State) -> Bool) async throws {
        let met = try await changes.wait(timeout: timeout) { [self] in condition(state) }
        if !met { throw TimedOut(what: what, lastExchanges: Array(state.exchanges.suffix(6))) }
    }

    // MARK: - Running

    /// Calls the server at `host:port` until cancelled, as a powered-on terminal does.
    public func run(host: String, port: Int) async {
        while !Task.isCancelled {
            var used = false
            do {
                try await PushHTTPConnection.with(host: host, port: port) { connection in
                    try await session(connection, used: &used)
                }
            } catch is CancellationError {
                return
            } catch {
                if Task.isCancelled { return }
                // Lost the server: the next connection starts with a handshake, as terminals register again. When the
                // connection broke after it had served (a kept-alive connection closed, the server restarted), connect
                // again at once; if that fails, it is a failure like any other.
                if !(error is ServerRefused) { hub.withLock { $0.needsHandshake = true } }
                if used && error is PushHTTPFailure { continue }
                let delay = hub.withLock { hub in hub.state.options.map { Double($0.errorDelay) } ?? configuration.initialErrorDelay }
                do { try await Task.sleep(for: .milliseconds(Int(delay * 1000))) } catch { return }
                continue
            }
        }
    }

    /// An answer other than 200 `OK`: the terminal waits `ErrorDelay` and tries again.
    struct ServerRefused: Error {
        let status: Int
    }

    private func session(_ connection: PushHTTPConnection, used: inout Bool) async throws {
        var nextPoll = ContinuousClock.now
        var nextCheck = ContinuousClock.now
        while !Task.isCancelled {
            if hub.withLock({ $0.needsHandshake }) {
                try await handshake(connection)
                used = true
                nextPoll = .now
                nextCheck = .now
            }
            let (options, uploadNow) = hub.withLock { hub -> (PushOptions?, Bool) in
                defer { hub.wakeForUpload = false }
                return (hub.state.options, hub.wakeForUpload)
            }
            guard let options else { continue }
            if uploadNow && options.realtime || ContinuousClock.now >= nextCheck {
                try await uploadAttendance(connection, options: options)
                try await uploadOperations(connection, options: options)
                used = true
                nextCheck = .now + .seconds(max(1, options.transInterval) * 60)
            }
            let pollNow = hub.withLock { hub -> Bool in
                defer { hub.pollNow = false }
                return hub.pollNow
            }
            if pollNow || ContinuousClock.now >= nextPoll {
                try await poll(connection)
                used = true
                nextPoll = .now + .seconds(max(1, options.delay))
            }
            if hub.withLock({ $0.needsHandshake }) { continue }
            // The terminal's own timers: the next poll (Delay) and the next check for new data (TransInterval), or a
            // punch / enrolment / command that wakes it.
            await rest(until: min(nextPoll, nextCheck))
        }
        throw CancellationError()
    }

    private func target(_ path: String, _ parameters: [(String, String)]) -> String {
        var allowed = CharacterSet.urlQueryAllowed
        allowed.remove(charactersIn: "&=+;")
        let query = ([("SN", configuration.serialNumber)] + parameters)
            .map { "\($0.0)=\($0.1.addingPercentEncoding(withAllowedCharacters: allowed) ?? $0.1)" }.joined(separator: "&")
        return "/iclock/\(path)?\(query)"
    }

    /// Sends a request and records it; `apply` changes the terminal by the answer in the same step, so whoever waits on
    /// the recorded exchange sees its effect too.
    private func exchange(_ connection: PushHTTPConnection, _ kind: Exchange.Kind, method: HTTPMethod, target: String, body: [UInt8] = [],
                          lines: Int = 0, apply: ((PushHTTPAnswer, inout Hub) -> Void)? = nil) async throws -> PushHTTPAnswer {
        let started = ContinuousClock.now
        do {
            let answer = try await connection.send(method: method, target: target, body: body,
                                                   contentType: body.isEmpty ? nil : "text/plain")
            let seconds = Self.seconds(ContinuousClock.now - started)
            record(Exchange(kind: kind, at: Date(), status: answer.status, lines: lines, seconds: seconds, answer: String(answer.text.prefix(200)))) { hub in
                apply?(answer, &hub)
            }
            return answer
        } catch {
            record(Exchange(kind: kind, at: Date(), status: 0, lines: lines, seconds: Self.seconds(ContinuousClock.now - started), answer: "\(error)"))
            throw error
        }
    }

    private func record(_ exchange: Exchange, apply: (inout Hub) -> Void = { _ in }) {
        hub.withLock { hub in
            apply(&hub)
            hub.state.exchanges.append(exchange)
            if hub.state.exchanges.count > 20_000 { hub.state.exchanges.removeFirst(10_000) }
        }
        changes.notify()
    }

    private func handshake(_ connection: PushHTTPConnection) async throws {
        var parameters = [("options", "all")]
        if let version = configuration.pushVersion { parameters += [("pushver", version), ("language", "83")] }
        let answer = try await exchange(connection, .handshake, method: .GET, target: target("cdata", parameters)) { answer, hub in
            guard answer.status == 200, let options = try? PushOptions.decode(answer: answer.text).options else { return }
            hub.state.options = options
            hub.state.optionsAnswer = answer.text
            hub.needsHandshake = false
            // The server's stamps are the truth: what comes after them is sent (again).
            hub.state.acknowledgedRecords = min(hub.state.records.count, options.attendanceStamp.flatMap { Int($0) } ?? 0)
            hub.state.acknowledgedOperations = min(hub.operations.count, options.operationStamp.flatMap { Int($0) } ?? 0)
        }
        guard answer.status == 200, hub.withLock({ !$0.needsHandshake }) else { throw ServerRefused(status: answer.status) }
    }

    private func uploadAttendance(_ connection: PushHTTPConnection, options: PushOptions) async throws {
        guard options.transFlags.contains(.attendance) else { return }
        while true {
            let batch = hub.withLock { hub -> (lines: [[UInt8]], stamp: Int, count: Int)? in
                let from = hub.state.acknowledgedRecords
                let to = min(hub.state.records.count, from + configuration.maxLinesPerUpload)
                guard to > from || !hub.garbage.isEmpty else { return nil }
                var lines = hub.state.records[from..<to].map { record in
                    configuration.textEncoding.encode(configuration.shortAttendanceLines ? record.shortLine : record.line)
                }
                if !hub.garbage.isEmpty { lines.insert(contentsOf: hub.garbage, at: lines.count / 2) }
                return (lines, to, to - from)
            }
            guard let batch else { return }
            let body = batch.lines.reduce(into: [UInt8]()) { $0 += $1; $0.append(0x0A) }
            let answer = try await exchange(connection, .attendanceUpload, method: .POST,
                                            target: target("cdata", [("table", "ATTLOG"), ("Stamp", String(batch.stamp))]), body: body,
                                            lines: batch.lines.count) { answer, hub in
                guard answer.status == 200, answer.text.hasPrefix("OK") else { return }
                hub.state.acknowledgedRecords = max(hub.state.acknowledgedRecords, batch.stamp)
                hub.garbage = []
                hub.state.pendingGarbage = 0
            }
            guard answer.status == 200, answer.text.hasPrefix("OK") else { throw ServerRefused(status: answer.status) }
        }
    }

    private func uploadOperations(_ connection: PushHTTPConnection, options: PushOptions) async throws {
        let wanted = Set(options.transFlags)
        func allowed(_ flag: PushTransFlag) -> Bool {
            switch flag {
            case .enrolledUsers: return wanted.contains(.enrolledUsers) || wanted.contains(.changedUsers)
            case .enrolledFingerprints: return wanted.contains(.enrolledFingerprints) || wanted.contains(.changedFingerprints)
            default: return wanted.contains(flag)
            }
        }
        while true {
            let batch = hub.withLock { hub -> (lines: [String], stamp: Int)? in
                let from = hub.state.acknowledgedOperations
                let to = min(hub.operations.count, from + configuration.maxLinesPerUpload)
                guard to > from else { return nil }
                let lines = hub.operations[from..<to].filter { allowed($0.flag) }.map(\.line)
                if lines.isEmpty {
                    // Nothing the server asked for: the terminal's own cursor moves on.
                    hub.state.acknowledgedOperations = to
                }
                return (lines, to)
            }
            guard let batch else { return }
            guard !batch.lines.isEmpty else { continue }
            let body = configuration.textEncoding.encode(batch.lines.joined(separator: "\n") + "\n")
            let answer = try await exchange(connection, .operationUpload, method: .POST,
                                            target: target("cdata", [("table", "OPERLOG"), ("Stamp", String(batch.stamp))]), body: body,
                                            lines: batch.lines.count) { answer, hub in
                guard answer.status == 200, answer.text.hasPrefix("OK") else { return }
                hub.state.acknowledgedOperations = max(hub.state.acknowledgedOperations, batch.stamp)
            }
            guard answer.status == 200, answer.text.hasPrefix("OK") else { throw ServerRefused(status: answer.status) }
        }
    }

    private func poll(_ connection: PushHTTPConnection) async throws {
        let info = hub.withLock { hub in
            [configuration.firmware, String(hub.state.users.count), String(hub.state.templates.count), String(hub.state.records.count),
             configuration.ipAddress, "10"].joined(separator: ",")
        }
        let answer = try await exchange(connection, .poll, method: .GET, target: target("getrequest", [("INFO", info)]))
        guard answer.status == 200 else { throw ServerRefused(status: answer.status) }
        let text = decodeText(answer.body)
        let commands: [PushCommandLine]
        do { commands = try PushCommandLine.decode(answer: text) } catch { commands = [] }
        guard !commands.isEmpty else { return }
        var results: [PushCommandResult] = []
        for command in commands {
            results.append(try await execute(command, connection: connection))
        }
        let body = configuration.textEncoding.encode(PushCommandResults.encode(results))
        let posted = try await exchange(connection, .results, method: .POST, target: target("devicecmd", []), body: body, lines: results.count)
        guard posted.status == 200 else { throw ServerRefused(status: posted.status) }
        if results.contains(where: { $0.command == "REBOOT" || $0.command == "CHECK" }) {
            hub.withLock { $0.needsHandshake = true }
        }
    }

    private func decodeText(_ bytes: [UInt8]) -> String {
        PushBody.lines(bytes, encoding: PushBody.encoding(of: bytes, contentType: nil)).map { (try? $0.text.get()) ?? "" }.joined(separator: "\n")
    }

    /// Runs one command as the terminal does, returning its result.
    private func execute(_ line: PushCommandLine, connection: PushHTTPConnection) async throws -> PushCommandResult {
        let command: PushCommand
        do { command = try PushCommand(text: line.text) } catch {
            let word = line.text.split(separator: " ").first.map(String.init) ?? ""
            return done(line, PushCommandResult(id: line.id, returnCode: -1002, command: word))
        }
        var result = PushCommandResult(id: line.id, returnCode: 0, command: command.echo)
        switch command {
        case .updateUser(let user):
            hub.withLock { $0.state.users[user.pin] = user }
        case .deleteUser(let pin):
            hub.withLock { hub in
                hub.state.users[pin] = nil
                hub.state.templates = hub.state.templates.filter { $0.value.pin != pin }
            }
        case .updateTemplate(let template):
            let known = hub.withLock { hub -> Bool in
                guard hub.state.users[template.pin] != nil else { return false }
                hub.state.templates["\(template.pin)#\(template.finger)"] = template
                return true
            }
            if !known { result.returnCode = -1 }
        case .deleteTemplate(let pin, let finger):
            hub.withLock { hub in
                hub.state.templates = hub.state.templates.filter { $0.value.pin != pin || (finger != nil && $0.value.finger != finger) }
            }
        case .queryAttendance(let from, let to):
            let found = hub.withLock { $0.state.records.filter { $0.time >= from && $0.time <= to } }
            if found.isEmpty { result.returnCode = -1 }
            for start in stride(from: 0, to: found.count, by: max(1, configuration.maxLinesPerUpload)) {
                let slice = found[start..<min(found.count, start + configuration.maxLinesPerUpload)]
                let body = configuration.textEncoding.encode(slice.map(\.line).joined(separator: "\n") + "\n")
                let answer = try await exchange(connection, .queryUpload, method: .POST, target: target("cdata", [("table", "ATTLOG")]), body: body,
                                                lines: slice.count)
                guard answer.status == 200 else { throw ServerRefused(status: answer.status) }
            }
        case .queryUsers(let pin):
            let users = hub.withLock { hub in hub.state.users.values.filter { pin == nil || $0.pin == pin }.sorted { $0.pin < $1.pin } }
            if users.isEmpty { result.returnCode = -1 }
            let lines = users.compactMap { try? PushOperationRecord.user($0).line() }
            if !lines.isEmpty {
                let answer = try await exchange(connection, .queryUpload, method: .POST, target: target("cdata", [("table", "OPERLOG")]),
                                                body: configuration.textEncoding.encode(lines.joined(separator: "\n") + "\n"), lines: lines.count)
                guard answer.status == 200 else { throw ServerRefused(status: answer.status) }
            }
        case .check:
            hub.withLock { $0.wakeForUpload = true }
        case .info:
            result.content = hub.withLock { hub in
                ["~DeviceName=\(configuration.deviceName)", "FWVersion=\(configuration.firmware)", "~SerialNumber=\(configuration.serialNumber)",
                 "UserCount=\(hub.state.users.count)", "FPCount=\(hub.state.templates.count)", "TransactionCount=\(hub.state.records.count)",
                 "IPAddress=\(configuration.ipAddress)", "FPVersion=10", "~MaxAttLogCount=20", "MaxUserCount=3000", "MaxFingerCount=30"]
            }
        case .reboot:
            hub.withLock { $0.state.reboots += 1 }
        case .setOption(let key, let value):
            hub.withLock { $0.state.deviceOptions[key] = value }
        }
        return done(line, result)
    }

    private func done(_ line: PushCommandLine, _ result: PushCommandResult) -> PushCommandResult {
        hub.withLock { $0.state.executed.append(Executed(id: line.id, text: line.text, returnCode: result.returnCode)) }
        changes.notify()
        return result
    }

    static func seconds(_ duration: Duration) -> Double {
        let (s, atto) = duration.components
        return Double(s) + Double(atto) / 1e18
    }
}

extension PushTerminalSimulator {
    /// The demo terminal's users: the pull simulator's eight demo staff (Chinese names), and a ninth, 𠮷 (U+20BB7), whose
    /// name needs GB18030's four-byte form.
    public static func demoUsers() -> [PushUserRecord] {
        ZKTerminalSimulator.demoUsers().map { user in
            PushUserRecord(pin: user.userID, name: user.name, privilege: Int(user.privilege), password: "", card: user.card == 0 ? "" : String(user.card),
                           group: "1", timeZone: "0")
        } + [PushUserRecord(pin: "9", name: "吉\u{20BB7}祥", privilege: 0)]
    }

    /// One finger for each demo user: deterministic bytes, the size of a real template.
    public static func demoTemplates(for users: [PushUserRecord] = demoUsers()) -> [PushTemplateRecord] {
        var random = SimulatorRandom(seed: 42)
        return users.map { user in
            PushTemplateRecord(pin: user.pin, finger: 6, valid: 1, template: (0..<1024).map { _ in UInt8.random(in: 0...255, using: &random) })
        }
    }

    /// `count` punches of the demo staff from `start` on (the pull simulator's generator), as ATTLOG records.
    public static func generatedRecords(count: Int, start: ZKLocalTime, seed: UInt64) -> [PushAttendanceRecord] {
        ZKTerminalSimulator.generatedRecords(count: count, start: start, seed: seed).map {
            PushAttendanceRecord(userID: $0.userID, time: $0.time, status: $0.state, verify: $0.verifyType)
        }
    }

    /// The demo's push terminal: the demo staff with one finger each and `records` punches.
    public static func demo(serialNumber: String = "CGPUSH0000001", records: Int, start: ZKLocalTime) -> PushTerminalSimulator {
        PushTerminalSimulator(configuration: Configuration(serialNumber: serialNumber), users: demoUsers(), templates: demoTemplates(),
                              records: generatedRecords(count: records, start: start, seed: 7))
    }
}
