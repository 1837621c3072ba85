// One gateway per data folder: `serve` and `demo` hold a lock on `countergate.lock` in the data folder for as long as they
// run, and `countergate restore` holds it while it replaces the database; whoever finds it held is refused, told who holds it.
import CounterConfig
import Foundation

/// An exclusive `flock` on `<data folder>/countergate.lock`, released when this is deallocated or the process ends
/// (the kernel releases it even after a crash, so a stale lock file never blocks a start).
public final class DataFolderLock: Sendable {
    /// The lock file.
    public let path: String
    private let descriptor: Int32

    /// Who holds a data folder's lock, as the holder wrote it into the file.
    public struct Holder: Sendable, Equatable, CustomStringConvertible {
        public let pid: Int32?
        public let purpose: String?
        public var description: String {
            [pid.map { "pid \($0)" }, purpose].compactMap { $0 }.joined(separator: ", ")
        }
    }

    /// Why the lock could not be taken.
    public enum Failure: Error, Sendable {
        /// Another process holds it.
        case held(Holder, path: String)
        /// The lock file cannot be created or opened.
        case unusable(path: String, reason: String)
    }

    private init(path: String, descriptor: Int32) {
        self.path = path
        self.descriptor = descriptor
    }

    deinit { close(descriptor) }

    /// The lock file of a data folder.
    public static func path(in dataDirectory: String) -> String {
        (dataDirectory as NSString).appendingPathComponent("countergate.lock")
    }

    /// Takes the lock of `dataDirectory` without waiting (creating the folder when needed) and writes this process's
    /// id and `purpose` into it.
    /// - Throws: ``Failure/held(_:path:)`` naming the holder when another process has it.
    public static func acquire(dataDirectory: String, purpose: String) throws(Failure) -> DataFolderLock {
        let path = path(in: dataDirectory)
        do {
            try FileManager.default.createDirectory(atPath: dataDirectory, withIntermediateDirectories: true)
        } catch {
            throw .unusable(path: path, reason: error.localizedDescription)
        }
        let descriptor = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o640)
        guard descriptor >= 0 else { throw .unusable(path: path, reason: String(cString: strerror(errno))) }
        guard flock(descriptor, LOCK_EX | LOCK_NB) == 0 else {
            let reason = errno
            let holder = readHolder(descriptor)
            close(descriptor)
            if reason == EWOULDBLOCK { throw .held(holder, path: path) }
            throw .unusable(path: path, reason: String(cString: strerror(reason)))
        }
        let text = Array("\(getpid())\t\(purpose)\n".utf8)
        _ = ftruncate(descriptor, 0)
        _ = text.withUnsafeBytes { pwrite(descriptor, $0.baseAddress, $0.count, 0) }
        return DataFolderLock(path: path, descriptor: descriptor)
    }

    private static func readHolder(_ descriptor: Int32) -> Holder {
        var buffer = [UInt8](repeating: 0, count: 512)
        let count = buffer.withUnsafeMutableBytes { pread(descriptor, $0.baseAddress, $0.count, 0) }
        guard count > 0 else { return Holder(pid: nil, purpose: nil) }
        let line = String(decoding: buffer[0..<count], as: UTF8.self).split(separator: "\n").first.map(String.init) ?? ""
        let fields = line.split(separator: "\t", maxSplits: 1).map(String.init)
        return Holder(pid: fields.first.flatMap { Int32($0) }, purpose: fields.count > 1 ? fields[1] : nil)
    }
}

extension GatewayRuntime {
    /// Takes the data folder's lock for a running gateway (`serve`, `demo`): a second gateway on the same database is
    /// refused with who holds it.
    public static func lockDataFolder(_ config: HallConfiguration, purpose: String = "countergate serve") throws -> DataFolderLock {
        let directory = config.store.dataDirectory
        do {
            return try DataFolderLock.acquire(dataDirectory: directory, purpose: purpose)
        } catch .held(let holder, let path) {
            throw StartupError(description: "another countergate (\(holder)) is using the data folder \(directory) ([store] data_dir; lock \(path)): "
                               + "two gateways on one database would both take punches and notice numbers; stop the other one "
                               + "(systemctl stop countergate) or give this one a data folder of its own")
        } catch .unusable(let path, let reason) {
            throw StartupError(description: "cannot lock the data folder \(directory) (\(path): \(reason)); give the service user write access to it")
        }
    }
}
