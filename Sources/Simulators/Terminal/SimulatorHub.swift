// TEST FAKE: the terminal simulator's connections: which session belongs to which TCP connection or UDP peer,
// and how a session's output reaches the wire.
import NIOCore
import ZKTerminal

/// A TCP connection or a UDP peer.
enum ConnectionKey: Hashable, Sendable {
    case tcp(Int)
    case udp(SocketAddress)
}

/// The way back to one peer. `send` only enqueues onto the channel's event loop, so it may be called while the
/// hub is locked, and the order of calls is the order on the wire.
protocol SimulatorLink: Sendable {
    func send(_ outputs: [SessionOutput])
    func closeConnection() async
}

/// Everything the simulator guards with its one lock: the terminal, the sessions and the listening channels.
struct SimulatorHub: Sendable {
    struct Connection: Sendable {
        var session: SimulatedTerminalSession
        let link: any SimulatorLink
    }

    var terminal: SimulatedTerminal
    var connections: [ConnectionKey: Connection] = [:]
    var listeners: [any Channel] = []
    var started = false
    private var lastTCPConnection = 0

    init(terminal: SimulatedTerminal) { self.terminal = terminal }

    mutating func openTCPConnection(link: any SimulatorLink) -> ConnectionKey {
        lastTCPConnection += 1
        let key = ConnectionKey.tcp(lastTCPConnection)
        terminal.counters.tcpConnectionsAccepted += 1
        connections[key] = Connection(session: SimulatedTerminalSession(transport: .tcp), link: link)
        return key
    }

    /// One packet (TCP: deframed; UDP: a datagram) from a peer.
    mutating func receive(_ bytes: [UInt8], on key: ConnectionKey) {
        guard connections[key] != nil else { return }  // ended (EXIT, drop) while the peer kept talking
        let outputs = connections[key]!.session.receive(bytes, terminal: &terminal)
        deliver(outputs, to: key)
        if terminal.isEnabled && !terminal.heldPunches.isEmpty {
            let held = terminal.heldPunches
            terminal.heldPunches = []
            for record in held { log(record) }
        }
    }

    /// A punch at the terminal: held while the keypad is locked (the person punches again once it answers), else
    /// appended to the log and sent live to every session registered for EF_ATTLOG.
    mutating func punch(_ record: ZKAttendanceRecord) {
        if terminal.isEnabled { log(record) } else { terminal.heldPunches.append(record) }
    }

    private mutating func log(_ record: ZKAttendanceRecord) {
        terminal.records.append(record)
        let event = ZKLiveAttendance(userID: record.userID, verifyType: record.verifyType, state: record.state, time: record.time)
        for key in connections.keys {
            let outputs = connections[key]!.session.queueAttendanceEvent(event, terminal: &terminal)
            deliver(outputs, to: key)
        }
    }

    /// A datagram from a UDP peer: its session is made on first contact and kept only once it has connected.
    mutating func receiveDatagram(_ bytes: [UInt8], from remote: SocketAddress, link: @autoclosure () -> any SimulatorLink) {
        let key = ConnectionKey.udp(remote)
        if connections[key] == nil {
            connections[key] = Connection(session: SimulatedTerminalSession(transport: .udp), link: link())
        }
        receive(bytes, on: key)
        if let connection = connections[key], connection.session.phase == .unconnected { connections[key] = nil }
    }

    /// Hands a session's output to its link; a session that ended is forgotten.
    mutating func deliver(_ outputs: [SessionOutput], to key: ConnectionKey) {
        guard !outputs.isEmpty, let connection = connections[key] else { return }
        connection.link.send(outputs)
        if outputs.contains(.endSession) { connections[key] = nil }
    }

    mutating func connectionClosed(_ key: ConnectionKey) {
        connections[key] = nil
    }
}
