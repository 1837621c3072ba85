// The backup file: one line "CounterGate backup 1", one line of JSON manifest, then the database image compressed with
// gzip. One file, so it can be copied to a share as it is; `head -2` shows what it holds.
import Crypto
import Foundation

public enum BackupFile {
    /// The first line of every backup (the `1` is the format, also in the manifest).
    public static let magic = "CounterGate backup"
    /// The manifest line is never longer than this; a longer "line" is not a backup.
    static let manifestLimit = 1 << 20
    static let chunkSize = 1 << 20

    /// The manifest of the backup at `path` and where its compressed database starts, without reading further.
    /// - Throws: ``BackupError`` for a file that is not a backup, of an unknown format, or whose manifest is damaged.
    public static func readManifest(_ path: String) throws(BackupError) -> (manifest: BackupManifest, payloadOffset: Int64, fileBytes: Int64) {
        guard let handle = FileHandle(forReadingAtPath: path) else {
            throw .io("cannot read \(path): check the path and that this user may read it")
        }
        defer { try? handle.close() }
        let head: Data
        do { head = try handle.read(upToCount: manifestLimit + 64) ?? Data() } catch {
            throw .io("cannot read \(path): \(error.localizedDescription)")
        }
        let fileBytes = Int64((try? FileManager.default.attributesOfItem(atPath: path)[.size] as? NSNumber)?.int64Value ?? Int64(head.count))
        let bytes = [UInt8](head)
        guard let firstEnd = bytes.firstIndex(of: 0x0A) else { throw .notABackup(path: path) }
        let first = String(decoding: bytes[0..<firstEnd], as: UTF8.self)
        guard first.hasPrefix(magic + " ") else { throw .notABackup(path: path) }
        guard let secondEnd = bytes[(firstEnd + 1)...].firstIndex(of: 0x0A) else {
            throw fileBytes <= Int64(bytes.count) ? BackupError.truncated(path: path, expected: -1, found: fileBytes).withoutLength
                : BackupError.badManifest(path: path, reason: "longer than \(manifestLimit) bytes")
        }
        let line = Data(bytes[(firstEnd + 1)..<secondEnd])
        let format = Int(first.dropFirst(magic.count + 1)) ?? -1
        guard format == BackupManifest.currentFormat else {
            let writtenBy = (try? JSONSerialization.jsonObject(with: line) as? [String: Any])?["gateway_version"] as? String
            throw .unknownFormat(path: path, format: format, writtenBy: writtenBy)
        }
        let manifest: BackupManifest
        do { manifest = try JSONDecoder().decode(BackupManifest.self, from: line) } catch {
            throw .badManifest(path: path, reason: "\(error)")
        }
        guard manifest.format == format, manifest.compression == "gzip", manifest.payloadBytes >= 0, manifest.databaseBytes >= 0 else {
            throw .badManifest(path: path, reason: "format \(manifest.format), compression \(manifest.compression): not what this countergate writes")
        }
        return (manifest, Int64(secondEnd + 1), fileBytes)
    }

    /// Checks the whole file: its manifest, the compressed database's size and checksum, and (decompressed as it is read)
    /// the database's size and checksum. With `writingTo`, the database is written there as well.
    /// - Parameter progress: told the bytes of compressed database read so far, and the total.
    /// - Returns: the manifest.
    @discardableResult
    public static func verify(_ path: String, writingTo output: String? = nil, progress: (Int64, Int64) -> Void = { _, _ in }) throws(BackupError) -> BackupManifest {
        let (manifest, offset, fileBytes) = try readManifest(path)
        let found = fileBytes - offset
        if found < manifest.payloadBytes { throw .truncated(path: path, expected: manifest.payloadBytes, found: found) }
        if found > manifest.payloadBytes {
            throw .checksumMismatch(path: path, what: "it holds \(found - manifest.payloadBytes) bytes more than its manifest announces")
        }
        guard let handle = FileHandle(forReadingAtPath: path) else { throw .io("cannot read \(path)") }
        defer { try? handle.close() }
        var writer: FileHandle?
        if let output {
            guard FileManager.default.createFile(atPath: output, contents: nil, attributes: [.posixPermissions: 0o640]),
                  let opened = FileHandle(forWritingAtPath: output) else {
                throw .io("cannot write \(output): check the folder exists and this user may write to it")
            }
            writer = opened
        }
        defer { try? writer?.close() }
        var payloadHash = SHA256()
        var databaseHash = SHA256()
        do {
            try handle.seek(toOffset: UInt64(offset))
            let inflater = try GzipDecompressor(limit: manifest.databaseBytes)
            var read: Int64 = 0
            while let chunk = try handle.read(upToCount: chunkSize), !chunk.isEmpty {
                payloadHash.update(data: chunk)
                read += Int64(chunk.count)
                try inflater.decompress(chunk) { data in
                    databaseHash.update(data: data)
                    try writer?.write(contentsOf: data)
                }
                progress(read, manifest.payloadBytes)
            }
            let payloadSum = hex(payloadHash.finalize())
            guard payloadSum == manifest.payloadSHA256 else {
                throw BackupError.checksumMismatch(path: path, what: "the compressed database's SHA-256 is \(payloadSum), its manifest says \(manifest.payloadSHA256)")
            }
            guard inflater.ended else { throw BackupError.damaged("the compressed database ends before its gzip stream does") }
            guard inflater.produced == manifest.databaseBytes else {
                throw BackupError.checksumMismatch(path: path, what: "the database is \(inflater.produced) bytes, its manifest says \(manifest.databaseBytes)")
            }
            let databaseSum = hex(databaseHash.finalize())
            guard databaseSum == manifest.databaseSHA256 else {
                throw BackupError.checksumMismatch(path: path, what: "the database's SHA-256 is \(databaseSum), its manifest says \(manifest.databaseSHA256)")
            }
            try writer?.synchronize()
        } catch let error as BackupError {
            throw error
        } catch {
            throw .io("cannot read \(path): \(error.localizedDescription)")
        }
        return manifest
    }

    /// Writes a backup file at `path` (through `path.partial`, renamed when complete and on disk) from the database
    /// image at `image`, with `manifest` completed by the sizes and checksums.
    /// - Parameter progress: told the bytes of the image compressed so far, and the total.
    /// - Returns: the manifest as written.
    static func write(image: String, manifest draft: BackupManifest, to path: String,
                      progress: (Int64, Int64) -> Void = { _, _ in }) throws(BackupError) -> BackupManifest {
        let partial = path + ".partial"
        let payload = path + ".payload.partial"
        defer {
            try? FileManager.default.removeItem(atPath: payload)
            try? FileManager.default.removeItem(atPath: partial)
        }
        var manifest = draft
        do {
            let imageBytes = (try FileManager.default.attributesOfItem(atPath: image)[.size] as? NSNumber)?.int64Value ?? 0
            guard let input = FileHandle(forReadingAtPath: image) else { throw BackupError.io("cannot read the database image \(image)") }
            defer { try? input.close() }
            guard FileManager.default.createFile(atPath: payload, contents: nil, attributes: [.posixPermissions: 0o640]),
                  let compressed = FileHandle(forWritingAtPath: payload) else {
                throw BackupError.io("cannot write in \((path as NSString).deletingLastPathComponent): check the folder exists, has room, and this user may write to it")
            }
            defer { try? compressed.close() }
            var databaseHash = SHA256()
            var payloadHash = SHA256()
            var databaseBytes: Int64 = 0
            var payloadBytes: Int64 = 0
            let deflater = try GzipCompressor()
            let emit: (Data) throws -> Void = { data in
                payloadHash.update(data: data)
                payloadBytes += Int64(data.count)
                try compressed.write(contentsOf: data)
            }
            while let chunk = try input.read(upToCount: chunkSize), !chunk.isEmpty {
                databaseHash.update(data: chunk)
                databaseBytes += Int64(chunk.count)
                try deflater.compress(chunk, finish: false, output: emit)
                progress(databaseBytes, imageBytes)
            }
            try deflater.compress(Data(), finish: true, output: emit)
            manifest.databaseBytes = databaseBytes
            manifest.databaseSHA256 = hex(databaseHash.finalize())
            manifest.payloadBytes = payloadBytes
            manifest.payloadSHA256 = hex(payloadHash.finalize())
            try compressed.close()

            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
            let header = Data("\(magic) \(manifest.format)\n".utf8) + (try encoder.encode(manifest)) + Data("\n".utf8)
            guard FileManager.default.createFile(atPath: partial, contents: header, attributes: [.posixPermissions: 0o640]),
                  let out = FileHandle(forWritingAtPath: partial), let again = FileHandle(forReadingAtPath: payload) else {
                throw BackupError.io("cannot write \(partial): check the folder has room and this user may write to it")
            }
            defer { try? out.close(); try? again.close() }
            try out.seekToEnd()
            while let chunk = try again.read(upToCount: chunkSize), !chunk.isEmpty { try out.write(contentsOf: chunk) }
            try out.synchronize()
            try out.close()
            guard rename(partial, path) == 0 else { throw BackupError.io("cannot rename \(partial) to \(path): \(String(cString: strerror(errno)))") }
            syncFolder(of: path)
        } catch let error as BackupError {
            throw error
        } catch {
            throw .io("cannot write the backup \(path): \(error.localizedDescription); check the folder has room and this user may write to it")
        }
        return manifest
    }

    /// Copies a finished backup into `folder` (through a `.partial` file renamed when complete), for the second copy.
    /// - Returns: the copy's path.
    static func copy(_ path: String, into folder: String) throws(BackupError) -> String {
        let target = (folder as NSString).appendingPathComponent((path as NSString).lastPathComponent)
        let partial = target + ".partial"
        do {
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
            try? FileManager.default.removeItem(atPath: partial)
            guard let input = FileHandle(forReadingAtPath: path),
                  FileManager.default.createFile(atPath: partial, contents: nil, attributes: [.posixPermissions: 0o640]),
                  let out = FileHandle(forWritingAtPath: partial) else {
                throw BackupError.io("cannot write in \(folder): check it is mounted and this user may write to it")
            }
            defer { try? input.close(); try? out.close() }
            while let chunk = try input.read(upToCount: chunkSize), !chunk.isEmpty { try out.write(contentsOf: chunk) }
            try out.synchronize()
            let copied = (try FileManager.default.attributesOfItem(atPath: partial)[.size] as? NSNumber)?.int64Value
            let original = (try FileManager.default.attributesOfItem(atPath: path)[.size] as? NSNumber)?.int64Value
            guard copied == original else { throw BackupError.io("the copy in \(folder) is \(copied ?? 0) bytes, the backup \(original ?? 0): the share may be full") }
            guard rename(partial, target) == 0 else { throw BackupError.io("cannot rename \(partial): \(String(cString: strerror(errno)))") }
            syncFolder(of: target)
        } catch let error as BackupError {
            try? FileManager.default.removeItem(atPath: partial)
            throw error
        } catch {
            try? FileManager.default.removeItem(atPath: partial)
            throw .io("cannot copy the backup into \(folder): \(error.localizedDescription); check it is mounted, has room, and this user may write to it")
        }
        return target
    }

    /// Makes a rename in the folder of `path` durable.
    static func syncFolder(of path: String) {
        let folder = open((path as NSString).deletingLastPathComponent, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard folder >= 0 else { return }
        _ = fsync(folder)
        close(folder)
    }

    static func hex(_ digest: SHA256.Digest) -> String {
        digest.map { String(format: "%02x", $0) }.joined()
    }
}

private extension BackupError {
    /// A file that ends inside its manifest line: truncated, before any length is known.
    var withoutLength: BackupError {
        guard case .truncated(let path, _, let found) = self else { return self }
        return .damaged("\(path) ends inside its manifest (\(found) bytes): it was cut off while being written or copied; copy it again, or use an older backup")
    }
}
