// The fuzz corpora and regressions of Fuzz/, for the replay tests: the normal test run's form of scripts/fuzz.
import Foundation

/// The inputs kept under `Fuzz/` and deterministic mutants of them, as a fuzzer would make them.
public enum FuzzCorpus {
    /// The repository's `Fuzz/` folder (found from this file's own path).
    public static let root = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("Fuzz")

    /// The files of `Fuzz/<folder>` (e.g. `zk-pull/corpus`, `regressions/zk-pull`), sorted by name; empty when the folder
    /// is missing. Hidden files (`.gitkeep`) are left out.
    public static func files(_ folder: String) throws -> [URL] {
        let dir = root.appendingPathComponent(folder)
        guard FileManager.default.fileExists(atPath: dir.path) else { return [] }
        return try FileManager.default.contentsOfDirectory(at: dir, includingPropertiesForKeys: nil)
            .filter { !$0.lastPathComponent.hasPrefix(".") }
            .sorted { $0.lastPathComponent < $1.lastPathComponent }
    }

    /// The contents of every file of `Fuzz/<folder>`, with their names.
    public static func inputs(_ folder: String) throws -> [(name: String, bytes: [UInt8])] {
        try files(folder).map { ($0.lastPathComponent, Array(try Data(contentsOf: $0))) }
    }

    /// `count` deterministic mutants of `seed`: bit flips, interesting bytes (and `tokens`, when given), cuts,
    /// repeats and appended bytes, one to four per mutant.
    public static func mutants(of seed: [UInt8], count: Int, seedValue: UInt64, tokens: [UInt8] = []) -> [[UInt8]] {
        var state = seedValue &+ 0x9E37_79B9_7F4A_7C15
        func next() -> Int {
            state ^= state << 13; state ^= state >> 7; state ^= state << 17
            return Int(truncatingIfNeeded: state & 0x7FFF_FFFF)
        }
        let interesting: [UInt8] = [0x00, 0xFF, 0x7F, 0x80, 0x0A, 0x09, 0x3D] + tokens
        var out: [[UInt8]] = []
        for _ in 0..<count {
            var m = seed
            for _ in 0...(next() % 4) {
                switch next() % 6 {
                case 0 where !m.isEmpty: m[next() % m.count] ^= UInt8(1 << (next() % 8))
                case 1 where !m.isEmpty: m[next() % m.count] = interesting[next() % interesting.count]
                case 2 where !m.isEmpty: m.removeLast(next() % (m.count + 1) / 2)
                case 3 where !m.isEmpty: let at = next() % m.count; m.insert(contentsOf: m[at...].prefix(16), at: at)
                case 4 where !m.isEmpty: m.remove(at: next() % m.count)
                default: m.append(UInt8(truncatingIfNeeded: next()))
                }
            }
            out.append(m)
        }
        return out
    }
}
