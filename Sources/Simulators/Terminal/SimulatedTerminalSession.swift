// TEST FAKE: one session of the simulated terminal, as a state machine: a packet in, the packets to send out.
// No sockets here, so it is tested directly.
import Foundation
import ZKTerminal

/// The transport a session runs over; it decides how a chunk's data is cut into DATA packets.
enum SimulatedTransport: Sendable {
    case tcp
    case udp
}

/// What a session asks its transport to do, in order.
enum SessionOutput: Sendable, Equatable {
    /// Send this packet (TCP: framed; UDP: as one datagram).
    case packet(ZKPacket)
    /// Send only the first half of this packet's wire bytes (a fault), then ``endSession``.
    case cutShort(ZKPacket)
    /// Send these bytes as they are (a fault: TCP raw into the stream, UDP as one datagram).
    case garbage([UInt8])
    /// The session is over: TCP closes the connection once the bytes before are written, UDP forgets the peer.
    case endSession
}

/// One client's session with the simulated terminal.
///
/// Protocol decisions (where the references are silent, the choice that makes a client's mistake visible):
/// - Requests after CONNECT must carry the session id; a wrong one is answered ACK_UNAUTH.
/// - CONNECT again on a session keeps its id (as real terminals do) and starts authentication over.
/// - AUTH is checked against ``ZKCommKey/scramble(key:sessionID:ticks:)`` with the ticks byte the client sent.
/// - A client's ACK_OK answers the live event in flight and is itself never answered; the other ACK codes
///   (which pyzk sends to "clear an error") get ACK_UNKNOWN like any unknown command.
/// - A data set goes back directly as DATA when the whole packet fits in 1,024 bytes (pyzk reads replies to
///   PREPARE_BUFFER with a 1,024-byte buffer, and over UDP a longer datagram would be cut); otherwise it is
///   buffered for READ_BUFFER. A chunk may be at most 65,472 bytes (0xFFC0, pyzk's TCP chunk).
struct SimulatedTerminalSession: Sendable {
    enum Phase: Sendable, Equatable {
        case unconnected
        case awaitingAuth
        case connected
    }

    /// An upload announced with PREPARE_DATA and filled with DATA packets.
    private struct Upload: Sendable {
        var expected: Int
        var bytes: [UInt8]
    }

    /// The largest data set sent directly as DATA in answer to PREPARE_BUFFER (8-byte header + set ≤ 1,024).
    static let directDataLimit = 1024 - 8
    /// The largest READ_BUFFER chunk served.
    static let maximumChunk = 0xFFC0
    /// The largest upload accepted (PREPARE_DATA).
    static let maximumUpload = 16 * 1024 * 1024

    let transport: SimulatedTransport
    private(set) var phase = Phase.unconnected
    private(set) var sessionID: UInt16 = 0
    private(set) var eventFlags: ZKEventFlags = []
    /// A live event has been sent and the client's ACK_OK has not come yet.
    private(set) var awaitingEventAck = false
    private var queuedEvents: [ZKPacket] = []
    private var readBuffer: [UInt8]?
    private var readBufferIsAttendance = false
    private var upload: Upload?

    init(transport: SimulatedTransport) { self.transport = transport }

    // MARK: Input

    /// One packet from the client (bare: TCP framing already removed).
    mutating func receive(_ bytes: [UInt8], terminal: inout SimulatedTerminal) -> [SessionOutput] {
        guard let packet = try? ZKPacket.decode(bytes, verifyChecksum: false) else {
            terminal.counters.undecodableInputs += 1
            return []
        }
        if !ZKPacket.checksumMatches(bytes) { terminal.counters.checksumErrors += 1 }
        if terminal.faults.stall {
            terminal.counters.ignoredWhileStalled += 1
            return []
        }
        if packet.command == .ackOK { return eventAcknowledged(terminal: &terminal) }
        terminal.counters.commandsHandled += 1
        terminal.noteWhileDisabled(packet.command)
        let outputs = answer(packet, terminal: &terminal)
        guard terminal.faults.garbageReplies else { return outputs }
        return [.garbage(terminal.garbage())] + outputs.filter { $0 == .endSession }
    }

    // MARK: Live events

    /// Queues a live attendance event if this session registered for them, and sends it unless one is in flight.
    mutating func queueAttendanceEvent(_ event: ZKLiveAttendance, terminal: inout SimulatedTerminal) -> [SessionOutput] {
        guard phase == .connected, eventFlags.contains(.attendance) else { return [] }
        // The event code goes in the session field; the reply id is 0.
        queuedEvents.append(ZKPacket(command: .registerEvents, sessionID: UInt16(ZKEventFlags.attendance.rawValue), replyID: 0,
                                     payload: event.encode52()))
        return sendQueuedEvents(terminal: &terminal)
    }

    /// The next queued event, if none is waiting for its ACK and the terminal is not stalled.
    mutating func sendQueuedEvents(terminal: inout SimulatedTerminal) -> [SessionOutput] {
        guard !awaitingEventAck, !terminal.faults.stall, !queuedEvents.isEmpty else { return [] }
        awaitingEventAck = true
        terminal.counters.liveEventsSent += 1
        return [.packet(queuedEvents.removeFirst())]
    }

    private mutating func eventAcknowledged(terminal: inout SimulatedTerminal) -> [SessionOutput] {
        guard awaitingEventAck else { return [] }
        awaitingEventAck = false
        terminal.counters.liveEventsAcknowledged += 1
        return sendQueuedEvents(terminal: &terminal)
    }

    // MARK: Commands

    private mutating func answer(_ request: ZKPacket, terminal: inout SimulatedTerminal) -> [SessionOutput] {
        func reply(_ command: ZKCommand, _ payload: [UInt8] = []) -> [SessionOutput] {
            [.packet(ZKPacket(command: command, sessionID: sessionID, replyID: request.replyID, payload: payload))]
        }

        if request.command == .connect { return connect(request, terminal: &terminal) }
        guard phase != .unconnected, request.sessionID == sessionID else { return reply(.ackUnauthorized) }
        if phase == .awaitingAuth {
            guard request.command == .auth, let key = terminal.configuration.commKey, request.payload.count >= 4 else {
                return reply(.ackUnauthorized)
            }
            guard Array(request.payload.prefix(4)) == ZKCommKey.scramble(key: key, sessionID: sessionID, ticks: request.payload[2]) else {
                return reply(.ackUnauthorized)
            }
            phase = .connected
            return reply(.ackOK)
        }

        switch request.command {
        case .auth:
            return reply(.ackOK)
        case .exit:
            phase = .unconnected
            return reply(.ackOK) + [.endSession]
        case .enableDevice:
            terminal.enable()
            return reply(.ackOK)
        case .disableDevice:
            terminal.disable()
            return reply(.ackOK)
        case .getVersion:
            return reply(.ackOK, Array(terminal.configuration.firmware.utf8) + [0])
        case .optionsRead:
            let name = ZKOption.name(ofRequest: request.payload)
            guard let value = terminal.option(name) else { return reply(.ackError) }
            return reply(.ackOK, ZKOption.reply(name: name, value: value))
        case .optionsWrite, .refreshData, .cancelCapture, .startVerify:
            return reply(.ackOK)
        case .getFreeSizes:
            return reply(.ackOK, terminal.freeSizes().encode())
        case .getTime:
            return reply(.ackOK, littleEndian(terminal.now().packed))
        case .setTime:
            guard request.payload.count >= 4, terminal.setTime(ZKLocalTime(packed: readU32(request.payload))) else {
                return reply(.ackError)
            }
            return reply(.ackOK)
        case .registerEvents:
            guard request.payload.count >= 4 else { return reply(.ackError) }
            eventFlags = ZKEventFlags(rawValue: readU32(request.payload))
            if !eventFlags.contains(.attendance) {
                queuedEvents.removeAll()
                awaitingEventAck = false
            }
            return reply(.ackOK)
        case .prepareBuffer:
            guard let wanted = try? ZKBufferedRead.parsePrepareRequest(request.payload),
                  let dataset = terminal.dataset(command: wanted.command, fct: wanted.fct) else { return reply(.ackError) }
            if dataset.count <= Self.directDataLimit {
                if wanted.command == .attendanceRead {
                    terminal.counters.attendanceBytesServed += dataset.count
                    terminal.noteWhileDisabled(.data, attendanceBytes: dataset.count)
                }
                return reply(.data, dataset)
            }
            // The snapshot: the set as it is now; punches logged after this are not in it.
            readBuffer = dataset
            readBufferIsAttendance = wanted.command == .attendanceRead
            return reply(.ackOK, ZKBufferedRead.bufferReadyReply(size: dataset.count))
        case .readBuffer:
            return readChunk(request, terminal: &terminal)
        case .freeData:
            readBuffer = nil
            upload = nil
            return reply(.ackOK)
        case .prepareData:
            guard let size = try? ZKBufferedRead.parsePrepareData(request.payload), size <= Self.maximumUpload else {
                return reply(.ackError)
            }
            upload = Upload(expected: size, bytes: [])
            return reply(.ackOK)
        case .data:
            guard var current = upload, current.bytes.count + request.payload.count <= current.expected else {
                upload = nil
                return reply(.ackError)
            }
            current.bytes += request.payload
            upload = current
            return reply(.ackOK)
        case .saveUserTemplates:
            defer { upload = nil }
            guard let current = upload, current.bytes.count == current.expected,
                  let uploaded = try? ZKDataset.parseUserTemplateUpload(current.bytes) else { return reply(.ackError) }
            terminal.upsert(users: uploaded.users)
            terminal.upsert(templates: uploaded.templates)
            return reply(.ackOK)
        case .userWrite:
            let layout = terminal.configuration.userLayout
            guard request.payload.count == layout.rawValue, let user = try? layout.decode(request.payload) else {
                return reply(.ackError)
            }
            terminal.upsert(users: [user])
            return reply(.ackOK)
        case .deleteUser:
            guard request.payload.count >= 2 else { return reply(.ackError) }
            terminal.deleteUser(uid: UInt16(request.payload[0]) | UInt16(request.payload[1]) << 8)
            return reply(.ackOK)
        case .clearAttendance:
            terminal.records.removeAll()
            return reply(.ackOK)
        default:
            return reply(.ackUnknown)
        }
    }

    private mutating func connect(_ request: ZKPacket, terminal: inout SimulatedTerminal) -> [SessionOutput] {
        if sessionID == 0 { sessionID = terminal.newSessionID() }
        terminal.counters.sessionsOpened += 1
        eventFlags = []
        awaitingEventAck = false
        queuedEvents.removeAll()
        readBuffer = nil
        upload = nil
        phase = terminal.configuration.commKey == nil ? .connected : .awaitingAuth
        let command: ZKCommand = phase == .connected ? .ackOK : .ackUnauthorized
        return [.packet(ZKPacket(command: command, sessionID: sessionID, replyID: request.replyID))]
    }

    /// READ_BUFFER: PREPARE_DATA, the chunk as DATA packet(s), ACK_OK, all echoing the request's reply id.
    private mutating func readChunk(_ request: ZKPacket, terminal: inout SimulatedTerminal) -> [SessionOutput] {
        func packet(_ command: ZKCommand, _ payload: [UInt8] = []) -> ZKPacket {
            ZKPacket(command: command, sessionID: sessionID, replyID: request.replyID, payload: payload)
        }
        guard let buffer = readBuffer, let wanted = try? ZKBufferedRead.parseReadRequest(request.payload),
              wanted.start >= 0, wanted.size > 0, wanted.size <= Self.maximumChunk, wanted.start <= buffer.count - wanted.size else {
            return [.packet(packet(.ackError))]
        }
        let (start, size) = wanted
        terminal.counters.readBufferChunksServed += 1
        terminal.chunksSinceFaultsSet += 1
        if readBufferIsAttendance {
            terminal.counters.attendanceBytesServed += size
            terminal.noteWhileDisabled(.data, attendanceBytes: size)
        }
        let chunk = buffer[start..<(start + size)]
        let pieceSize = max(1, transport == .tcp ? (terminal.faults.dataPacketSize ?? size) : terminal.faults.udpDataPacketSize)
        let pieces = stride(from: chunk.startIndex, to: chunk.endIndex, by: pieceSize).map {
            packet(.data, Array(chunk[$0..<min($0 + pieceSize, chunk.endIndex)]))
        }
        let announce = SessionOutput.packet(packet(.prepareData, ZKBufferedRead.prepareData(size: size)))
        if let n = terminal.faults.dropConnectionAfterChunks, terminal.chunksSinceFaultsSet >= n {
            terminal.faults.dropConnectionAfterChunks = nil
            phase = .unconnected
            return [announce, .cutShort(pieces[0]), .endSession]
        }
        return [announce] + pieces.map { .packet($0) } + [.packet(packet(.ackOK))]
    }
}

private func littleEndian(_ value: UInt32) -> [UInt8] {
    [UInt8(value & 0xFF), UInt8((value >> 8) & 0xFF), UInt8((value >> 16) & 0xFF), UInt8(value >> 24)]
}

private func readU32(_ bytes: [UInt8]) -> UInt32 {
    UInt32(bytes[0]) | UInt32(bytes[1]) << 8 | UInt32(bytes[2]) << 16 | UInt32(bytes[3]) << 24
}
