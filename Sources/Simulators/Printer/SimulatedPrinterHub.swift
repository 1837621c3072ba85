// TEST FAKE: the printer simulator's state behind its one lock: paper, cover, connections, and what was printed.
import ESCPOS
import NIOCore

/// The way back to one connection. Each call only enqueues onto the channel's event loop, so it may be made while
/// the hub is locked, and the order of calls is the order on the wire.
protocol PrinterLink: Sendable {
    func send(_ bytes: [UInt8])
    func setReading(_ on: Bool)
    func close()
}

/// Everything ``ESCPOSPrinterSimulator`` guards with its lock.
struct SimulatedPrinterHub: Sendable {
    struct Connection: Sendable {
        let link: any PrinterLink
        var decoder: ESCPOSStreamDecoder
        /// The index of this connection's job in `jobs`.
        let job: Int
        /// Elements received while the printer could not print, printed once it can again.
        var held: [ESCPOSElement] = []
        /// The ASB mask this connection enabled with GS a (0: none).
        var asbMask: UInt8 = 0
    }

    let profile: PrinterProfile?
    var paperOut = false
    var paperNearEnd = false
    var coverOpen = false
    var stalled = false
    var faults = ESCPOSPrinterSimulator.Faults()
    var counters = ESCPOSPrinterSimulator.Counters()
    var jobs: [ESCPOSPrinterSimulator.Job] = []
    var connections: [Int: Connection] = [:]
    var listeners: [any Channel] = []
    var started = false
    /// Lines printed since the faults were set (for ``ESCPOSPrinterSimulator/Faults/paperRunsOutAfterLines``).
    var linesSinceFaultsSet = 0
    /// Bytes received since the faults were set (for ``ESCPOSPrinterSimulator/Faults/dropConnectionAfterBytes``).
    var bytesSinceFaultsSet = 0
    private var lastConnection = 0

    init(profile: PrinterProfile?) { self.profile = profile }

    var canPrint: Bool { !paperOut && !coverOpen }

    var condition: PrinterCondition {
        var c = PrinterCondition()
        c.online = canPrint
        c.paper = paperOut ? .out : paperNearEnd ? .nearEnd : .adequate
        c.coverOpen = coverOpen
        c.stoppedAtPaperEnd = paperOut
        c.drawerPinHigh = false
        return c
    }

    // MARK: Connections

    mutating func open(link: any PrinterLink) -> Int {
        lastConnection += 1
        counters.connectionsAccepted += 1
        jobs.append(ESCPOSPrinterSimulator.Job(id: lastConnection))
        connections[lastConnection] = Connection(link: link, decoder: ESCPOSStreamDecoder(), job: jobs.count - 1)
        if stalled { link.setReading(false) }
        return lastConnection
    }

    mutating func closed(_ id: Int) {
        guard let connection = connections.removeValue(forKey: id) else { return }
        // Whatever is still held stays unprinted: the job was cut off, as on a printer that lost its link.
        jobs[connection.job].isOpen = false
        jobs[connection.job].heldElements = connection.held.count
    }

    /// Bytes from a connection: decoded, status requests answered, the rest printed (or held while it cannot print).
    mutating func receive(_ bytes: [UInt8], on id: Int) {
        guard connections[id] != nil else { return }
        var bytes = bytes
        var dropAfter = false
        if let limit = faults.dropConnectionAfterBytes {
            let room = max(0, limit - bytesSinceFaultsSet)
            if bytes.count >= room {
                bytes = Array(bytes.prefix(room))
                dropAfter = true
            }
        }
        bytesSinceFaultsSet += bytes.count
        counters.bytesReceived += bytes.count
        jobs[connections[id]!.job].bytesReceived += bytes.count
        let elements = connections[id]!.decoder.decode(bytes)
        for element in elements { take(element, on: id) }
        if dropAfter {
            faults.dropConnectionAfterBytes = nil
            counters.connectionsDropped += 1
            connections[id]?.link.close()
            closed(id)
        }
    }

    /// One element: real-time requests are answered at once, even while printing is stopped; everything else is
    /// printed in order, or held behind what is already held.
    private mutating func take(_ element: ESCPOSElement, on id: Int) {
        switch element {
        case .statusRequest(let n):
            counters.statusRequests += 1
            jobs[connections[id]!.job].printout.apply(element)  // recorded in the job, never printed
            guard profile?.status ?? .dleEOT != .none, (1...4).contains(n) else { return }
            connections[id]?.link.send([ESCPOSStatus.replyByte(for: n, condition: condition)])
            counters.statusRepliesSent += 1
            return
        case .realTimeRequest:
            return
        default:
            break
        }
        if canPrint && connections[id]!.held.isEmpty {
            printElement(element, on: id)
        } else {
            connections[id]!.held.append(element)
            jobs[connections[id]!.job].heldElements = connections[id]!.held.count
        }
    }

    /// Puts an element on paper (or answers it, for GS r, which waits its turn behind the data before it).
    private mutating func printElement(_ element: ESCPOSElement, on id: Int) {
        guard let connection = connections[id] else { return }
        switch element {
        case .transmitStatusRequest(let n):
            counters.transmitStatusRequests += 1
            guard profile?.transmitStatus ?? true else { break }
            if n == 1 {
                connection.link.send([ESCPOSStatus.transmitStatusByte(condition: condition)])
                counters.statusRepliesSent += 1
            } else if n == 2 {
                connection.link.send([0x00])  // drawer pin low
                counters.statusRepliesSent += 1
            }
        case .automaticStatusBack(let mask):
            guard profile?.status ?? .dleEOTAndASB == .dleEOTAndASB else { break }
            connections[id]!.asbMask = mask
            if mask != 0 { sendASB(to: id) }
        default:
            break
        }
        let linesBefore = jobs[connection.job].printout.lineCount
        jobs[connection.job].printout.apply(element)
        let linesAfter = jobs[connection.job].printout.lineCount
        if linesAfter > linesBefore {
            counters.linesPrinted += linesAfter - linesBefore
            linesSinceFaultsSet += linesAfter - linesBefore
            if let limit = faults.paperRunsOutAfterLines, linesSinceFaultsSet >= limit {
                faults.paperRunsOutAfterLines = nil
                setPaperOut(true)
            }
        }
    }

    // MARK: Conditions

    mutating func setPaperOut(_ out: Bool) {
        guard paperOut != out else { return }
        paperOut = out
        conditionChanged()
    }

    mutating func setCoverOpen(_ open: Bool) {
        guard coverOpen != open else { return }
        coverOpen = open
        conditionChanged()
    }

    mutating func setPaperNearEnd(_ nearEnd: Bool) {
        guard paperNearEnd != nearEnd else { return }
        paperNearEnd = nearEnd
        conditionChanged()
    }

    mutating func setStalled(_ on: Bool) {
        stalled = on
        for connection in connections.values { connection.link.setReading(!on) }
    }

    /// Closes every connection; `counted` for a drop on command (not for stopping the simulator).
    mutating func dropConnections(counted: Bool = true) {
        for id in connections.keys.sorted() {
            connections[id]?.link.close()
            if counted { counters.connectionsDropped += 1 }
            closed(id)
        }
    }

    /// ASB blocks to those who asked, and held jobs printed when the printer can print again.
    private mutating func conditionChanged() {
        for id in connections.keys.sorted() where connections[id]!.asbMask != 0 { sendASB(to: id) }
        guard canPrint else { return }
        for id in connections.keys.sorted() {
            while canPrint, let next = connections[id]?.held.first {
                connections[id]!.held.removeFirst()
                jobs[connections[id]!.job].heldElements = connections[id]!.held.count
                printElement(next, on: id)
            }
        }
    }

    private mutating func sendASB(to id: Int) {
        connections[id]?.link.send(ESCPOSStatus.asbBlock(condition: condition))
        counters.asbBlocksSent += 1
    }
}
