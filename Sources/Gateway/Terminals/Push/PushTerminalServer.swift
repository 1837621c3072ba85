// The push listener's endpoints under /iclock/: the handshake, uploads, command polls, command results, and the
// registry/push/ping calls of newer firmware. Plain text in and out; nothing is stored for a serial no role is bound
// to; an upload is answered `OK: <n>` only after the store committed it.
import CounterConfig
import CounterCore
import CounterStore
import Foundation
import Hummingbird
import Logging
import Metrics
import NIOCore
import Synchronization
import ZKTerminal

/// The request context of the push listener: the peer's address (for candidates and logs), nothing else.
struct PushRequestContext: RequestContext, Sendable {
    var coreContext: CoreRequestContextStorage
    let remoteAddress: String?

    init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        remoteAddress = source.channel.remoteAddress?.ipAddress
    }
}

/// What the push listener did, for tests and the benchmark (they wait on these instead of sleeping).
public enum PushTerminalEvent: Sendable {
    case handshake(serial: String)
    /// An upload was committed and answered (`OK: lines`).
    case uploaded(serial: String, table: String, lines: Int, outcome: PushUploadOutcome)
    /// Commands were handed to a terminal at its poll.
    case commandsSent(serial: String, ids: [Int64])
    /// A terminal's results finished these commands.
    case commandsFinished(serial: String, commands: [PushCommandRecord])
    /// A request was refused (status and why).
    case refused(serial: String?, status: Int, reason: String)
    /// An unknown serial was recorded as a candidate (or was one already).
    case candidate(serial: String, outcome: PushCandidateOutcome)
}

/// Misbehaviour on command, for fault-injection tests: the gateway answers uploads with 500 as if it had crashed
/// before answering (`afterCommit`: the data is on disk and the answer lost) or before writing.
struct PushFaults: Sendable, Equatable {
    /// The next this many uploads are answered 500 after their commit …
    var failUploadsAfterCommit = 0
    /// … or before it.
    var failUploadsBeforeCommit = 0
    /// The uploads with these numbers (1-based, counted from when the faults were set) are answered 500 after their
    /// commit …
    var failAfterCommitAt: Set<Int> = []
    /// … or before it.
    var failBeforeCommitAt: Set<Int> = []
    /// Uploads counted so far.
    var uploads = 0
    /// Answer ATTLOG uploads `OK` without committing them: the crash suite's seeded fault, which must make it report
    /// lost punches (Tests/Reliability/crash_suite.py --seed-fault). Set only by `COUNTERGATE_TEST_FAULT=skip-push-commit`.
    var skipAttendanceCommits = false

    /// The faults the environment asks for: `COUNTERGATE_TEST_FAULT=skip-push-commit`, for the crash suite only.
    static func fromEnvironment(_ environment: [String: String] = ProcessInfo.processInfo.environment) -> PushFaults {
        var faults = PushFaults()
        faults.skipAttendanceCommits = environment["COUNTERGATE_TEST_FAULT"] == "skip-push-commit"
        return faults
    }
}

/// The handlers of the push listener.
final class PushTerminalServer: Sendable {
    let config: HallConfiguration
    let store: HallStore
    let clock: any HallClock
    let logger: Logger
    let directory: PushTerminalDirectory
    let commits: PushCommitQueue
    let watchdog: PushTerminalWatchdog
    let copy: PushTerminalCopy
    /// Requests per terminal serial ([push] requests_per_second, burst).
    let limiter: TokenBuckets
    let observer: (@Sendable (PushTerminalEvent) -> Void)?
    /// The profile given to unknown terminals recorded as candidates.
    static let candidateProfile = TerminalProfile.genericPush

    private let encodings = Mutex<[String: PushTextEncoding]>([:])
    private let lastNoted = Mutex<[String: Date]>([:])
    private let lastCandidate = Mutex<[String: Date]>([:])
    private let ignoredTables = Mutex<Set<String>>([])
    private let faults = Mutex(PushFaults.fromEnvironment())

    init(config: HallConfiguration, store: HallStore, clock: any HallClock, logger: Logger, directory: PushTerminalDirectory, commits: PushCommitQueue,
         watchdog: PushTerminalWatchdog, copy: PushTerminalCopy, observer: (@Sendable (PushTerminalEvent) -> Void)?) {
        self.config = config
        self.store = store
        self.clock = clock
        self.logger = logger
        self.directory = directory
        self.commits = commits
        self.watchdog = watchdog
        self.copy = copy
        self.observer = observer
        limiter = TokenBuckets(perSecond: Double(config.push.requestsPerSecond), burst: config.push.burst, capacity: 10_000)
    }

    var settings: HallConfiguration.Push { config.push }

    func setFaults(_ new: PushFaults) { faults.withLock { $0 = new } }

    // MARK: - Routes

    /// `/iclock/…` and nothing else: anything outside is 404.
    func router() -> Router<PushRequestContext> {
        let router = Router(context: PushRequestContext.self)
        router.get("iclock/cdata") { request, context in await self.respond(request, context, endpoint: "cdata", self.handshake) }
        router.post("iclock/cdata") { request, context in await self.respond(request, context, endpoint: "cdata", self.upload) }
        router.get("iclock/getrequest") { request, context in await self.respond(request, context, endpoint: "getrequest", self.poll) }
        router.post("iclock/devicecmd") { request, context in await self.respond(request, context, endpoint: "devicecmd", self.results) }
        router.post("iclock/registry") { request, context in await self.respond(request, context, endpoint: "registry", self.registry) }
        router.get("iclock/registry") { request, context in await self.respond(request, context, endpoint: "registry", self.registry) }
        router.get("iclock/push") { request, context in await self.respond(request, context, endpoint: "push", self.pushConfiguration) }
        router.post("iclock/push") { request, context in await self.respond(request, context, endpoint: "push", self.pushConfiguration) }
        router.get("iclock/ping") { request, context in await self.respond(request, context, endpoint: "ping") { _, _, _ in .ok("OK") } }
        router.post("iclock/querydata") { request, context in await self.respond(request, context, endpoint: "querydata", self.queryData) }
        return router
    }

    /// What a handler answers.
    struct Answer {
        var status: HTTPResponse.Status
        var text: String
        var encoding: PushTextEncoding = .utf8
        var retryAfter: Int?

        static func ok(_ text: String, encoding: PushTextEncoding = .utf8) -> Answer { Answer(status: .ok, text: text, encoding: encoding) }
    }

    typealias Handler = @Sendable (inout Request, PushRequestContext, ServedPushTerminal) async -> Answer

    /// The checks every request passes before its handler: a usable serial, the terminal's rate, a role bound to it.
    func respond(_ request: Request, _ context: PushRequestContext, endpoint: String, _ handler: Handler) async -> Response {
        var request = request
        let answer = await admit(&request, context, endpoint: endpoint, handler)
        Counter(label: "countergate_push_requests_total", dimensions: [("endpoint", endpoint), ("status", String(answer.status.code))]).increment()
        var headers: HTTPFields = [.contentType: "text/plain"]
        if let wait = answer.retryAfter { headers[.retryAfter] = String(wait) }
        return Response(status: answer.status, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: answer.encoding.encode(answer.text))))
    }

    private func admit(_ request: inout Request, _ context: PushRequestContext, endpoint: String, _ handler: Handler) async -> Answer {
        let query = request.uri.queryParameters
        let serial: String
        do {
            serial = try PushRequestValues.serialNumber((query["SN"] ?? query["sn"]).map(String.init))
        } catch {
            return refuse(nil, .badRequest, "\(error); a terminal sends its serial number as SN=")
        }
        if let wait = limiter.take(serial, now: Self.monotonicMicroseconds()) {
            var answer = refuse(serial, .tooManyRequests, "terminal \(serial) calls more often than \(settings.requestsPerSecond)/s ([push] requests_per_second)")
            answer.retryAfter = TokenBuckets.seconds(wait)
            return answer
        }
        if let length = request.headers[.contentLength].flatMap(Int.init), length > settings.maxBodyKiB * 1024 {
            return refuse(serial, .contentTooLarge, "the body is \(length) bytes; at most \(settings.maxBodyKiB) KiB are accepted ([push] max_body_kib)")
        }
        guard let terminal = await directory.lookup(serial) else {
            await recordStranger(serial, remote: context.remoteAddress)
            return refuse(serial, .forbidden, """
                terminal \(serial) is not registered with this gateway, so nothing it sends is stored (it keeps its data). \
                Ops: countergate terminal approve \(serial) --role ROLE
                """)
        }
        await watchdog.called(terminal)
        await note(terminal.serial, remote: context.remoteAddress)
        return await handler(&request, context, terminal)
    }

    private func refuse(_ serial: String?, _ status: HTTPResponse.Status, _ reason: String) -> Answer {
        logger.warning("push request refused", metadata: ["serial": "\(serial ?? "-")", "status": "\(status.code)", "reason": "\(reason)"])
        observer?(.refused(serial: serial, status: status.code, reason: reason))
        return Answer(status: status, text: "ERROR: \(reason)")
    }

    /// An unknown serial: a candidate for ops (recorded at most once a minute per serial), nothing else.
    private func recordStranger(_ serial: String, remote: String?) async {
        let now = clock.now()
        let due = lastCandidate.withLock { seen -> Bool in
            if let last = seen[serial], now.timeIntervalSince(last) < 60 { return false }
            if seen.count > 2_000 { seen.removeAll() }
            seen[serial] = now
            return true
        }
        guard due else { return }
        Counter(label: "countergate_push_unknown_serials_total").increment()
        do {
            let outcome = try await store.recordPushCandidate(serial: serial, profile: Self.candidateProfile, remoteAddress: remote,
                                                              limit: settings.maxCandidates, at: now)
            switch outcome {
            case .recorded(let id):
                logger.notice("an unknown push terminal called; recorded as a candidate, nothing of it stored", metadata: [
                    "serial": "\(serial)", "device": "\(id)", "from": "\(remote ?? "-")", "approve": "countergate terminal approve \(serial) --role ROLE"])
            case .known, .full:
                if outcome == .full {
                    logger.warning("an unknown push terminal called; not recorded: the store holds \(settings.maxCandidates) push candidates already ([push] max_candidates)",
                                   metadata: ["serial": "\(serial)", "from": "\(remote ?? "-")"])
                }
            }
            observer?(.candidate(serial: serial, outcome: outcome))
        } catch {
            logger.error("an unknown push terminal could not be recorded as a candidate: \(error)", metadata: ["serial": "\(serial)"])
        }
    }

    /// Last seen, at most once a minute per terminal (a poll every few seconds would otherwise be a write each).
    private func note(_ serial: String, remote: String?, force: Bool = false, pushVersion: String? = nil, handshake: Bool = false,
                      encoding: PushTextEncoding? = nil, facts: [String: String] = [:]) async {
        let now = clock.now()
        let due = lastNoted.withLock { seen -> Bool in
            guard force || seen[serial].map({ now.timeIntervalSince($0) >= 60 }) ?? true else { return false }
            seen[serial] = now
            return true
        }
        guard due else { return }
        do {
            try await store.notePushTerminal(serial: serial, at: now, remoteAddress: remote, pushVersion: pushVersion, handshake: handshake,
                                             textEncoding: encoding?.rawValue, facts: facts)
        } catch {
            logger.warning("what push terminal \(serial) reported could not be stored: \(error)")
        }
    }

    // MARK: - Handshake and configuration

    /// The options for a terminal: the stamps committed for it, the rest from `[push]` and the hall's zone.
    func options(for serial: String) async throws -> PushOptions {
        let stamps = try await store.pushStamps(serial: serial)
        var flags: [PushTransFlag] = [.attendance, .operations]
        if settings.uploadUsers { flags += [.enrolledUsers, .changedUsers, .enrolledFingerprints, .changedFingerprints] }
        let offset = HallTime.chinaStandardTime.secondsFromGMT(for: clock.now())
        return PushOptions(attendanceStamp: stamps["ATTLOG"], operationStamp: stamps["OPERLOG"], photoStamp: stamps["ATTPHOTO"],
                           errorDelay: settings.errorDelaySeconds, delay: settings.delaySeconds, transTimes: settings.transTimes,
                           transInterval: settings.transIntervalMinutes, transFlags: flags, timeZone: offset / 3600, realtime: settings.realtime)
    }

    private func handshake(_ request: inout Request, _ context: PushRequestContext, _ terminal: ServedPushTerminal) async -> Answer {
        let query = request.uri.queryParameters
        guard query["table"] == nil else { return .ok("OK") }
        let pushVersion = query["pushver"].map { String($0.prefix(32)) }
        do {
            let options = try await options(for: terminal.serial)
            await note(terminal.serial, remote: context.remoteAddress, force: true, pushVersion: pushVersion, handshake: true)
            logger.info("push terminal handshake", metadata: ["serial": "\(terminal.serial)", "role": "\(terminal.device.role)",
                                                               "pushver": "\(pushVersion ?? "-")", "ATTLOGStamp": "\(options.attendanceStamp ?? "None")"])
            observer?(.handshake(serial: terminal.serial))
            return .ok(options.answer(serial: terminal.serial, dialect: pushVersion == nil ? .legacy : .current))
        } catch {
            logger.error("push handshake failed: \(error)", metadata: ["serial": "\(terminal.serial)"])
            return Answer(status: .internalServerError, text: "ERROR: the gateway's store cannot be read; the terminal tries again after its ErrorDelay")
        }
    }

    private func registry(_ request: inout Request, _ context: PushRequestContext, _ terminal: ServedPushTerminal) async -> Answer {
        if let body = try? await request.body.collect(upTo: settings.maxBodyKiB * 1024), body.readableBytes > 0 {
            let bytes = Array(buffer: body)
            let text = PushBody.lines(bytes, encoding: PushBody.encoding(of: bytes, contentType: nil)).compactMap { try? $0.text.get() }.joined(separator: "\n")
            await note(terminal.serial, remote: context.remoteAddress, force: true, facts: PushDeviceFacts.parse(text))
        }
        return .ok("RegistryCode=\(terminal.serial)\n")
    }

    private func pushConfiguration(_ request: inout Request, _ context: PushRequestContext, _ terminal: ServedPushTerminal) async -> Answer {
        do {
            return .ok(PushRegistryAnswer(options: try await options(for: terminal.serial), requestTimeout: settings.bodyTimeoutSeconds).text)
        } catch {
            return Answer(status: .internalServerError, text: "ERROR: the gateway's store cannot be read")
        }
    }

    // MARK: - Uploads

    private func upload(_ request: inout Request, _ context: PushRequestContext, _ terminal: ServedPushTerminal) async -> Answer {
        let query = request.uri.queryParameters
        let table: PushTable
        let stamp: String?
        do {
            table = try PushRequestValues.table(query["table"].map(String.init))
            stamp = try PushRequestValues.stamp((query["Stamp"] ?? query["OpStamp"] ?? query["stamp"]).map(String.init))
        } catch {
            return refuse(terminal.serial, .badRequest, "\(error)")
        }
        let bytes: [UInt8]
        do {
            bytes = Array(buffer: try await request.body.collect(upTo: settings.maxBodyKiB * 1024))
        } catch is NIOTooManyBytesError {
            return refuse(terminal.serial, .contentTooLarge, "the body is larger than \(settings.maxBodyKiB) KiB ([push] max_body_kib)")
        } catch {
            return refuse(terminal.serial, .badRequest, "the body could not be read: \(error)")
        }
        let encoding = PushBody.encoding(of: bytes, contentType: request.headers[.contentType])
        if bytes.contains(where: { $0 >= 0x80 }) { await remember(encoding, for: terminal.serial, remote: context.remoteAddress) }
        let lines = PushBody.lines(bytes, encoding: encoding)
        var upload = PushUpload(serial: terminal.serial, role: terminal.device.role, table: table.name, stamp: stamp, receivedAt: clock.now())
        switch table {
        case .attendance:
            readAttendance(lines, into: &upload)
        case .operations:
            readOperations(lines, into: &upload) { (line: String) throws(PushDecodeError) in try PushOperationRecord(line: line) }
        case .biodata:
            readOperations(lines, into: &upload) { (line: String) throws(PushDecodeError) in try PushOperationRecord(biodataLine: line) }
        case .options:
            let text = lines.compactMap { try? $0.text.get() }.joined(separator: "\n")
            await note(terminal.serial, remote: context.remoteAddress, force: true, facts: PushDeviceFacts.parse(text))
            return .ok("OK")
        case .attendancePhotos, .other:
            let first = ignoredTables.withLock { $0.insert("\(terminal.serial)/\(table.name)").inserted }
            if first {
                logger.info("a push terminal uploads a table the gateway does not keep; acknowledged, not stored",
                            metadata: ["serial": "\(terminal.serial)", "table": "\(table.name)", "bytes": "\(bytes.count)"])
            }
            return .ok("OK")
        }
        return await commit(upload, lines: lines.count, terminal: terminal)
    }

    /// `POST /iclock/querydata` (push 3.x answers to DATA QUERY): OPERLOG-style lines, no stamp.
    private func queryData(_ request: inout Request, _ context: PushRequestContext, _ terminal: ServedPushTerminal) async -> Answer {
        let bytes: [UInt8]
        do { bytes = Array(buffer: try await request.body.collect(upTo: settings.maxBodyKiB * 1024)) } catch {
            return refuse(terminal.serial, .contentTooLarge, "the body is larger than \(settings.maxBodyKiB) KiB ([push] max_body_kib)")
        }
        let lines = PushBody.lines(bytes, encoding: PushBody.encoding(of: bytes, contentType: request.headers[.contentType]))
        var upload = PushUpload(serial: terminal.serial, role: terminal.device.role, table: "QUERYDATA", stamp: nil, receivedAt: clock.now())
        readOperations(lines, into: &upload) { (line: String) throws(PushDecodeError) in try PushOperationRecord(line: line) }
        return await commit(upload, lines: lines.count, terminal: terminal)
    }

    private func readAttendance(_ lines: [PushBodyLine], into upload: inout PushUpload) {
        var records: [ZKAttendanceRecord] = []
        records.reserveCapacity(lines.count)
        for line in lines {
            do {
                records.append(try PushAttendanceRecord(line: try line.text.get()).record)
            } catch {
                upload.quarantined.append(PushQuarantinedLine(lineNumber: line.number, raw: Data(line.bytes), reason: "\(error)"))
            }
        }
        let converter = TerminalPunches(serialNumber: upload.serial, zone: HallTime.chinaStandardTime, now: upload.receivedAt, clockDrift: nil,
                                        maxDrift: TimeInterval(config.attendance.maxClockDriftSeconds))
        (upload.punches, upload.flags) = converter.convert(records)
    }

    /// Folds an OPERLOG body into the role's copy in line order (a user deleted and enrolled again in one upload ends
    /// enrolled), keeps the operations, quarantines what cannot be read.
    private func readOperations(_ lines: [PushBodyLine], into upload: inout PushUpload,
                                _ decode: (String) throws(PushDecodeError) -> PushOperationRecord) {
        var users: [String: PushStoredUser?] = [:]
        var templates: [String: PushStoredTemplate?] = [:]
        var deletedAllFingers: Set<String> = []
        var order: [String] = []
        func key(_ pin: String, _ finger: Int) -> String { "\(pin)\u{1}\(finger)" }
        for line in lines {
            do {
                switch try decode(try line.text.get()) {
                case .user(let user):
                    users[user.pin] = PushStoredUser(pin: user.pin, name: user.name, privilege: user.privilege, password: user.password,
                                                     card: user.card, group: user.group, timeZone: user.timeZone)
                    order.append(user.pin)
                case .fingerprint(let template):
                    templates[key(template.pin, template.finger)] = PushStoredTemplate(pin: template.pin, finger: template.finger, valid: template.valid,
                                                                                       template: Data(template.template))
                case .event(let event):
                    let instant = event.time.instant(in: HallTime.chinaStandardTime) ?? upload.receivedAt
                    upload.operations.append(PushStoredOperation(type: event.type, operatorID: event.operatorID, at: instant,
                                                                 objects: event.objects.joined(separator: "\t")))
                    guard let pin = event.subject else { continue }
                    if event.type == 9 {
                        users[pin] = .some(nil)
                        for k in templates.keys where k.hasPrefix(pin + "\u{1}") { templates[k] = .some(nil) }
                        deletedAllFingers.insert(pin)
                    } else if event.type == 10 {
                        if let finger = event.objects.dropFirst().first.flatMap({ Int($0) }), (0...9).contains(finger) {
                            templates[key(pin, finger)] = .some(nil)
                        } else {
                            for k in templates.keys where k.hasPrefix(pin + "\u{1}") { templates[k] = .some(nil) }
                            deletedAllFingers.insert(pin)
                        }
                    }
                case .other:
                    continue
                }
            } catch {
                upload.quarantined.append(PushQuarantinedLine(lineNumber: line.number, raw: Data(line.bytes), reason: "\(error)"))
            }
        }
        for (pin, user) in users.sorted(by: { $0.key < $1.key }) {
            if let user { upload.users.append(user) } else { upload.deletedUsers.append(pin) }
        }
        for pin in deletedAllFingers where users[pin] == nil || users[pin]! != nil {
            upload.deletedTemplates.append((pin, nil))
        }
        for (k, template) in templates.sorted(by: { $0.key < $1.key }) {
            if let template {
                upload.templates.append(template)
            } else {
                let parts = k.split(separator: "\u{1}")
                if parts.count == 2, let finger = Int(parts[1]) { upload.deletedTemplates.append((String(parts[0]), finger)) }
            }
        }
    }

    private func commit(_ upload: PushUpload, lines: Int, terminal: ServedPushTerminal) async -> Answer {
        let (number, before) = faults.withLock { f -> (Int, Bool) in
            f.uploads += 1
            guard f.failUploadsBeforeCommit > 0 || f.failBeforeCommitAt.contains(f.uploads) else { return (f.uploads, false) }
            f.failUploadsBeforeCommit = max(0, f.failUploadsBeforeCommit - 1)
            return (f.uploads, true)
        }
        if before { return Answer(status: .internalServerError, text: "ERROR: fault injected before the commit") }
        if upload.table == "ATTLOG", faults.withLock({ $0.skipAttendanceCommits }) {
            logger.critical("TEST FAULT skip-push-commit: an attendance upload answered OK and NOT stored (COUNTERGATE_TEST_FAULT)")
            return .ok("OK: \(lines)")
        }
        let outcome: PushUploadOutcome
        do {
            outcome = try await commits.commit(upload)
        } catch {
            logger.error("a push upload could not be stored; the terminal sends it again after its ErrorDelay", metadata: [
                "serial": "\(upload.serial)", "table": "\(upload.table)", "lines": "\(lines)", "error": "\(error)"])
            return Answer(status: .internalServerError, text: "ERROR: not stored (\(error)); send it again")
        }
        Counter(label: "countergate_push_punches_total", dimensions: [("result", "inserted")]).increment(by: outcome.inserted)
        Counter(label: "countergate_push_punches_total", dimensions: [("result", "already_stored")]).increment(by: outcome.alreadyStored)
        if outcome.quarantined > 0 {
            Counter(label: "countergate_push_quarantined_lines_total").increment(by: outcome.quarantined)
            logger.warning("lines of a push upload could not be read; kept aside, the rest stored", metadata: [
                "serial": "\(upload.serial)", "table": "\(upload.table)", "quarantined": "\(outcome.quarantined)", "of": "\(lines)",
                "first": "\(upload.quarantined.first?.reason ?? "")", "review": "countergate terminal quarantine"])
        }
        if outcome.copyChanges > 0 { copy.changed(role: terminal.device.role, deviceID: terminal.device.id, serial: terminal.serial) }
        let after = faults.withLock { f -> Bool in
            guard f.failUploadsAfterCommit > 0 || f.failAfterCommitAt.contains(number) else { return false }
            f.failUploadsAfterCommit = max(0, f.failUploadsAfterCommit - 1)
            return true
        }
        if after { return Answer(status: .internalServerError, text: "ERROR: fault injected after the commit") }
        observer?(.uploaded(serial: upload.serial, table: upload.table, lines: lines, outcome: outcome))
        return .ok("OK: \(lines)")
    }

    private func remember(_ encoding: PushTextEncoding, for serial: String, remote: String?) async {
        let changed = encodings.withLock { known -> Bool in
            guard known[serial] != encoding else { return false }
            known[serial] = encoding
            return true
        }
        if changed { await note(serial, remote: remote, force: true, encoding: encoding) }
    }

    /// How text goes to a terminal: as it last wrote, else `[push] text_encoding`.
    private func encoding(for serial: String) async -> PushTextEncoding {
        if let known = encodings.withLock({ $0[serial] }) { return known }
        let stored = (try? await store.pushTerminal(serial: serial))?.textEncoding.flatMap(PushTextEncoding.init(rawValue:))
        let chosen = stored ?? PushTextEncoding(rawValue: settings.textEncoding) ?? .gb18030
        encodings.withLock { $0[serial] = $0[serial] ?? chosen }
        return chosen
    }

    // MARK: - Commands

    private func poll(_ request: inout Request, _ context: PushRequestContext, _ terminal: ServedPushTerminal) async -> Answer {
        if let info = request.uri.queryParameters["INFO"] {
            let facts = PushDeviceFacts.parse(infoParameter: String(info))
            if !facts.isEmpty { await note(terminal.serial, remote: context.remoteAddress, facts: facts) }
        }
        let now = clock.now()
        do {
            guard try await store.hasDuePushCommands(serial: terminal.serial, at: now) else { return .ok("OK") }
            let taken = try await store.takeDuePushCommands(serial: terminal.serial, limit: 100, byteBudget: 60 * 1024, at: now)
            guard !taken.isEmpty else { return .ok("OK") }
            logger.info("commands sent to a push terminal", metadata: ["serial": "\(terminal.serial)", "ids": "\(taken.map(\.id))"])
            observer?(.commandsSent(serial: terminal.serial, ids: taken.map(\.id)))
            return .ok(PushCommandLine.answer(taken.map { PushCommandLine(id: $0.id, text: $0.command) }), encoding: await encoding(for: terminal.serial))
        } catch {
            logger.error("commands for a push terminal could not be read: \(error)", metadata: ["serial": "\(terminal.serial)"])
            return .ok("OK")
        }
    }

    private func results(_ request: inout Request, _ context: PushRequestContext, _ terminal: ServedPushTerminal) async -> Answer {
        let bytes: [UInt8]
        do { bytes = Array(buffer: try await request.body.collect(upTo: settings.maxBodyKiB * 1024)) } catch {
            return refuse(terminal.serial, .contentTooLarge, "the body is larger than \(settings.maxBodyKiB) KiB ([push] max_body_kib)")
        }
        let text = PushBody.lines(bytes, encoding: PushBody.encoding(of: bytes, contentType: request.headers[.contentType]))
            .map { (try? $0.text.get()) ?? "" }.joined(separator: "\n")
        let (results, malformed) = PushCommandResults.decode(text)
        for line in malformed {
            logger.warning("a command result of a push terminal could not be read", metadata: ["serial": "\(terminal.serial)", "line": "\(line.line.prefix(80))",
                                                                                             "reason": "\(line.error)"])
        }
        do {
            let finished = try await store.completePushCommands(serial: terminal.serial, results.map {
                PushCommandOutcome(id: $0.id, returnCode: $0.returnCode, content: $0.content.joined(separator: "\n"))
            }, at: clock.now())
            for command in finished where command.state == .failed {
                logger.warning("a push terminal refused a command", metadata: [
                    "serial": "\(terminal.serial)", "id": "\(command.id)", "command": "\(command.command.prefix(60))",
                    "return": "\(command.returnCode ?? 0)", "meaning": "\(PushCommandResult.meaning(of: command.returnCode ?? 0))"])
            }
            let facts = results.filter { $0.command.uppercased() == "INFO" && $0.succeeded }.reduce(into: [String: String]()) { $0.merge($1.facts) { _, new in new } }
            if !facts.isEmpty { await note(terminal.serial, remote: context.remoteAddress, force: true, facts: facts) }
            if !finished.isEmpty { observer?(.commandsFinished(serial: terminal.serial, commands: finished)) }
            return .ok("OK")
        } catch {
            logger.error("command results could not be stored: \(error)", metadata: ["serial": "\(terminal.serial)"])
            return Answer(status: .internalServerError, text: "ERROR: not stored; send the results again")
        }
    }

    static func monotonicMicroseconds() -> Int64 {
        let (seconds, attoseconds) = (ContinuousClock.now - epoch).components
        return seconds * 1_000_000 + attoseconds / 1_000_000_000_000
    }

    private static let epoch = ContinuousClock.now
}
