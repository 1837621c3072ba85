// The pull-protocol client: connect (with comm key), device facts, bulk reads, writes, time, live events.
import Foundation
import Logging
import NIOCore

/// What a terminal says about itself.
public struct ZKDeviceInfo: Sendable, Equatable, Codable {
    public var serialNumber: String
    public var firmware: String
    public var platform: String
    public var deviceName: String
    public var users: Int
    public var fingers: Int
    public var records: Int
    public var recordCapacity: Int
}

/// What a read of the attendance log brought (``ZKClient/attendance(after:progress:)``).
public struct ZKAttendanceRead: Sendable {
    public enum Kind: String, Sendable {
        /// The count said nothing was added: nothing was transferred, the keypad was never locked.
        case unchanged
        /// Only the records after the mark were transferred.
        case newOnly = "new-only"
        /// The whole log was transferred (the first read, or a log that does not continue the mark).
        case whole
    }

    /// The records after the mark (every record, for a whole read), oldest first.
    public let records: [ZKAttendanceRecord]
    /// Where this read ended: the mark for the next one.
    public let mark: ZKLogMark
    public let kind: Kind
    /// Records in the terminal's log.
    public let logRecords: Int
    /// Attendance bytes transferred (READ_BUFFER, or the set sent whole).
    public let transferredBytes: Int
    /// How long the terminal was disabled (keypad and sensor locked) for this read, measured here from DISABLEDEVICE sent to
    /// ENABLEDEVICE acknowledged; nil when it was not disabled. With ``heldDisabledForTransfer`` the transfer's time adds.
    public let disabled: Duration?
    /// The firmware refused READ_BUFFER once enabled, so the transfer ran with the terminal disabled as well.
    public let heldDisabledForTransfer: Bool

    public init(records: [ZKAttendanceRecord], mark: ZKLogMark, kind: Kind, logRecords: Int, transferredBytes: Int, disabled: Duration?,
                heldDisabledForTransfer: Bool = false) {
        self.records = records
        self.mark = mark
        self.kind = kind
        self.logRecords = logRecords
        self.transferredBytes = transferredBytes
        self.disabled = disabled
        self.heldDisabledForTransfer = heldDisabledForTransfer
    }
}

/// Progress of a long download: bytes so far of the total.
public typealias ZKProgress = @Sendable (_ done: Int, _ total: Int) -> Void

/// A client of one terminal over TCP or UDP.
///
/// Every wait is bounded by `replyTimeout`; a connection that breaks fails the current call with a typed
/// error and the client must be reconnected. Bulk reads run with the terminal disabled and always
/// re-enable it, even when the read fails, times out or is cancelled.
public actor ZKClient {
    public struct Configuration: Sendable {
        public var endpoint: ZKEndpoint
        /// The terminal's comm key (通讯密码); 0 when none is set.
        public var commKey: UInt32
        /// How long to wait for any one reply packet.
        public var replyTimeout: Duration
        public var connectTimeout: Duration
        /// The name used in errors and logs (the role, e.g. `entrance-terminal`).
        public var deviceName: String

        public init(endpoint: ZKEndpoint, commKey: UInt32 = 0, replyTimeout: Duration = .seconds(5),
                    connectTimeout: Duration = .seconds(5), deviceName: String? = nil) {
            self.endpoint = endpoint
            self.commKey = commKey
            self.replyTimeout = replyTimeout
            self.connectTimeout = connectTimeout
            self.deviceName = deviceName ?? endpoint.description
        }
    }

    public let configuration: Configuration
    private let logger: Logger
    private var connection: ZKConnection?
    private var sessionID: UInt16 = 0
    private var replyID: UInt16 = 0
    private var firmware: String?
    private var enabled = true

    public init(_ configuration: Configuration, logger: Logger = Logger(label: "countergate.terminal")) {
        self.configuration = configuration
        var logger = logger
        logger[metadataKey: "terminal"] = "\(configuration.deviceName)"
        self.logger = logger
    }

    private var device: String { configuration.deviceName }
    public var isConnected: Bool { connection != nil }

    // MARK: Session

    /// Opens the connection and the protocol session, answering a comm-key challenge when there is one.
    public func connect() async throws(ZKClientError) {
        await closeConnection()
        do {
            connection = try await ZKConnection.open(configuration.endpoint, device: device,
                                                     connectTimeout: .nanoseconds(configuration.connectTimeout.nanoseconds))
        } catch let error as ZKClientError { throw error } catch { throw .unreachable(device: device, detail: "\(error)") }
        sessionID = 0
        replyID = 0
        let reply = try await exchange(.connect, what: "CONNECT", checkReply: false)
        sessionID = reply.sessionID
        if reply.command == .ackUnauthorized {
            let auth = try await exchange(.auth, payload: ZKCommKey.scramble(key: configuration.commKey, sessionID: sessionID),
                                          what: "AUTH", checkReply: false)
            guard auth.command == .ackOK else {
                await closeConnection()
                throw .unauthorized(device: device)
            }
        } else if reply.command != .ackOK {
            await closeConnection()
            throw .refused(device: device, command: "CONNECT", reply: reply.command.description)
        }
        enabled = true
        logger.debug("connected", metadata: ["endpoint": "\(configuration.endpoint)", "session": "\(sessionID)"])
    }

    /// Ends the session politely (EXIT) and closes the connection.
    public func disconnect() async {
        if connection != nil {
            _ = try? await exchange(.exit, what: "EXIT", checkReply: false, honourCancellation: false)
        }
        await closeConnection()
    }

    private func closeConnection() async {
        if let connection {
            self.connection = nil
            await connection.close()
        }
    }

    // MARK: Facts

    public func deviceInfo() async throws(ZKClientError) -> ZKDeviceInfo {
        let version = try await exchange(.getVersion, what: "GET_VERSION")
        firmware = String(decoding: version.payload.prefix { $0 != 0 }, as: UTF8.self)
        let sizes = try await freeSizes()
        return ZKDeviceInfo(serialNumber: try await option("~SerialNumber"), firmware: firmware ?? "",
                            platform: (try? await option("~Platform")) ?? "", deviceName: (try? await option("~DeviceName")) ?? "",
                            users: sizes.users, fingers: sizes.fingers, records: sizes.records, recordCapacity: sizes.recordCapacity)
    }

    /// The value of a terminal option (`~SerialNumber`).
    public func option(_ name: String) async throws(ZKClientError) -> String {
        ZKOption.value(of: try await exchange(.optionsRead, payload: ZKOption.request(name), what: "OPTIONS_RRQ \(name)").payload)
    }

    public func freeSizes() async throws(ZKClientError) -> ZKFreeSizes {
        let reply = try await exchange(.getFreeSizes, what: "GET_FREE_SIZES")
        do { return try ZKFreeSizes.decode(reply.payload) } catch { throw violation("GET_FREE_SIZES: \(error)") }
    }

    // MARK: Time

    /// The terminal's clock (its local wall time, no zone).
    public func time() async throws(ZKClientError) -> ZKLocalTime {
        let reply = try await exchange(.getTime, what: "GET_TIME")
        guard reply.payload.count >= 4 else { throw violation("GET_TIME reply has \(reply.payload.count) bytes") }
        return ZKLocalTime(packed: UInt32(reply.payload[0]) | UInt32(reply.payload[1]) << 8 | UInt32(reply.payload[2]) << 16 | UInt32(reply.payload[3]) << 24)
    }

    /// Sets the terminal's clock, then REFRESHDATA so it takes effect.
    public func setTime(_ time: ZKLocalTime) async throws(ZKClientError) {
        var payload: [UInt8] = []
        payload.appendLE(time.packed)
        _ = try await exchange(.setTime, payload: payload, what: "SET_TIME")
        _ = try await exchange(.refreshData, what: "REFRESHDATA")
    }

    // MARK: Bulk reads

    /// Runs `body` with the terminal disabled (its keypad and sensor locked, so the data cannot change under
    /// the read) and re-enables it afterwards, whatever happens.
    public func withDeviceDisabled<T: Sendable>(_ body: () async throws(ZKClientError) -> T) async throws(ZKClientError) -> T {
        _ = try await exchange(.disableDevice, what: "DISABLEDEVICE")
        enabled = false
        let result: Result<T, ZKClientError>
        do { result = .success(try await body()) } catch { result = .failure(error) }
        await reenable()
        return try result.get()
    }

    /// Re-enables the terminal: on this connection if it still works, else on a fresh one. Runs even when
    /// the task is cancelled (a terminal left disabled locks staff out); bounded by the reply timeout.
    private func reenable() async {
        if enabled { return }
        if connection != nil, (try? await exchange(.enableDevice, what: "ENABLEDEVICE", honourCancellation: false)) != nil {
            enabled = true
            return
        }
        logger.warning("re-enabling the terminal on a new connection")
        do {
            try await connectIgnoringCancellation()
            _ = try await exchange(.enableDevice, what: "ENABLEDEVICE", honourCancellation: false)
            enabled = true
        } catch {
            logger.error("the terminal may still be disabled: \(error)")
        }
    }

    private func connectIgnoringCancellation() async throws(ZKClientError) {
        await closeConnection()
        do {
            connection = try await ZKConnection.open(configuration.endpoint, device: device,
                                                     connectTimeout: .nanoseconds(configuration.connectTimeout.nanoseconds))
        } catch let error as ZKClientError { throw error } catch { throw .unreachable(device: device, detail: "\(error)") }
        sessionID = 0
        replyID = 0
        let reply = try await exchange(.connect, what: "CONNECT", checkReply: false, honourCancellation: false)
        sessionID = reply.sessionID
        if reply.command == .ackUnauthorized {
            _ = try await exchange(.auth, payload: ZKCommKey.scramble(key: configuration.commKey, sessionID: sessionID),
                                   what: "AUTH", honourCancellation: false)
        }
    }

    /// Every user enrolled on the terminal.
    public func users() async throws(ZKClientError) -> [ZKUser] {
        try await withDeviceDisabled { () async throws(ZKClientError) -> [ZKUser] in
            let sizes = try await freeSizes()
            if sizes.users == 0 { return [] }
            let dataset = try await readBuffer(command: .userTemplateRead, table: .users, what: "users", progress: nil)
            do { return try ZKDataset.users(dataset, records: sizes.users).1 } catch { throw violation("users: \(error)") }
        }
    }

    /// Every attendance record on the terminal. The record layout is derived from the dataset size and the
    /// record count; a size that fits no layout is an error naming the terminal and its firmware.
    public func attendance(progress: ZKProgress? = nil) async throws(ZKClientError) -> [ZKAttendanceRecord] {
        try await attendance(after: nil, progress: progress).records
    }

    /// The attendance records added since `mark` (every record when `mark` is nil), locking the keypad only while the
    /// terminal copies its log into its buffer, never during the transfer.
    ///
    /// 1. GET_FREE_SIZES with the terminal enabled: when the count is the mark's and the log is not full, nothing is read.
    /// 2. DISABLEDEVICE, GET_FREE_SIZES, PREPARE_BUFFER (the terminal snapshots the log into its buffer), ENABLEDEVICE.
    /// 3. With the keypad usable again: READ_BUFFER of the bytes after the mark only (one record of overlap, checked
    ///    against the mark; a log that was cleared or rolled over, or firmware that serves from the start whatever was
    ///    asked, is read whole instead), then FREE_DATA.
    ///
    /// Firmware that refuses READ_BUFFER once enabled is read the old way, disabled for the whole transfer, and the
    /// result says so (``ZKAttendanceRead/heldDisabledForTransfer``).
    public func attendance(after mark: ZKLogMark?, progress: ZKProgress? = nil) async throws(ZKClientError) -> ZKAttendanceRead {
        let before = try await freeSizes()
        switch ZKLogRead.change(since: mark, records: before.records, capacity: before.recordCapacity) {
        case .unchanged:
            return ZKAttendanceRead(records: [], mark: mark ?? .empty, kind: .unchanged, logRecords: before.records, transferredBytes: 0, disabled: nil)
        case .empty:
            return ZKAttendanceRead(records: [], mark: .empty, kind: (mark?.records ?? 0) == 0 ? .unchanged : .whole, logRecords: 0,
                                    transferredBytes: 0, disabled: nil)
        case .grown:
            break
        }
        let what = "attendance records"
        let clock = ContinuousClock()
        let started = clock.now
        let (sizes, prepared) = try await withDeviceDisabled { () async throws(ZKClientError) -> (ZKFreeSizes, PreparedBuffer?) in
            let sizes = try await freeSizes()
            if sizes.records == 0 { return (sizes, nil) }
            return (sizes, try await prepareBuffer(command: .attendanceRead, table: nil, what: what))
        }
        let disabled = clock.now - started
        guard let prepared else {
            return ZKAttendanceRead(records: [], mark: .empty, kind: .whole, logRecords: 0, transferredBytes: 0, disabled: disabled)
        }
        let layout: ZKAttendanceLayout
        do {
            layout = try ZKLogRead.layout(datasetBytes: prepared.size, records: sizes.records)
        } catch {
            _ = try? await exchange(.freeData, what: "FREE_DATA", checkReply: false)
            throw violation("\(what): \(error)")
        }
        var heldDisabled = false
        let read = { (range: ZKLogRead.Range) async throws(ZKClientError) -> ArraySlice<UInt8> in
            switch prepared {
            case .direct(let dataset):
                guard range.end <= dataset.count else { throw self.violation("\(what): \(dataset.count) bytes sent, \(prepared.size) announced") }
                return dataset[range.start..<range.end]
            case .buffered:
                do throws(ZKClientError) {
                    return try await self.readBufferRange(range.start..<range.end, total: prepared.size, what: what, progress: progress)[...]
                } catch let error where !heldDisabled && Self.isRefusal(error) {
                    // Firmware that frees its buffer on ENABLEDEVICE: read it the old way, keypad locked throughout.
                    self.logger.warning("the terminal refuses READ_BUFFER once enabled; reading with it disabled", metadata: ["error": "\(error)"])
                    heldDisabled = true
                    return try await self.withDeviceDisabled { () async throws(ZKClientError) -> ArraySlice<UInt8> in
                        let again = try await self.prepareBuffer(command: .attendanceRead, table: nil, what: what)
                        guard again.size == prepared.size else { throw self.violation("\(what): the log changed while the keypad was locked") }
                        return try await self.readBufferRange(range.start..<range.end, total: again.size, what: what, progress: progress)[...]
                    }
                }
            }
        }
        var range = ZKLogRead.tail(after: mark, records: sizes.records, layout: layout)
        var bytes = try await read(range)
        var transferred = bytes.count
        var kind = ZKAttendanceRead.Kind.whole
        if range.firstRecord > 0, let mark {
            if ZKLogRead.continues(mark, tail: bytes) {
                kind = .newOnly
                bytes = bytes.dropFirst(layout.rawValue)
            } else {
                logger.notice("the terminal's log does not continue the last read (cleared, rolled over, or the firmware ignores the offset); reading it whole")
                range = ZKLogRead.whole(records: sizes.records, layout: layout)
                bytes = try await read(range)
                transferred += bytes.count
            }
        }
        if case .buffered = prepared { _ = try await exchange(.freeData, what: "FREE_DATA", checkReply: false) }
        let records: [ZKAttendanceRecord]
        do { records = try layout.decodeAll(bytes) } catch { throw violation("\(what): \(error)") }
        let newest = kind == .newOnly && bytes.isEmpty ? (mark?.newest ?? []) : Array(bytes.suffix(layout.rawValue))
        return ZKAttendanceRead(records: records, mark: ZKLogMark(records: sizes.records, newest: newest), kind: kind, logRecords: sizes.records,
                                transferredBytes: transferred, disabled: disabled, heldDisabledForTransfer: heldDisabled)
    }

    private static func isRefusal(_ error: ZKClientError) -> Bool {
        if case .refused = error { return true }
        return false
    }

    /// Every fingerprint template.
    public func templates(progress: ZKProgress? = nil) async throws(ZKClientError) -> [ZKFingerprintTemplate] {
        try await withDeviceDisabled { () async throws(ZKClientError) -> [ZKFingerprintTemplate] in
            let sizes = try await freeSizes()
            if sizes.fingers == 0 { return [] }
            let dataset = try await readBuffer(command: .dbRead, table: .fingerprintTemplates, what: "fingerprint templates", progress: progress)
            do { return try ZKDataset.templates(dataset) } catch { throw violation("templates: \(error)") }
        }
    }

    /// What PREPARE_BUFFER gave: the whole set at once (small sets), or the size of the set now in the terminal's buffer.
    enum PreparedBuffer: Sendable {
        case direct([UInt8])
        case buffered(size: Int)

        var size: Int {
            switch self {
            case .direct(let dataset): dataset.count
            case .buffered(let size): size
            }
        }
    }

    /// The buffered read: PREPARE_BUFFER, then READ_BUFFER chunk by chunk (PREPARE_DATA, DATA..., ACK_OK),
    /// then FREE_DATA. A chunk whose reply times out is asked for again (up to 3 times); a connection that
    /// breaks ends the read with ``ZKClientError/connectionLost(device:during:)``.
    private func readBuffer(command: ZKCommand, table: ZKTable?, what: String, progress: ZKProgress?) async throws(ZKClientError) -> [UInt8] {
        let prepared = try await prepareBuffer(command: command, table: table, what: what)
        guard case .buffered(let total) = prepared else {
            if case .direct(let dataset) = prepared { return dataset }
            return []
        }
        let data = try await readBufferRange(0..<total, total: total, what: what, progress: progress)
        _ = try await exchange(.freeData, what: "FREE_DATA", checkReply: false)
        return data
    }

    /// PREPARE_BUFFER: the terminal copies the data set into its buffer and announces its size (or sends a small set whole).
    private func prepareBuffer(command: ZKCommand, table: ZKTable?, what: String) async throws(ZKClientError) -> PreparedBuffer {
        let request = ZKBufferedRead.prepareRequest(command: command, fct: table?.rawValue ?? 0)
        let prepared = try await exchange(.prepareBuffer, payload: request, what: "PREPARE_BUFFER for \(what)", checkReply: false)
        if prepared.command == .data { return .direct(prepared.payload) }  // small sets come back whole
        guard prepared.command == .ackOK else {
            throw .refused(device: device, command: "PREPARE_BUFFER for \(what)", reply: prepared.command.description)
        }
        let total: Int
        do { total = try ZKBufferedRead.parseBufferReadyReply(prepared.payload) } catch { throw violation("PREPARE_BUFFER reply: \(error)") }
        guard total <= 256 * 1024 * 1024 else { throw violation("\(what): the terminal announces \(total) bytes") }
        return .buffered(size: total)
    }

    /// READ_BUFFER of `range` of the buffered set (of `total` bytes), chunk by chunk.
    private func readBufferRange(_ range: Range<Int>, total: Int, what: String, progress: ZKProgress?) async throws(ZKClientError) -> [UInt8] {
        guard range.lowerBound >= 0, range.upperBound <= total else { throw violation("\(what): bytes \(range) asked of \(total)") }
        let chunkSize = configuration.endpoint.transport == .tcp ? 0xFFC0 : 16 * 1024
        var data: [UInt8] = []
        data.reserveCapacity(range.count)
        var start = range.lowerBound
        progress?(0, range.count)
        while start < range.upperBound {
            let size = min(chunkSize, range.upperBound - start)
            var attempt = 0
            while true {
                attempt += 1
                do {
                    try await readChunk(start: start, size: size, what: what, into: &data)
                    break
                } catch let error where attempt < 3 && Self.isTimeout(error) {
                    logger.warning("chunk timed out, asking again", metadata: ["start": "\(start)", "attempt": "\(attempt)"])
                    data.removeLast(data.count - (start - range.lowerBound))
                    connection?.inbox.discardPending()
                }
            }
            start += size
            progress?(start - range.lowerBound, range.count)
        }
        return data
    }

    private static func isTimeout(_ error: ZKClientError) -> Bool {
        if case .timedOut = error { return true }
        return false
    }

    /// One READ_BUFFER chunk, appended to `data` as it arrives (no copy of the chunk on its own).
    private func readChunk(start: Int, size: Int, what: String, into data: inout [UInt8]) async throws(ZKClientError) {
        let id = try await send(.readBuffer, payload: ZKBufferedRead.readRequest(start: start, size: size), what: "READ_BUFFER")
        let label = "\(what) bytes \(start)..<\(start + size)"
        var first = try await receive(replyTo: id, what: label)
        if first.command == .data {
            // Some firmware skips PREPARE_DATA for a chunk that fits one packet.
            guard first.payload.count == size else { throw violation("\(label): DATA of \(first.payload.count) bytes") }
            data.append(contentsOf: first.payload)
            return
        }
        guard first.command == .prepareData else {
            throw .refused(device: device, command: "READ_BUFFER \(label)", reply: first.command.description)
        }
        let announced: Int
        do { announced = try ZKBufferedRead.parsePrepareData(first.payload) } catch { throw violation("\(label): \(error)") }
        guard announced == size else { throw violation("\(label): the terminal prepares \(announced) bytes") }
        var received = 0
        while true {
            first = try await receive(replyTo: id, what: label)
            if first.command == .data {
                received += first.payload.count
                guard received <= size else { throw violation("\(label): \(received) bytes sent") }
                data.append(contentsOf: first.payload)
            } else if first.command == .ackOK {
                guard received == size else { throw violation("\(label): the chunk ended after \(received) bytes") }
                return
            } else {
                throw violation("\(label): unexpected \(first.command) inside a chunk")
            }
        }
    }

    // MARK: Writes

    /// Writes (adds or replaces) one user in the layout the terminal uses.
    public func writeUser(_ user: ZKUser, layout: ZKUserLayout) async throws(ZKClientError) {
        _ = try await exchange(.userWrite, payload: layout.encode(user), what: "USER_WRQ \(user.userID)")
        _ = try await exchange(.refreshData, what: "REFRESHDATA")
    }

    /// Restores users and their fingerprint templates in one upload (the replacement workflow).
    public func restore(users: [ZKUser], layout: ZKUserLayout, templates: [ZKFingerprintTemplate], progress: ZKProgress? = nil) async throws(ZKClientError) {
        let upload = ZKDataset.userTemplateUpload(users: users, layout: layout, templates: templates)
        try await withDeviceDisabled { () async throws(ZKClientError) in
            _ = try await exchange(.freeData, what: "FREE_DATA", checkReply: false)
            var size: [UInt8] = []
            size.appendLE(UInt32(upload.count))
            _ = try await exchange(.prepareData, payload: size, what: "PREPARE_DATA")
            var sent = 0
            progress?(0, upload.count)
            while sent < upload.count {
                let end = min(sent + 1024, upload.count)
                _ = try await exchange(.data, payload: Array(upload[sent..<end]), what: "DATA")
                sent = end
                progress?(sent, upload.count)
            }
            var save: [UInt8] = []
            save.appendLE(UInt32(12))
            save.appendLE(UInt16(0))
            save.appendLE(UInt16(8))
            _ = try await exchange(.saveUserTemplates, payload: save, what: "SAVE_USERTEMPS")
            _ = try await exchange(.refreshData, what: "REFRESHDATA")
        }
    }

    // MARK: Live events

    /// Registers for attendance events and calls `onPunch` for each, acknowledging every event packet.
    /// Returns when cancelled; throws when the connection breaks. During silence the terminal is asked
    /// for its time every `heartbeat`, so a dead terminal is noticed rather than waited on forever.
    /// `onAlive` is called whenever the terminal shows it is there: a heartbeat answered, or an event.
    public func watchAttendance(heartbeat: Duration = .seconds(30), onAlive: @Sendable () async -> Void = {},
                                onPunch: @Sendable (ZKLiveAttendance) async -> Void) async throws(ZKClientError) {
        _ = try await exchange(.cancelCapture, what: "CANCELCAPTURE", checkReply: false)
        _ = try await exchange(.startVerify, what: "STARTVERIFY", checkReply: false)
        _ = try await exchange(.enableDevice, what: "ENABLEDEVICE")
        var flags: [UInt8] = []
        flags.appendLE(ZKEventFlags.attendance.rawValue)
        _ = try await exchange(.registerEvents, payload: flags, what: "REG_EVENT")
        var pendingHeartbeat: UInt16?
        while true {
            guard let connection else { throw ZKClientError.notConnected(device: device) }
            let packet: ZKPacket
            do {
                packet = try await connection.inbox.next(timeout: .nanoseconds(heartbeat.nanoseconds), on: connection.channel.eventLoop)
            } catch ZKPacketInbox.WaitError.cancelled {
                var off: [UInt8] = []
                off.appendLE(UInt32(0))
                _ = try? await exchange(.registerEvents, payload: off, what: "REG_EVENT 0", checkReply: false, honourCancellation: false)
                return
            } catch ZKPacketInbox.WaitError.timedOut {
                if pendingHeartbeat != nil {
                    throw ZKClientError.timedOut(device: device, waitingFor: "the heartbeat (GET_TIME)", seconds: heartbeat.seconds)
                }
                pendingHeartbeat = try await send(.getTime, payload: [], what: "GET_TIME heartbeat")
                continue
            } catch let error as ZKClientError {
                throw error
            } catch {
                throw ZKClientError.connectionLost(device: device, during: "live events")
            }
            if packet.command == .registerEvents {
                try await acknowledgeEvent()
                await onAlive()
                if packet.sessionID & UInt16(truncatingIfNeeded: ZKEventFlags.attendance.rawValue) != 0 {
                    do { await onPunch(try ZKLiveAttendance.decode(packet.payload)) } catch {
                        logger.warning("live event not understood: \(error)", metadata: ["bytes": "\(packet.payload.count)"])
                    }
                }
            } else if let id = pendingHeartbeat, packet.replyID == id {
                pendingHeartbeat = nil
                await onAlive()
            }
        }
    }

    private func acknowledgeEvent() async throws(ZKClientError) {
        guard let connection else { throw .notConnected(device: device) }
        do { try await connection.send(ZKPacket(command: .ackOK, sessionID: sessionID, replyID: 0)) } catch {
            throw .connectionLost(device: device, during: "acknowledging a live event")
        }
    }

    // MARK: Exchanges

    /// Sends a command and waits for its reply.
    /// - Parameter checkReply: when true, anything but ACK_OK / DATA is an error.
    private func exchange(_ command: ZKCommand, payload: [UInt8] = [], what: String, checkReply: Bool = true,
                          honourCancellation: Bool = true) async throws(ZKClientError) -> ZKPacket {
        let id = try await send(command, payload: payload, what: what)
        let reply = try await receive(replyTo: id, what: what, honourCancellation: honourCancellation)
        if checkReply && reply.command != .ackOK && reply.command != .data && reply.command != .prepareData {
            if reply.command == .ackUnauthorized { throw .unauthorized(device: device) }
            throw .refused(device: device, command: what, reply: reply.command.description)
        }
        return reply
    }

    private func send(_ command: ZKCommand, payload: [UInt8], what: String) async throws(ZKClientError) -> UInt16 {
        guard let connection else { throw .notConnected(device: device) }
        replyID = replyID == UInt16.max - 1 ? 0 : replyID &+ 1
        let id = replyID
        do { try await connection.send(ZKPacket(command: command, sessionID: sessionID, replyID: id, payload: payload)) } catch {
            await closeConnection()
            throw .connectionLost(device: device, during: "sending \(what)")
        }
        return id
    }

    /// The next packet answering `id`; stale replies to earlier commands and unsolicited events are skipped.
    private func receive(replyTo id: UInt16, what: String, honourCancellation: Bool = true) async throws(ZKClientError) -> ZKPacket {
        guard let connection else { throw .notConnected(device: device) }
        while true {
            let packet: ZKPacket
            do {
                packet = try await connection.inbox.next(timeout: .nanoseconds(configuration.replyTimeout.nanoseconds),
                                                         on: connection.channel.eventLoop, honourCancellation: honourCancellation)
            } catch ZKPacketInbox.WaitError.timedOut {
                throw .timedOut(device: device, waitingFor: what, seconds: configuration.replyTimeout.seconds)
            } catch ZKPacketInbox.WaitError.cancelled {
                throw .cancelled(device: device)
            } catch let error as ZKClientError {
                await closeConnection()
                if case .connectionLost = error { throw .connectionLost(device: device, during: what) }
                if case .protocolViolation(_, _, let detail) = error { throw violation(detail) }
                throw error
            } catch {
                throw .connectionLost(device: device, during: what)
            }
            if packet.command == .registerEvents {
                // An event while we wait for a reply: acknowledge it so the terminal does not stall.
                try await acknowledgeEvent()
                continue
            }
            if packet.replyID == id { return packet }
            logger.debug("skipping a stale reply", metadata: ["reply": "\(packet.replyID)", "waiting": "\(id)"])
        }
    }

    private func violation(_ detail: String) -> ZKClientError {
        .protocolViolation(device: device, firmware: firmware, detail: detail)
    }
}

extension Duration {
    var nanoseconds: Int64 {
        let (seconds, attoseconds) = components
        return seconds * 1_000_000_000 + attoseconds / 1_000_000_000
    }

    var seconds: Double { Double(nanoseconds) / 1e9 }
}
