// Badge taps: one task per configured reader; each card becomes a person, and the tap its meaning, stored.
import BadgeReaders
import CounterConfig
import CounterCore
import CounterStore
import DeviceKit
import Foundation
import Logging
import ServiceLifecycle
import Synchronization

/// What a stored tap was, for tests and (later) the pages.
public struct BadgeTapEvent: Sendable {
    public let reader: String
    public let card: String
    public let meaning: BadgeTapMeaning
}

/// What the badge side did: a reader became readable, a tap was stored, or a tap in sign-in mode became a sign-in
/// awaiting the duty chief (刷卡签到).
public enum BadgeActivity: Sendable {
    case readerConnected(String)
    case tap(BadgeTapEvent)
    case signedIn(StoredSignIn, name: String?)
}

/// Turns cards from every configured reader into stored taps with their meaning.
public final class BadgeTaps: Sendable {
    let config: HallConfiguration
    let store: HallStore
    let clock: any HallClock
    let logger: Logger
    let observer: (@Sendable (BadgeActivity) -> Void)?
    /// Told when a reader is opened (and grabbed) or lost.
    let health: DeviceHealthMonitor?
    private let board = Mutex(OnPostBoard())
    private let repeats = Mutex(RepeatTapFilter<ContinuousClock.Instant>(window: .seconds(10)))

    public init(config: HallConfiguration, store: HallStore, clock: any HallClock, logger: Logger,
                observer: (@Sendable (BadgeActivity) -> Void)? = nil, health: DeviceHealthMonitor? = nil) {
        self.health = health
        self.config = config
        self.store = store
        self.clock = clock
        self.logger = logger
        self.observer = observer
        repeats.withLock { $0 = RepeatTapFilter(window: .seconds(config.badges.repeatWindowSeconds)) }
    }

    /// One card read at `reader`: filtered for repeats, mapped to a person, given its meaning, stored.
    public func handle(_ card: CardNumber, from reader: HallConfiguration.Device) async {
        let key = CardNumber(card.value, significantBits: card.significantBits)
        guard repeats.withLock({ $0.accept(key, at: ContinuousClock.now) }) else { return }
        let canonical = card.canonical
        do {
            let staffID: String?
            switch card.owner(among: try await store.cardsByStaff()) {
            case .staff(let id): staffID = id
            case .nobody: staffID = nil
            case .ambiguous(let people):
                // A Wiegand 26 reader sees the low 24 bits only: it cannot tell these cards apart. Kept as unknown.
                staffID = nil
                logger.warning("a Wiegand 26 reading matches the cards of several people; the tap is kept as an unknown card",
                               metadata: ["card": "\(card)", "staff": "\(people.joined(separator: ","))", "reader": "\(reader.role)",
                                          "fix": "give this reader a profile that reads the full number (decimal or hex), or change one of the cards"])
            }
            let desk = SignInDesk(config: config, store: store, clock: clock)
            let person = if let staffID { try await store.staff(id: staffID) } else { Staff?.none }
            let hall = try await desk.modes()
            let signInMode = person.map { desk.fallbackRole(for: $0, in: hall) != nil } ?? hall.anyFallback
            let meaning = board.withLock { $0.tap(card: canonical, staffID: staffID, at: reader.placement, signInMode: signInMode) }
            let now = clock.now()
            try await store.record(tap: canonical, reader: reader.role, meaning: meaning, at: now)
            if case .signIn(let staffID) = meaning {
                do {
                    let signIn = try await desk.signIn(badgeOwner: staffID)
                    logger.info("signed in by badge (刷卡签到), awaiting the duty chief", metadata: ["staff": "\(staffID)", "sign_in": "\(signIn.id)"])
                    observer?(.signedIn(signIn, name: person?.name))
                } catch let refusal as SignInRefusal {
                    logger.notice("badge sign-in refused: \(refusal)", metadata: ["staff": "\(staffID)", "reader": "\(reader.role)"])
                }
            }
            if case .unknownCard = meaning {
                logger.warning("unknown card (未登记的卡)", metadata: ["card": "\(canonical)", "reader": "\(reader.role)",
                                                                   "fix": "countergate staff card set STAFF-ID \(canonical)"])
            } else {
                logger.info("badge tap", metadata: ["card": "\(canonical)", "reader": "\(reader.role)", "meaning": "\(meaning.code)"])
            }
            observer?(.tap(BadgeTapEvent(reader: reader.role, card: canonical, meaning: meaning)))
        } catch {
            logger.error("badge tap not stored: \(error)", metadata: ["card": "\(canonical)", "reader": "\(reader.role)"])
        }
    }

    /// Reads one configured reader until cancelled. Addresses: `usb:VVVV:PPPP` (a keyboard-wedge reader, grabbed),
    /// `serial:/dev/ttyUSB0?baud=9600` or a tty path (a serial reader, frames or lines by its profile).
    public func read(_ reader: HallConfiguration.Device, profile: ReaderProfile) async {
        switch profile.kind {
        case .wedge:
            guard let ids = profile.usbIDs.first ?? Self.usbIDs(reader.link) else {
                logger.error("reader \(reader.id): a wedge reader needs USB ids in its profile or address usb:VVVV:PPPP")
                return
            }
            for await event in WedgeReader(vendorID: ids.vendor, productID: ids.product).events() {
                switch event {
                case .attached:
                    await health?.report(reader.id, .answered(.idle))
                    observer?(.readerConnected(reader.role))
                case .card(let card, _):
                    switch profile.cardFormat.parse(card.number) {
                    case .success(let number): await handle(number, from: reader)
                    case .failure(let error): logger.warning("unreadable card from \(reader.role): \(error)")
                    }
                case .problem(let problem):
                    logger.error("reader \(reader.role): \(problem)")
                    await health?.report(reader.id, .unreachable(reason: "\(problem)"))
                case .unplugged:
                    logger.warning("reader \(reader.role) unplugged; waiting for it to come back")
                    await health?.report(reader.id, .unreachable(reason: "unplugged"))
                case .discarded(let partial, _):
                    logger.notice("reader \(reader.role): half a card (\(partial.count) characters) thrown away; the badge was pulled away too soon, tap again")
                case .unexpectedKey(let code, _):
                    logger.debug("reader \(reader.role): key \(code) is not a card's; ignored")
                }
            }
        case .serialFrame, .serialLine:
            guard case .reader(.serial(let path, let givenBaud)) = reader.link else {
                logger.error("reader \(reader.id): a serial reader needs a tty address (serial:/dev/ttyUSB0?baud=9600), not \(reader.address)")
                await health?.report(reader.id, .unreachable(reason: "address \(reader.address) is no tty"))
                return
            }
            let baud = givenBaud ?? profile.baudRate ?? 9600
            let mode: SerialBadgeReader.Mode = profile.kind == .serialFrame ? .frames : .lines(format: profile.cardFormat, maxLength: profile.maxLength)
            for await event in SerialBadgeReader(path: path, baudRate: baud, mode: mode).events() {
                switch event {
                case .card(let reading): await handle(reading.card, from: reader)
                case .rejected(let rejection, _): logger.warning("reader \(reader.role) rejected a read: \(rejection)")
                case .lost(let error):
                    logger.error("reader \(reader.role): \(error)")
                    await health?.report(reader.id, .unreachable(reason: "\(error)"))
                case .connected:
                    logger.info("reader \(reader.role) connected")
                    await health?.report(reader.id, .answered(.idle))
                    observer?(.readerConnected(reader.role))
                }
            }
        }
    }

    /// The USB ids a wedge reader's address names (`usb:VVVV:PPPP`), or nil.
    static func usbIDs(_ link: DeviceLink) -> ReaderUSBID? {
        guard case .reader(.usb(let vendor?, let product?, _)) = link else { return nil }
        return ReaderUSBID(vendor: vendor, product: product)
    }
}

/// Runs every configured badge reader under the gateway's service group.
struct BadgeTapService: Service {
    let taps: BadgeTaps
    let readers: [(HallConfiguration.Device, ReaderProfile)]

    func run() async throws {
        // A reader that cannot be read (a wedge reader without USB ids) ends its task; the others, and the gateway, go on.
        let (taps, readers) = (self.taps, self.readers)
        await runUntilShutdown {
            await withTaskGroup(of: Void.self) { group in
                for (reader, profile) in readers { group.addTask { await taps.read(reader, profile: profile) } }
            }
        }
    }

    /// The readers of a configuration with their profiles.
    static func readers(of config: HallConfiguration) throws -> [(HallConfiguration.Device, ReaderProfile)] {
        let devices = config.devices.filter { $0.kind == .badgeReader }
        guard !devices.isEmpty else { return [] }
        let profiles: [ReaderProfile]
        do { profiles = try ReaderProfiles.load(directory: config.badges.profilesDirectory) } catch {
            throw StartupError(description: "reader profiles in \(config.badges.profilesDirectory) cannot be read: \(error)")
        }
        return try devices.map { device in
            guard let profile = profiles.first(where: { $0.id == device.profile }) else {
                throw StartupError(description: "reader \(device.id): no profile \"\(device.profile)\" in \(config.badges.profilesDirectory); known: "
                                   + profiles.map(\.id).joined(separator: ", "))
            }
            return (device, profile)
        }
    }
}
