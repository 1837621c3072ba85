// `countergate bench notice-render|notice-raster|notice-pdf|print-latency|print-chaos`: the measurements behind scripts/bench-printing.
import ArgumentParser
import CounterConfig
import CounterCore
import CounterStore
import ESCPOS
import Foundation
import Gateway
import Logging
import Notices
import Simulators
import Synchronization

extension BenchCommand {
    static func benchNotice(number: String = "太谷政务〔2026〕第000123号") -> (Notice, NoticeContext) {
        let draft = NoticeDraft(kind: .acceptance, applicant: "李堃(太谷县赟达商贸有限公司)", item: "食品经营许可(新办)", window: 3, clerk: "D001",
                                receivedOn: CivilDate("2026-02-12")!, materialsReceived: ["营业执照副本复印件", "法定代表人身份证明", "食品安全管理制度文本"],
                                promisedWorkingDays: 5, nextStep: "请到5号窗口领取《营业执照》。")
        let notice = Notice(number: number, year: 2026, sequence: 123, draft: draft, issuedAt: Date(timeIntervalSince1970: 1_770_861_600),
                            promisedCompletion: CivilDate("2026-02-26"))
        let context = NoticeContext(hallName: "太谷县政务服务中心", hallPhone: "0354-6000000",
                                    window: ServiceWindow(number: 3, name: "市场准入窗口", department: "县市场监督管理局"), clerkName: "王喆")
        return (notice, context)
    }

    /// Renders the acceptance notice (both copies) to ESC/POS bytes many times; writes the laid-out lines for the peer.
    struct NoticeRender: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "notice-render")
        @Option var iterations = 20_000
        @Option var profilesDir = "drivers/printers"
        @Option(help: "Write the laid-out blocks here (JSON) for benchmarks/escpos_render.py.") var linesOut: String?

        func run() async throws {
            let profile = try requireProfile(profilesDir)
            let (notice, context) = BenchCommand.benchNotice()
            let columns = NoticeESCPOS.columns(for: profile)
            var bytes: [UInt8] = []
            let clock = ContinuousClock()
            let started = clock.now
            for _ in 0..<iterations {
                let document = NoticeTemplates.document(for: notice, context: context, columns: columns)
                bytes = try NoticeESCPOS.bytes(document, profile: profile)
            }
            let elapsed = clock.now - started
            if let linesOut {
                let document = NoticeTemplates.document(for: notice, context: context, columns: columns)
                try JSONSerialization.data(withJSONObject: peerBlocks(document), options: [.sortedKeys]).write(to: URL(fileURLWithPath: linesOut))
            }
            printJSON(["microsecondsPerNotice": elapsed.seconds / Double(iterations) * 1e6, "bytes": Double(bytes.count), "iterations": Double(iterations)])
        }

        /// The same content as plain blocks, so python-escpos builds exactly what we print.
        func peerBlocks(_ document: NoticeDocument) -> [[String: Any]] {
            document.blocks.map { block -> [String: Any] in
                switch block {
                case .text(let text, let style, let indent):
                    let width = style.large ? document.columns / 2 : document.columns
                    return ["kind": "text", "align": style.alignment.rawValue, "bold": style.bold, "large": style.large,
                            "lines": NoticePreview.wrap(text, columns: width, hangingIndent: indent)]
                case .qr(let payload): return ["kind": "qr", "payload": payload]
                case .blank(let n): return ["kind": "feed", "lines": n]
                case .rule: return ["kind": "text", "align": "left", "bold": false, "large": false, "lines": [String(repeating: "-", count: document.columns)]]
                case .cut: return ["kind": "cut"]
                }
            }
        }
    }

    /// Renders the acceptance notice (both copies) drawn entirely as raster (every line an image: a printer without a
    /// Chinese font), many times; reports the time, the bytes, how long the printer and USB take over them, and writes
    /// the notice's picture (all its raster lines stacked) as a PBM for benchmarks/escpos_raster.py.
    struct NoticeRaster: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "notice-raster")
        @Option var iterations = 200
        @Option var profilesDir = "drivers/printers"
        @Option(help: "The printer profile (its paper width, dpi, band rows and speed).") var profile = "generic-escpos"
        @Option(help: "A CJK font file; default: the profile's raster_fonts.") var rasterFont: String?
        @Option(help: "Write the notice's raster lines stacked into one picture here (PBM, P4).") var pbmOut: String?
        @Option(help: "Write that picture encoded alone (the profile's raster command) here, to compare with python-escpos'.") var encodedOut: String?

        func run() async throws {
            guard var printer = try PrinterProfiles.load(directory: profilesDir)[profile] else {
                throw ValidationError("no profile \(profile) in \(profilesDir); run from the repository or pass --profiles-dir")
            }
            guard printer.raster else { throw ValidationError("profile \(profile) has no raster images (raster = false)") }
            printer.textOutput = .raster
            let (notice, context) = BenchCommand.benchNotice()
            let document = NoticeTemplates.document(for: notice, context: context, columns: NoticeESCPOS.columns(for: printer))
            let clock = ContinuousClock()
            // The first render opens the font and draws each glyph once; later ones find them drawn.
            var started = clock.now
            var rendered = try NoticeESCPOS.render(document, profile: printer, rasterFont: rasterFont)
            let first = clock.now - started
            started = clock.now
            for _ in 0..<iterations { rendered = try NoticeESCPOS.render(document, profile: printer, rasterFont: rasterFont) }
            let warm = (clock.now - started) / max(1, iterations)

            // The same picture, encoded alone (what python-escpos' image() does with it).
            let picture = try Self.stacked(rendered.bytes, width: printer.paperWidthDots)
            started = clock.now
            var encoded: [UInt8] = []
            for _ in 0..<iterations {
                encoded.removeAll(keepingCapacity: true)
                RasterCommands.append(picture, profile: printer, to: &encoded)
            }
            let encodeOnly = (clock.now - started) / max(1, iterations)
            if let encodedOut { try Data(encoded).write(to: URL(fileURLWithPath: encodedOut)) }
            if let pbmOut {
                var pbm = Array("P4\n\(picture.width) \(picture.height)\n".utf8)
                pbm += picture.bits
                try Data(pbm).write(to: URL(fileURLWithPath: pbmOut))
            }
            let printSeconds = rendered.rasterPrintSeconds
            let usbSeconds = RasterCommands.secondsOverUSB(bytes: rendered.bytes.count)
            printJSON([
                "profile": .string(printer.id), "rasterCommand": .string(printer.rasterCommand.rawValue),
                "fonts": .string(rendered.fontFiles.joined(separator: ", ")),
                "iterations": .number(Double(iterations)),
                "firstMilliseconds": .number(first.seconds * 1000), "milliseconds": .number(warm.seconds * 1000),
                "encodeOnlyMilliseconds": .number(encodeOnly.seconds * 1000), "encodeOnlyBytes": .number(Double(encoded.count)),
                "bytes": .number(Double(rendered.bytes.count)), "rasterLines": .number(Double(rendered.rasterLines)),
                "rasterRows": .number(Double(rendered.rasterRows)), "strips": .number(Double(rendered.rasterStrips)),
                "bandRows": .number(Double(printer.rasterBandRows)),
                "paperWidthDots": .number(Double(printer.paperWidthDots)), "dpi": .number(Double(printer.dpi)),
                "printSpeedMillimetersPerSecond": .number(Double(printer.printSpeedMillimetersPerSecond)),
                "printSeconds": .number(printSeconds), "usbSeconds": .number(usbSeconds),
                "pictureWidth": .number(Double(picture.width)), "pictureHeight": .number(Double(picture.height)),
            ] as [String: BenchValue])
        }

        /// The GS v 0 images of a job stacked into one picture, in order (the text around them left out).
        static func stacked(_ bytes: [UInt8], width: Int) throws -> RasterImage {
            var bits: [UInt8] = []
            var rows = 0
            for element in ESCPOSStreamDecoder.decodeAll(bytes) {
                guard case .rasterImage(let w, let h, let data?) = element, w == width else { continue }
                bits += data
                rows += h
            }
            return try RasterImage(width: width, height: max(1, rows), bits: rows == 0 ? [UInt8](repeating: 0, count: (width + 7) / 8) : bits)
        }
    }

    /// Lays the acceptance notice (both copies) out on A4 and writes the PDF, font subset embedded, many times;
    /// the font is read once (as the gateway keeps it). Writes the laid-out lines for benchmarks/reportlab_notice.py.
    struct NoticePDF: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "notice-pdf")
        @Option var iterations = 200
        @Option(help: "The TrueType Chinese font; default: the first of the usual installed ones.") var font: String?
        @Option(help: "Write the PDF here, to look at.") var out: String?
        @Option(help: "Write the notice's lines (JSON) here for benchmarks/reportlab_notice.py.") var linesOut: String?

        func run() async throws {
            let clock = ContinuousClock()
            let loadStarted = clock.now
            let face = try NoticePDFFonts.load(configured: font)
            let loading = clock.now - loadStarted
            let (notice, context) = BenchCommand.benchNotice()
            var bytes: [UInt8] = []
            var samples: [Double] = []
            samples.reserveCapacity(iterations)
            for _ in 0..<max(1, iterations) {
                let started = clock.now
                let document = NoticeTemplates.document(for: notice, context: context, columns: 48)
                bytes = try Notices.NoticePDF.bytes(document, font: face)
                samples.append((clock.now - started).seconds * 1000)
            }
            samples.sort()
            if let out { try Data(bytes).write(to: URL(fileURLWithPath: out)) }
            if let linesOut {
                let document = NoticeTemplates.document(for: notice, context: context, columns: 48)
                var lines: [[String: Any]] = []
                for block in document.blocks {
                    switch block {
                    case .text(let text, let style, _):
                        lines.append(["text": text, "align": style.alignment.rawValue, "bold": style.bold, "large": style.large])
                    case .cut: lines.append(["page": true])
                    default: continue
                    }
                }
                try JSONSerialization.data(withJSONObject: ["font": face.file, "lines": lines], options: [.sortedKeys])
                    .write(to: URL(fileURLWithPath: linesOut))
            }
            printJSON(["millisecondsPerNotice": samples.reduce(0, +) / Double(samples.count),
                       "p50Milliseconds": samples[samples.count / 2], "p99Milliseconds": samples[min(samples.count - 1, samples.count * 99 / 100)],
                       "fontLoadMilliseconds": loading.seconds * 1000, "bytes": Double(bytes.count), "iterations": Double(samples.count)])
        }
    }

    /// From a print request (issue + queue) to the last byte arriving at a simulated printer, many times.
    struct PrintLatency: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "print-latency")
        @Option var requests = 200
        @Option var dataDir: String
        @Option var profilesDir = "drivers/printers"
        @Flag(help: "Queue each job through another connection to the store, as the CLI's print notice does, and never ring the spooler's doorbell: measures the store's watch (the idle poll is set to five minutes).")
        var otherProcess = false

        func run() async throws {
            let profile = try requireProfile(profilesDir)
            let printer = ESCPOSPrinterSimulator(profile: profile)
            let port = try await printer.start()
            let (config, gatewayStore) = try await benchHall(dataDir: dataDir, profilesDir: profilesDir, printers: [("window-1-printer", port, nil)])
            var spooler = PrintSpooler(printers: try PrintSpooler.printers(of: config), config: config, store: gatewayStore, clock: commandClock,
                                       logger: Logger(label: "bench", factory: { _ in SwiftLogNoOpLogHandler() }))
            let (ready, isReady) = AsyncStream<Void>.makeStream()
            spooler.onWatchReady = { isReady.yield() }
            let (printed, jobPrinted) = AsyncStream<Int64>.makeStream()
            spooler.observer = { if case .printed(let id, _) = $0 { jobPrinted.yield(id) } }
            if otherProcess { spooler.idlePoll = .seconds(300) }
            // The store the requests are written through: the gateway's own, or a second one on the same file.
            let store = otherProcess ? try HallStore(path: gatewayStore.path, durability: gatewayStore.durability) : gatewayStore
            let running = Task { [spooler] in await spooler.run() }
            for await _ in ready { break }
            let calendar = try config.calendar()
            let clock = ContinuousClock()
            var latencies: [Double] = []
            var printedJobs = printed.makeAsyncIterator()
            var pause = SystemRandomNumberGenerator()
            for i in 0..<requests {
                if i > 0 {
                    // Each request finds the worker idle, as a clerk's does: the previous job marked printed, then a
                    // pause of 5 to 25 ms, so that requests fall at every point of the store watch's 20 ms beat.
                    _ = await printedJobs.next()
                    try await Task.sleep(for: .microseconds(Int.random(in: 5_000...25_000, using: &pause)))
                }
                let before = printer.counters.bytesReceived
                let started = clock.now
                let (notice, _) = BenchCommand.benchNotice()
                let stored = try await store.issue(notice.draft, format: config.noticeNumberFormat, calendar: calendar, at: commandClock.now(), idempotencyKey: "lat-\(i)")
                _ = try await store.enqueuePrintJob(idempotencyKey: "lat-\(i)", printerRole: "window-1-printer", noticeID: stored.id, copies: 2, at: commandClock.now())
                if !otherProcess { spooler.doorbell.ring() }
                // The last byte: the second copy's cut has arrived.
                try await printer.waitUntil("the notice's last byte", timeout: .seconds(30)) { sim in
                    sim.counters.bytesReceived > before && sim.pages.count >= 2 * (i + 1)
                }
                latencies.append((clock.now - started).seconds * 1000)
            }
            running.cancel()
            await running.value
            await printer.stop()
            latencies.sort()
            func p(_ q: Double) -> Double { latencies[min(latencies.count - 1, Int(Double(latencies.count) * q))] }
            printJSON(["requests": Double(requests), "p50Milliseconds": p(0.5), "p99Milliseconds": p(0.99), "maxMilliseconds": latencies.last ?? 0])
        }
    }

    /// 1,000 jobs over 10 simulated printers that fail at random (paper out, cover open), each with a backup;
    /// counts what came out: every notice exactly twice (its two copies), none lost, none duplicated.
    struct PrintChaos: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "print-chaos")
        @Option var jobs = 1_000
        @Option var printers = 10
        @Option var dataDir: String
        @Option var profilesDir = "drivers/printers"

        func run() async throws {
            let profile = try requireProfile(profilesDir)
            var simulators: [ESCPOSPrinterSimulator] = []
            var layout: [(String, Int, String?)] = []
            for i in 0..<printers {
                let sim = ESCPOSPrinterSimulator(profile: profile)
                let port = try await sim.start()
                simulators.append(sim)
                layout.append(("printer-\(i)", port, "printer-\((i + 1) % printers)"))
            }
            var (config, store) = try await benchHall(dataDir: dataDir, profilesDir: profilesDir, printers: layout)
            config.printing.failoverAfterSeconds = 1
            config.printing.retryAfterSeconds = 1
            let spooler = PrintSpooler(printers: try PrintSpooler.printers(of: config), config: config, store: store, clock: commandClock,
                                       logger: Logger(label: "bench", factory: { _ in SwiftLogNoOpLogHandler() }))
            let running = Task { await spooler.run() }
            let all = simulators
            // Chaos: every 20 ms a random printer runs out of paper, opens its cover, or is fixed.
            let chaos = Task {
                var rng = SystemRandomNumberGenerator()
                while !Task.isCancelled {
                    let sim = all.randomElement(using: &rng)!
                    switch Int.random(in: 0..<4, using: &rng) {
                    case 0: sim.runOutOfPaper()
                    case 1: sim.openCover()
                    default: sim.loadPaper(); sim.closeCover()
                    }
                    try? await Task.sleep(for: .milliseconds(20))
                }
            }
            let calendar = try config.calendar()
            let clock = ContinuousClock()
            let started = clock.now
            var numbers: [String] = []
            for i in 0..<jobs {
                let (notice, _) = BenchCommand.benchNotice()
                let stored = try await store.issue(notice.draft, format: config.noticeNumberFormat, calendar: calendar, at: commandClock.now(), idempotencyKey: "chaos-\(i)")
                numbers.append(stored.notice.number)
                _ = try await store.enqueuePrintJob(idempotencyKey: "chaos-\(i)", printerRole: "printer-\(i % printers)", noticeID: stored.id, copies: 2, at: commandClock.now())
                // A client that retries: the same request again must not print again.
                if i % 10 == 0 {
                    _ = try await store.enqueuePrintJob(idempotencyKey: "chaos-\(i)", printerRole: "printer-\(i % printers)", noticeID: stored.id, copies: 2, at: commandClock.now())
                }
            }
            spooler.doorbell.ring()
            // Let the chaos run for a while, then heal every printer so the queue can drain.
            try await Task.sleep(for: .seconds(2))
            chaos.cancel()
            await chaos.value
            for sim in all { sim.loadPaper(); sim.closeCover() }
            while try await store.printJobs(states: [.queued, .printing, .waiting]).count > 0 {
                spooler.doorbell.ring()
                try await Task.sleep(for: .milliseconds(50))
            }
            let elapsed = clock.now - started
            // Let the last bytes land, then count each notice's QR codes on paper.
            var counts: [String: Int] = [:]
            for sim in all {
                for page in sim.pages { for qr in page.qrCodes { counts[qr, default: 0] += 1 } }
            }
            running.cancel()
            await running.value
            for sim in all { await sim.stop() }
            let final = try await store.printJobs()
            let lost = numbers.filter { (counts[$0] ?? 0) < 2 }.count
            let duplicated = numbers.filter { (counts[$0] ?? 0) > 2 }.count
            printJSON(["jobs": Double(jobs), "printers": Double(printers), "seconds": elapsed.seconds,
                       "jobsPerSecond": Double(jobs) / elapsed.seconds, "lost": Double(lost), "duplicated": Double(duplicated),
                       "failed": Double(final.filter { $0.state == .failed }.count), "jobRows": Double(final.count)])
        }
    }
}

/// The xprinter-xp80 profile from `directory`, or a clear error.
func requireProfile(_ directory: String) throws -> PrinterProfile {
    guard let profile = try PrinterProfiles.load(directory: directory)["xprinter-xp80"] else {
        throw ValidationError("no xprinter-xp80 profile in \(directory); run from the repository or pass --profiles-dir")
    }
    return profile
}

/// A hall with one window per printer role and the demo staff, in a fresh store.
func benchHall(dataDir: String, profilesDir: String, printers: [(role: String, port: Int, backup: String?)]) async throws -> (HallConfiguration, HallStore) {
    var config = try HallConfiguration.defaults()
    config.store.dataDirectory = dataDir
    config.store.durability = "full"
    config.printing.profilesDirectory = profilesDir
    config.devices = printers.map {
        HallConfiguration.Device(id: $0.role, kind: .printer, role: $0.role, profile: "xprinter-xp80", link: .printer(.tcp(host: "127.0.0.1", port: $0.port)),
                                 serialNumber: nil, windows: [1, 2, 3], backupRole: $0.backup)
    }
    let store = try GatewayRuntime.openStore(config)
    try await GatewayRuntime.syncConfiguration(config, store: store, clock: commandClock)
    try await DemoHall.seedIfEmpty(store: store, config: config, clock: commandClock)
    return (config, store)
}

/// A number or a string in a benchmark's JSON.
enum BenchValue: Encodable {
    case number(Double)
    case string(String)

    func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .number(let n): try container.encode(n)
        case .string(let s): try container.encode(s)
        }
    }
}
