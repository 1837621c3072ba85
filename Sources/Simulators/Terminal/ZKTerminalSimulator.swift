// TEST FAKE: a ZKTeco-style attendance terminal that serves the pull protocol on loopback, for tests and demos.
// Public API and state; the protocol lives in SimulatedTerminalSession, the sockets in the two handlers.
import CounterCore
import Foundation
import NIOCore
import NIOPosix
import Synchronization
import ZKTerminal

/// A **test fake** of a ZKTeco-style fingerprint attendance terminal (port 4370 pull protocol), speaking the
/// real wire protocol over TCP and UDP on loopback, so that our client and the reference client pyzk can both
/// be tested against it. It never talks to real hardware and is never part of the gateway's device path.
///
/// What it does, in short (details in ``SimulatedTerminalSession``):
/// - sessions per TCP connection and per UDP remote address, with an optional comm key;
/// - device facts (version, options, free sizes), the terminal clock (skewed by ``Configuration/clockOffset``);
/// - buffered bulk reads of attendance records, users and templates, in the chunk sizes pyzk uses;
/// - user writes, user/template uploads, deleting users, clearing the attendance log;
/// - live attendance events (``punch(userID:verifyType:state:at:)``), one at a time, each waiting for its ACK;
/// - faults on command (``Faults``): stall, drop the connection mid-chunk, garbage replies, small DATA packets.
///
/// The terminal stays disabled after DISABLEDEVICE until a client sends ENABLEDEVICE, even when that client
/// disconnects or crashes (as real terminals do: a client that crashes mid-download leaves the terminal frozen),
/// so tests can check that a client re-enables the terminal.
///
/// All state sits behind one `Mutex`; the NIO handlers call in from their event loops.
public final class ZKTerminalSimulator: Sendable {
    /// What the simulated terminal says about itself and how it stores records.
    public struct Configuration: Sendable {
        public var serialNumber: String
        public var firmware: String
        public var platform: String
        public var deviceName: String
        public var macAddress: String
        /// The comm key (通讯密码); nil means none, so CONNECT is answered ACK_OK at once.
        public var commKey: UInt32?
        public var attendanceLayout: ZKAttendanceLayout
        public var userLayout: ZKUserLayout
        /// How far the terminal's clock is from the real clock (seconds; positive = terminal is ahead).
        public var clockOffset: TimeInterval
        /// The zone the terminal's wall clock shows.
        public var timeZone: TimeZone
        /// The fingerprint algorithm version `~ZKFPVersion` answers (ZKFinger 9 or 10).
        public var fingerprintVersion: Int = 10

        public init(
            serialNumber: String = "SIM0000001",
            firmware: String = "Ver 6.60 Apr 28 2017",
            platform: String = "ZMM220_TFT",
            deviceName: String = "CounterGate simulated terminal",
            macAddress: String = "00:17:61:c0:97:01",
            commKey: UInt32? = nil,
            attendanceLayout: ZKAttendanceLayout = .full,
            userLayout: ZKUserLayout = .zk8,
            clockOffset: TimeInterval = 0,
            timeZone: TimeZone = TimeZone(identifier: "Asia/Shanghai") ?? TimeZone(secondsFromGMT: 8 * 3600)!
        ) {
            self.serialNumber = serialNumber
            self.firmware = firmware
            self.platform = platform
            self.deviceName = deviceName
            self.macAddress = macAddress
            self.commKey = commKey
            self.attendanceLayout = attendanceLayout
            self.userLayout = userLayout
            self.clockOffset = clockOffset
            self.timeZone = timeZone
        }
    }

    /// Misbehaviour on command. Set with ``setFaults(_:)``; `Faults()` is a healthy terminal.
    public struct Faults: Sendable, Equatable {
        /// Read every packet and answer nothing (no replies, no live events) until cleared.
        public var stall: Bool
        /// Serve the READ_BUFFER chunk number N (counted from when these faults were set, over all sessions)
        /// only partly: PREPARE_DATA, then the first half of the DATA packet's bytes, then the connection is
        /// closed (a UDP session is forgotten). Fires once, then clears itself.
        public var dropConnectionAfterChunks: Int?
        /// Answer every command with 16-64 random bytes instead of its reply (the command is still carried out).
        public var garbageReplies: Bool
        /// On TCP, split each chunk's data into DATA packets of this many bytes (e.g. 1008, as some firmware
        /// does) instead of one DATA packet per chunk.
        public var dataPacketSize: Int?
        /// On UDP, the data bytes per DATA packet (pyzk reads at most 1024).
        public var udpDataPacketSize: Int

        public init(stall: Bool = false, dropConnectionAfterChunks: Int? = nil, garbageReplies: Bool = false,
                    dataPacketSize: Int? = nil, udpDataPacketSize: Int = 1024) {
            self.stall = stall
            self.dropConnectionAfterChunks = dropConnectionAfterChunks
            self.garbageReplies = garbageReplies
            self.dataPacketSize = dataPacketSize
            self.udpDataPacketSize = udpDataPacketSize
        }
    }

    /// What went on, counted since the simulator was made.
    public struct Counters: Sendable, Equatable {
        /// TCP connections accepted (including pyzk's connect-and-close probe).
        public var tcpConnectionsAccepted = 0
        /// CONNECT commands answered (TCP and UDP).
        public var sessionsOpened = 0
        /// Commands answered (anything but a client's ACK_OK of a live event), authorised or not.
        public var commandsHandled = 0
        /// Packets whose checksum was wrong (they are processed anyway, as real terminals do).
        public var checksumErrors = 0
        /// TCP streams closed because they did not deframe, and UDP datagrams ignored because they were no packet.
        public var undecodableInputs = 0
        /// Packets read and ignored because of ``Faults/stall``.
        public var ignoredWhileStalled = 0
        /// READ_BUFFER chunks served (whole or cut short).
        public var readBufferChunksServed = 0
        /// Attendance log bytes sent (READ_BUFFER chunks of an attendance set, and sets sent whole).
        public var attendanceBytesServed = 0
        public var liveEventsSent = 0
        public var liveEventsAcknowledged = 0

        public init() {}
    }

    /// One stretch of time the terminal was disabled (keypad and sensor locked), as the terminal saw it.
    public struct DisabledInterval: Sendable {
        public let start: ContinuousClock.Instant
        /// Nil while it is still disabled.
        public var end: ContinuousClock.Instant?
        /// The commands handled meanwhile, in order (``ZKCommand/data`` for each attendance chunk or set served).
        public var commands: [ZKCommand] = []
        /// Attendance log bytes sent while disabled.
        public var attendanceBytesServed = 0

        public var duration: Duration? { end.map { $0 - start } }
    }

    /// A snapshot of the terminal.
    public struct State: Sendable {
        public var users: [ZKUser]
        public var templates: [ZKFingerprintTemplate]
        public var records: [ZKAttendanceRecord]
        /// The terminal's wall clock now.
        public var terminalTime: ZKLocalTime
        public var isEnabled: Bool
        /// Sessions past CONNECT (and AUTH, with a comm key) that have not ended.
        public var openSessions: Int
        /// Open sessions registered for live attendance events (REG_EVENT with EF_ATTLOG).
        public var attendanceEventSessions: Int
    }

    /// Why ``waitUntil(_:timeout:_:)`` gave up.
    public struct TimedOut: Error, CustomStringConvertible {
        public let what: String
        public let counters: Counters
        public var description: String { "timed out waiting for \(what); simulator counters: \(counters)" }
    }

    public enum StartError: Error, Equatable {
        case alreadyStarted
    }

    let hub: Mutex<SimulatorHub>
    private let changes = ChangeSignal()

    /// - Parameters:
    ///   - users: enrolled users (see ``demoUsers()``).
    ///   - templates: enrolled fingers.
    ///   - records: the attendance log (see ``generatedRecords(count:users:start:seed:)``).
    ///   - clock: the real clock; the terminal shows it plus ``Configuration/clockOffset``.
    public init(configuration: Configuration = Configuration(), users: [ZKUser] = [], templates: [ZKFingerprintTemplate] = [],
                records: [ZKAttendanceRecord] = [], clock: any HallClock) {
        let terminal = SimulatedTerminal(configuration: configuration, clock: clock, users: users, templates: templates, records: records)
        hub = Mutex(SimulatorHub(terminal: terminal))
    }

    // MARK: Running

    /// Listens on `host` (loopback in tests); port 0 picks a free port. Returns the ports bound.
    public func start(host: String = "127.0.0.1", tcpPort: Int = 0, udpPort: Int = 0) async throws -> (tcp: Int, udp: Int) {
        try hub.withLock { hub in
            guard !hub.started else { throw StartError.alreadyStarted }
            hub.started = true
            hub.terminal.ipAddress = host
        }
        let group = MultiThreadedEventLoopGroup.singleton
        do {
            let tcp = try await ServerBootstrap(group: group)
                .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
                .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
                .childChannelInitializer { [self] channel in
                    channel.eventLoop.makeCompletedFuture {
                        try channel.pipeline.syncOperations.addHandler(ZKSimulatorTCPHandler(simulator: self))
                    }
                }
                .bind(host: host, port: tcpPort).get()
            hub.withLock { $0.listeners.append(tcp) }
            let udp = try await DatagramBootstrap(group: group)
                .channelOption(.socketOption(.so_reuseaddr), value: 1)
                .channelInitializer { [self] channel in
                    channel.eventLoop.makeCompletedFuture {
                        try channel.pipeline.syncOperations.addHandler(ZKSimulatorUDPHandler(simulator: self))
                    }
                }
                .bind(host: host, port: udpPort).get()
            hub.withLock { $0.listeners.append(udp) }
            return (tcp.localAddress?.port ?? tcpPort, udp.localAddress?.port ?? udpPort)
        } catch {
            try? await stop()
            throw error
        }
    }

    /// Stops listening and closes every connection. Safe to call twice.
    public func stop() async throws {
        let (listeners, links) = hub.withLock { hub in
            defer {
                hub.listeners = []
                hub.connections = [:]
                hub.started = false
            }
            return (hub.listeners, hub.connections.values.map(\.link))
        }
        for listener in listeners { try? await listener.close().get() }
        for link in links { await link.closeConnection() }
        changes.notify()
    }

    // MARK: Driving the terminal

    /// Someone punches at the terminal: appends a record (at the terminal's clock unless `at` is given) and sends a
    /// live event to every session registered for EF_ATTLOG. Returns the record. While the terminal is disabled its
    /// keypad and sensor do not answer: the punch is held and logged (and sent live) when it is enabled again, as
    /// the person punching again once the terminal answers.
    @discardableResult
    public func punch(userID: String, verifyType: UInt8 = 1, state: UInt8 = 0, at time: ZKLocalTime? = nil) -> ZKAttendanceRecord {
        let record = hub.withLock { hub in
            let record = hub.terminal.makePunch(userID: userID, verifyType: verifyType, state: state, at: time)
            hub.punch(record)
            return record
        }
        changes.notify()
        return record
    }

    /// Someone clears the attendance log on the terminal's menu (数据管理 → 删除考勤记录).
    public func clearLog() {
        hub.withLock { $0.terminal.records.removeAll() }
        changes.notify()
    }

    /// Sets the faults (replacing the previous ones). Clearing a stall sends live events that waited.
    public func setFaults(_ faults: Faults) {
        hub.withLock { hub in
            hub.terminal.faults = faults
            hub.terminal.chunksSinceFaultsSet = 0
            for key in hub.connections.keys {
                let outputs = hub.connections[key]!.session.sendQueuedEvents(terminal: &hub.terminal)
                hub.deliver(outputs, to: key)
            }
        }
        changes.notify()
    }

    // MARK: Observing

    public var faults: Faults { hub.withLock { $0.terminal.faults } }

    /// False between DISABLEDEVICE and ENABLEDEVICE (not reset by a client disconnecting).
    public var isEnabled: Bool { hub.withLock { $0.terminal.isEnabled } }

    public var counters: Counters { hub.withLock { $0.terminal.counters } }

    /// Every time the terminal was disabled since the simulator was made, oldest first.
    public var disabledIntervals: [DisabledInterval] { hub.withLock { $0.terminal.disabledIntervals } }

    public var state: State {
        hub.withLock { hub in
            let open = hub.connections.values.filter { $0.session.phase == .connected }
            return State(users: hub.terminal.users, templates: hub.terminal.templates, records: hub.terminal.records,
                         terminalTime: hub.terminal.now(), isEnabled: hub.terminal.isEnabled, openSessions: open.count,
                         attendanceEventSessions: open.filter { $0.session.eventFlags.contains(.attendance) }.count)
        }
    }

    /// Waits until `condition` holds, re-checking after everything the simulator does (packets, punches, faults).
    /// For tests: wait on the event, with a timeout, instead of sleeping.
    public func waitUntil(_ what: String, timeout: Duration = .seconds(30),
                          _ condition: @escaping @Sendable (ZKTerminalSimulator) -> Bool) async throws {
        let met = try await changes.wait(timeout: timeout) { condition(self) }
        if !met { throw TimedOut(what: what, counters: counters) }
    }

    /// Called by the handlers after the hub changed.
    func didChange() { changes.notify() }
}
