// TEST FAKE: a network receipt printer (raw TCP, port 9100 style) on loopback that records what it prints.
// Public API and observation; the state and behaviour live in SimulatedPrinterHub, the socket in the handler.
import ESCPOS
import Foundation
import NIOCore
import NIOPosix
import Synchronization

/// A **test fake** of an ESC/POS receipt printer on the network: it listens on a loopback TCP port as a raw
/// (port 9100) printer does, decodes everything it receives with ``ESCPOSStreamDecoder`` into a record of jobs and
/// pages (text lines, QR payloads, images, cuts), and answers status requests. It never talks to real hardware and
/// is never part of the gateway's device path.
///
/// - Each TCP connection is one ``Job``; a cut ends a page.
/// - `DLE EOT n` (n = 1…4) is answered at once with the status byte of the printer's condition, even while it
///   cannot print (real-time command). `GS r 1` is answered in turn, after everything before it was printed; so a
///   `GS r 1` at the end of a job is answered only once the job is on paper. `GS a n` turns on ASB blocks, sent on
///   every change of condition. A profile without status support (``PrinterProfile/StatusSupport/none``, no
///   ``PrinterProfile/transmitStatus``) answers nothing, as such printers do.
/// - On command: ``runOutOfPaper()`` / ``loadPaper()``, ``openCover()`` / ``closeCover()`` (printing stops; what
///   arrives meanwhile is held and printed once it can print again), ``setPaperNearEnd(_:)``,
///   ``dropConnections()``, ``stall()`` / ``resume()`` (reads nothing, so the sender's writes back up), and
///   ``Faults`` that fire by themselves mid-job.
///
/// All state sits behind one `Mutex`; the NIO handler calls in from its event loop.
public final class ESCPOSPrinterSimulator: Sendable {
    /// Misbehaviour that fires by itself. `Faults()` is a healthy printer.
    public struct Faults: Sendable, Equatable {
        /// Paper runs out once this many more lines have been printed (counted from when the faults were set).
        /// Fires once.
        public var paperRunsOutAfterLines: Int?
        /// The connection is dropped once this many more bytes have arrived (over all connections); the bytes
        /// after that point are not read. Fires once.
        public var dropConnectionAfterBytes: Int?

        public init(paperRunsOutAfterLines: Int? = nil, dropConnectionAfterBytes: Int? = nil) {
            self.paperRunsOutAfterLines = paperRunsOutAfterLines
            self.dropConnectionAfterBytes = dropConnectionAfterBytes
        }
    }

    /// What went on, counted since the simulator was made.
    public struct Counters: Sendable, Equatable {
        public var connectionsAccepted = 0
        public var connectionsDropped = 0
        public var bytesReceived = 0
        public var linesPrinted = 0
        /// `DLE EOT n` requests received.
        public var statusRequests = 0
        /// `GS r n` requests printed (answered or not).
        public var transmitStatusRequests = 0
        /// Bytes sent back for DLE EOT and GS r.
        public var statusRepliesSent = 0
        public var asbBlocksSent = 0

        public init() {}
    }

    /// What one connection sent, as printed.
    public struct Job: Sendable {
        /// Connection number, from 1.
        public let id: Int
        /// What is on paper.
        public var printout = ESCPOSPrintout()
        /// Whether the connection is still open.
        public var isOpen = true
        /// Elements received but not yet printed (paper out or cover open).
        public var heldElements = 0
        public var bytesReceived = 0

        public init(id: Int) { self.id = id }

        /// The pages, the one still in the printer last.
        public var pages: [ESCPOSPrintout.Page] { printout.allPages }
        /// The printed lines with markers (`[QR: …]`, `[CUT]`, `[IMAGE 384x120]`).
        public var transcript: String { printout.transcript }
    }

    /// Why ``waitUntil(_:timeout:_:)`` gave up.
    public struct TimedOut: Error, CustomStringConvertible {
        public let what: String
        public let counters: Counters
        public let transcript: String
        public var description: String { "timed out waiting for \(what); simulator counters: \(counters); printed so far:\n\(transcript)" }
    }

    public enum StartError: Error, Equatable {
        case alreadyStarted
    }

    let hub: Mutex<SimulatedPrinterHub>
    private let changes = ChangeSignal()

    /// - Parameter profile: the model it plays, for which status replies it gives (nil: answers DLE EOT, GS r and
    ///   ASB).
    public init(profile: PrinterProfile? = nil) {
        hub = Mutex(SimulatedPrinterHub(profile: profile))
    }

    // MARK: Running

    /// Listens on `host` (loopback in tests); port 0 picks a free port. Returns the port bound.
    public func start(host: String = "127.0.0.1", port: Int = 0) async throws -> Int {
        try hub.withLock { hub in
            guard !hub.started else { throw StartError.alreadyStarted }
            hub.started = true
        }
        do {
            let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
                .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
                .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
                .childChannelInitializer { [self] channel in
                    channel.eventLoop.makeCompletedFuture {
                        try channel.pipeline.syncOperations.addHandler(ESCPOSSimulatorHandler(simulator: self))
                    }
                }
                .bind(host: host, port: port).get()
            hub.withLock { $0.listeners.append(channel) }
            return channel.localAddress?.port ?? port
        } catch {
            await stop()
            throw error
        }
    }

    /// Stops listening and closes every connection. Safe to call twice.
    public func stop() async {
        let listeners = hub.withLock { hub in
            defer {
                hub.listeners = []
                hub.started = false
            }
            hub.dropConnections(counted: false)
            return hub.listeners
        }
        for listener in listeners { try? await listener.close().get() }
        changes.notify()
    }

    // MARK: Commands

    /// The paper runs out: status says so (DLE EOT 1 offline, 2 stopped at paper end, 4 paper end; GS r 1 paper
    /// end), and printing stops until ``loadPaper()``.
    public func runOutOfPaper() { change { $0.setPaperOut(true) } }

    /// A new roll: what was held is printed, and the near-end sensor is clear again.
    public func loadPaper() {
        change { hub in
            hub.paperNearEnd = false
            hub.setPaperOut(false)
        }
    }

    /// The near-end sensor sees the end of the roll coming (printing goes on).
    public func setPaperNearEnd(_ nearEnd: Bool) { change { $0.setPaperNearEnd(nearEnd) } }

    /// The cover opens: offline, printing stops until ``closeCover()``.
    public func openCover() { change { $0.setCoverOpen(true) } }

    public func closeCover() { change { $0.setCoverOpen(false) } }

    /// Closes every open connection, as a printer losing power or its network does. Held elements stay unprinted.
    public func dropConnections() { change { $0.dropConnections() } }

    /// Stops reading from every connection (and new ones): nothing is printed or answered, and the sender's writes
    /// back up in TCP. ``resume()`` reads again.
    public func stall() { change { $0.setStalled(true) } }

    public func resume() { change { $0.setStalled(false) } }

    /// Sets the faults (replacing the previous ones) and restarts their counts.
    public func setFaults(_ faults: Faults) {
        change { hub in
            hub.faults = faults
            hub.linesSinceFaultsSet = 0
            hub.bytesSinceFaultsSet = 0
        }
    }

    // MARK: Observing

    /// The condition status replies report.
    public var condition: PrinterCondition { hub.withLock { $0.condition } }
    public var isStalled: Bool { hub.withLock { $0.stalled } }
    public var faults: Faults { hub.withLock { $0.faults } }
    public var counters: Counters { hub.withLock { $0.counters } }
    /// Every job so far, in the order the connections opened.
    public var jobs: [Job] { hub.withLock { $0.jobs } }
    public var openConnections: Int { hub.withLock { $0.connections.count } }

    /// The pages of every job, in order (each job's page still in the printer last).
    public var pages: [ESCPOSPrintout.Page] { jobs.flatMap(\.pages) }

    /// Every job's transcript, one after another.
    public var transcript: String { jobs.map(\.transcript).filter { !$0.isEmpty }.joined(separator: "\n") }

    /// Waits until `condition` holds, re-checking after everything the simulator does (bytes, connections,
    /// commands). For tests: wait on the event, with a timeout, instead of sleeping.
    public func waitUntil(_ what: String, timeout: Duration = .seconds(30),
                          _ condition: @escaping @Sendable (ESCPOSPrinterSimulator) -> Bool) async throws {
        let met = try await changes.wait(timeout: timeout) { condition(self) }
        if !met { throw TimedOut(what: what, counters: counters, transcript: transcript) }
    }

    // MARK: Internal

    private func change(_ body: (inout SimulatedPrinterHub) -> Void) {
        hub.withLock { body(&$0) }
        changes.notify()
    }

    /// Called by the handler after the hub changed.
    func didChange() { changes.notify() }
}
