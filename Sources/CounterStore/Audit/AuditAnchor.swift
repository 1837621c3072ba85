// The audit log's anchor: the last entry's id and hash, kept outside the database and signed with the hall's key, so
// that entries cut off the end of the log (which leave a valid, shorter chain) are seen.
import Crypto
import Foundation
import GRDB
import Synchronization

/// Where the anchor and its key live: `audit-head` beside the database, the key `audit.key` there too unless
/// `[audit] key_file` puts it elsewhere (off the data disk).
public struct AuditAnchorFiles: Sendable, Equatable {
    public var headPath: String
    public var keyPath: String

    public init(headPath: String, keyPath: String) {
        self.headPath = headPath
        self.keyPath = keyPath
    }

    /// The anchor in `dataDirectory`, its key at `keyPath` (default: `audit.key` in `dataDirectory`).
    public init(dataDirectory: String, keyPath: String? = nil) {
        let directory = dataDirectory as NSString
        self.init(headPath: directory.appendingPathComponent("audit-head"),
                  keyPath: keyPath ?? directory.appendingPathComponent("audit.key"))
    }

    var lockPath: String { headPath + ".lock" }
}

/// The anchor's content: which entry was the last one, and its hash.
struct AuditHead: Equatable {
    let entryID: Int64
    let hash: String
    let writtenAt: Int64

    static let header = "countergate audit head v1"

    /// The signed lines, without the signature line.
    var body: String { "\(Self.header)\nentry \(entryID)\nhash \(hash)\nwritten \(writtenAt)\n" }

    func file(key: SymmetricKey) -> String { body + "hmac-sha256 \(Self.signature(of: body, key: key))\n" }

    static func signature(of body: String, key: SymmetricKey) -> String {
        HMAC<SHA256>.authenticationCode(for: Data(body.utf8), using: key).map { String(format: "%02x", $0) }.joined()
    }

    enum ReadProblem: Error, Equatable {
        case unreadable(String)
        case badSignature
    }

    /// Parses and checks an anchor file's text.
    static func parse(_ text: String, key: SymmetricKey) throws(ReadProblem) -> AuditHead {
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        guard lines.count >= 5, lines[0] == Self.header,
              lines[1].hasPrefix("entry "), let id = Int64(lines[1].dropFirst(6)), id >= 0,
              lines[2].hasPrefix("hash "), lines[2].count == 5 + 64,
              lines[3].hasPrefix("written "), let written = Int64(lines[3].dropFirst(8)),
              lines[4].hasPrefix("hmac-sha256 ") else {
            throw .unreadable("it is not an audit head file (expected the lines \(Self.header), entry, hash, written, hmac-sha256)")
        }
        let head = AuditHead(entryID: id, hash: String(lines[2].dropFirst(5)), writtenAt: written)
        let given = String(lines[4].dropFirst(12))
        // Compared in constant time: the code is the one check an editor of the file has to get past.
        guard let mac = Data(hexString: given),
              HMAC<SHA256>.isValidAuthenticationCode(mac, authenticating: Data(head.body.utf8), using: key) else {
            throw .badSignature
        }
        return head
    }
}

/// How the log stands against its anchor.
public enum AuditAnchorStatus: Sendable, Equatable, CustomStringConvertible {
    /// The store was opened without an anchor (tests, tools).
    case notConfigured
    /// The log ends at the anchored entry.
    case matches(entry: Int64)
    /// The log goes on past the anchor with the anchored entry unchanged: entries written after the anchor was last
    /// moved (the process stopped in between, or another process wrote them). The chain is intact.
    case logAhead(anchor: Int64, last: Int64)
    /// The log ends before the anchored entry: entries were cut off the end (or an older copy of the database was
    /// restored).
    case cut(anchor: Int64, last: Int64)
    /// The anchored entry is there with another hash: the log was cut and written again.
    case rewritten(anchor: Int64)
    /// There is no anchor file although the log has entries.
    case missing(path: String, entries: Int64)
    /// The anchor's key file is not there.
    case keyMissing(path: String)
    /// The anchor file's signature does not match its content: the file was edited, or signed with another key.
    case badSignature(path: String)
    /// The anchor or the key cannot be read.
    case unreadable(path: String, reason: String)

    /// Whether the log is as the anchor says (or ahead of it, which is no loss).
    public var isSound: Bool {
        switch self {
        case .notConfigured, .matches, .logAhead: return true
        default: return false
        }
    }

    public var description: String {
        switch self {
        case .notConfigured: return "no anchor configured"
        case .matches(let id): return "anchor matches: the log ends at entry \(id) as the anchor says"
        case .logAhead(let anchor, let last):
            return "\(last - anchor) entries after the anchor (entry \(anchor)), chain intact: written after the anchor was last moved (e.g. the process stopped in between); the next write moves it"
        case .cut(let anchor, let last):
            return "entries \(last + 1)…\(anchor) were cut from the end of the log (the anchor says it ends at entry \(anchor), the database ends at \(last)). "
                + "If an older copy of the database was restored on purpose, record it with `countergate audit reanchor --reason TEXT`; otherwise keep a copy of the data folder and report it to the inspection office (督查室)"
        case .rewritten(let anchor):
            return "entry \(anchor), the anchored one, has another hash than the anchor: the log was cut and written again after it. Keep a copy of the data folder and report it to the inspection office (督查室)"
        case .missing(let path, let entries):
            return "the anchor \(path) is missing although the log has \(entries) entries: it was deleted, or the data folder was copied without it. "
                + "Restore it from a copy, or record why with `countergate audit reanchor --reason TEXT`"
        case .keyMissing(let path):
            return "the anchor's key \(path) is missing, so the anchor cannot be checked: put the key back (from its copy), or start a new one with `countergate audit reanchor --reason TEXT`"
        case .badSignature(let path):
            return "the anchor \(path) does not carry a valid signature: it was edited, or signed with another key. Keep a copy and report it to the inspection office (督查室); "
                + "`countergate audit reanchor --reason TEXT` starts a new anchor"
        case .unreadable(let path, let reason):
            return "the anchor cannot be read (\(path)): \(reason). `countergate audit reanchor --reason TEXT` writes a new one"
        }
    }
}

/// The anchor's files on disk: the key, the signed head, and the lock that keeps processes from moving it backwards.
enum AuditAnchorDisk {
    /// Reads the key: 64 hex characters (32 bytes). Nil when the file does not exist.
    static func readKey(_ path: String) throws(AuditHead.ReadProblem) -> SymmetricKey? {
        guard FileManager.default.fileExists(atPath: path) else { return nil }
        guard let data = FileManager.default.contents(atPath: path) else { throw .unreadable("the key \(path) cannot be read (permissions?)") }
        let text = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        guard text.count == 64, let bytes = Data(hexString: text) else {
            throw .unreadable("the key \(path) is not 64 hexadecimal characters")
        }
        return SymmetricKey(data: bytes)
    }

    /// Creates a new key file (mode 0600) unless one exists; answers the key in the file either way.
    static func createKey(_ path: String) throws -> SymmetricKey {
        let key = SymmetricKey(size: .bits256)
        let text = key.withUnsafeBytes { Data($0) }.map { String(format: "%02x", $0) }.joined() + "\n"
        let fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        if fd < 0 {
            if errno == EEXIST, let existing = try? readKey(path) { return existing }
            throw AuditAnchorError(description: "cannot create the audit key \(path): \(String(cString: strerror(errno))); check the folder exists and the service user may write to it")
        }
        defer { close(fd) }
        try writeAll(fd, Data(text.utf8), path: path)
        guard fsync(fd) == 0 else { throw AuditAnchorError(description: "cannot write the audit key \(path): \(String(cString: strerror(errno)))") }
        syncDirectory(of: path)
        return key
    }

    /// The anchor file's text, or nil when it does not exist.
    static func readHeadText(_ path: String) throws(AuditHead.ReadProblem) -> String? {
        guard FileManager.default.fileExists(atPath: path) else { return nil }
        guard let data = FileManager.default.contents(atPath: path) else { throw .unreadable("it cannot be read (permissions?)") }
        return String(decoding: data, as: UTF8.self)
    }

    /// Replaces the anchor atomically: a temporary file beside it, flushed, renamed over it, the folder flushed.
    static func writeHead(_ head: AuditHead, key: SymmetricKey, to path: String) throws {
        let temporary = path + ".new"
        let fd = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else {
            throw AuditAnchorError(description: "cannot write the audit anchor \(temporary): \(String(cString: strerror(errno))); check the service user may write to the data folder")
        }
        do {
            try writeAll(fd, Data(head.file(key: key).utf8), path: temporary)
            guard fsync(fd) == 0 else { throw AuditAnchorError(description: "cannot flush the audit anchor \(temporary): \(String(cString: strerror(errno)))") }
        } catch {
            close(fd)
            throw error
        }
        close(fd)
        guard rename(temporary, path) == 0 else {
            throw AuditAnchorError(description: "cannot move the audit anchor into place (\(path)): \(String(cString: strerror(errno)))")
        }
        syncDirectory(of: path)
    }

    /// Runs `body` holding the anchor's lock (an exclusive `flock` on `audit-head.lock`), so two processes (the
    /// gateway and a CLI command) never interleave their read-compare-write of the anchor.
    static func withLock<T>(_ files: AuditAnchorFiles, _ body: () throws -> T) throws -> T {
        let fd = open(files.lockPath, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        guard fd >= 0 else {
            throw AuditAnchorError(description: "cannot open the audit anchor's lock \(files.lockPath): \(String(cString: strerror(errno)))")
        }
        defer { close(fd) }
        while flock(fd, LOCK_EX) != 0 {
            guard errno == EINTR else { throw AuditAnchorError(description: "cannot lock \(files.lockPath): \(String(cString: strerror(errno)))") }
        }
        defer { flock(fd, LOCK_UN) }
        return try body()
    }

    private static func writeAll(_ fd: Int32, _ data: Data, path: String) throws {
        try data.withUnsafeBytes { buffer in
            var offset = 0
            while offset < buffer.count {
                let n = write(fd, buffer.baseAddress! + offset, buffer.count - offset)
                if n < 0, errno == EINTR { continue }
                guard n > 0 else { throw AuditAnchorError(description: "cannot write \(path): \(String(cString: strerror(errno)))") }
                offset += n
            }
        }
    }

    private static func syncDirectory(of path: String) {
        let fd = open((path as NSString).deletingLastPathComponent.isEmpty ? "." : (path as NSString).deletingLastPathComponent, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return }
        _ = fsync(fd)
        close(fd)
    }
}

/// The anchor cannot be written: said for ops.
public struct AuditAnchorError: Error, Sendable, CustomStringConvertible {
    public let description: String
}

/// Where the anchor stands against the log, read from disk and from `db`.
enum AuditAnchorCheck {
    static func status(_ files: AuditAnchorFiles, _ db: Database) throws -> AuditAnchorStatus {
        let last = try AuditChain.head(db)
        let key: SymmetricKey?
        let text: String?
        do {
            key = try AuditAnchorDisk.readKey(files.keyPath)
        } catch {
            if case .unreadable(let reason) = error { return .unreadable(path: files.keyPath, reason: reason) }
            return .unreadable(path: files.keyPath, reason: "\(error)")
        }
        do { text = try AuditAnchorDisk.readHeadText(files.headPath) } catch {
            if case .unreadable(let reason) = error { return .unreadable(path: files.headPath, reason: reason) }
            return .unreadable(path: files.headPath, reason: "\(error)")
        }
        guard let text else { return .missing(path: files.headPath, entries: last.id) }
        guard let key else { return .keyMissing(path: files.keyPath) }
        let head: AuditHead
        do { head = try AuditHead.parse(text, key: key) } catch {
            switch error {
            case .badSignature: return .badSignature(path: files.headPath)
            case .unreadable(let reason): return .unreadable(path: files.headPath, reason: reason)
            }
        }
        if last.id < head.entryID { return .cut(anchor: head.entryID, last: last.id) }
        let anchored = head.entryID == 0 ? AuditChain.genesis
            : try String.fetchOne(db, sql: "SELECT hash FROM audit_log WHERE id = ?", arguments: [head.entryID])
        guard anchored == head.hash else { return .rewritten(anchor: head.entryID) }
        return last.id == head.entryID ? .matches(entry: head.entryID) : .logAhead(anchor: head.entryID, last: last.id)
    }
}

/// Moves the anchor forward after audit writes commit, for one open store. The writer's connection only says "the log
/// grew"; the anchor is written on a queue of its own, and writes that arrive while one is under way are folded into
/// the next, so ingest never waits for an fsync of the anchor.
final class AuditAnchorKeeper: Sendable {
    let files: AuditAnchorFiles
    private let pool: DatabasePool
    private let queue = DispatchQueue(label: "countergate.audit-anchor")
    private let state = Mutex<(scheduled: Bool, pending: Bool, problem: String?)>((false, false, nil))

    init(files: AuditAnchorFiles, pool: DatabasePool) {
        self.files = files
        self.pool = pool
    }

    /// The last reason the anchor was not moved (nil once it moves again).
    var problem: String? { state.withLock { $0.problem } }

    func note(_ problem: String?) { state.withLock { $0.problem = problem } }

    /// The log grew: move the anchor soon.
    func logGrew() {
        let start = state.withLock { state -> Bool in
            state.pending = true
            if state.scheduled { return false }
            state.scheduled = true
            return true
        }
        guard start else { return }
        queue.async { self.drain() }
    }

    /// Waits until every growth noted so far is anchored (or refused).
    func flush() { queue.sync {} }

    private func drain() {
        while state.withLock({ state -> Bool in
            guard state.pending else { state.scheduled = false; return false }
            state.pending = false
            return true
        }) {
            let problem: String?
            do { problem = try advance() } catch { problem = "\(error)" }
            note(problem)
        }
    }

    /// Moves the anchor to the log's last entry, only ever forward and only over an unchanged anchored entry.
    /// - Returns: why it was not moved, if it was not.
    func advance() throws -> String? {
        try AuditAnchorDisk.withLock(files) {
            let (status, last) = try pool.read { db in (try AuditAnchorCheck.status(files, db), try AuditChain.head(db)) }
            guard case .logAhead = status else {
                // Nothing new (matches), or a state only ops may settle (cut, missing, bad signature): leave the anchor
                // as evidence; `audit verify` and the start check report it.
                if case .matches = status { return nil }
                return status.description
            }
            guard let key = try AuditAnchorDisk.readKey(files.keyPath) else { return AuditAnchorStatus.keyMissing(path: files.keyPath).description }
            try AuditAnchorDisk.writeHead(AuditHead(entryID: last.id, hash: last.hash, writtenAt: Int64(Date().timeIntervalSince1970)),
                                          key: key, to: files.headPath)
            return nil
        }
    }

    /// Writes the anchor at the log's last entry whatever it said before, creating the key if there is none: the first
    /// seal of a log, and `audit reanchor`.
    func reset() throws {
        try AuditAnchorDisk.withLock(files) {
            let key = try AuditAnchorDisk.readKey(files.keyPath) ?? AuditAnchorDisk.createKey(files.keyPath)
            let last = try pool.read { db in try AuditChain.head(db) }
            try AuditAnchorDisk.writeHead(AuditHead(entryID: last.id, hash: last.hash, writtenAt: Int64(Date().timeIntervalSince1970)),
                                          key: key, to: files.headPath)
        }
    }
}

/// Tells the keeper when a transaction that appended to the audit log commits.
final class AuditGrowthObserver: TransactionObserver, @unchecked Sendable {
    // Touched only on the writer's queue, where GRDB calls an observer.
    private var grew = false
    private let keeper: AuditAnchorKeeper

    init(keeper: AuditAnchorKeeper) { self.keeper = keeper }

    func observes(eventsOfKind eventKind: DatabaseEventKind) -> Bool {
        if case .insert(let table) = eventKind { return table == "audit_log" }
        return false
    }

    func databaseDidChange(with event: DatabaseEvent) { grew = true }

    func databaseDidCommit(_ db: Database) {
        guard grew else { return }
        grew = false
        keeper.logGrew()
    }

    func databaseDidRollback(_ db: Database) { grew = false }
}

extension Data {
    /// Bytes from hexadecimal text; nil if it is not an even number of hex digits.
    init?(hexString: String) {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(hexString.utf8.count / 2)
        var high: UInt8?
        for c in hexString.utf8 {
            let v: UInt8
            switch c {
            case 48...57: v = c - 48
            case 97...102: v = c - 87
            case 65...70: v = c - 55
            default: return nil
            }
            if let h = high { bytes.append(h << 4 | v); high = nil } else { high = v }
        }
        guard high == nil else { return nil }
        self.init(bytes)
    }
}
