// The device families' profile folders (drivers/printers, drivers/readers) work alike: one TOML file per model, its
// name the profile's id, `inherits = "<id>"` naming the profile it takes its unset keys from. This reads the folder,
// parses the files, resolves the chains, and reports every problem with its file, line and key; each family reads
// its own keys.
import Foundation

/// What a family's draft of one file tells about its place in the inheritance.
public protocol InheritingProfileDraft {
    /// The file's name without `.toml`.
    var id: String { get }
    var file: String { get }
    /// The profile it inherits from, if it names one.
    var inherits: String? { get }
    /// The line of `inherits`, for errors.
    var inheritsLine: Int { get }
}

public enum ProfileFiles {
    /// The `*.toml` files of `directory` (of its subfolders too when `recursive`), sorted by path.
    /// - Parameter family: what the folder holds, for errors (`printer`, `reader`).
    /// - Throws: ``ConfigErrors`` for a folder or a file that cannot be read, or a folder without profiles.
    public static func read(directory: String, family: String, recursive: Bool) throws -> [(path: String, text: String)] {
        var paths: [String] = []
        if recursive {
            guard let walker = FileManager.default.enumerator(at: URL(fileURLWithPath: directory), includingPropertiesForKeys: nil) else {
                throw ConfigErrors(errors: [ConfigError(file: directory, line: 0, key: nil, message: "the \(family) profile folder cannot be read")])
            }
            for case let url as URL in walker where url.pathExtension == "toml" { paths.append(url.path) }
        } else {
            let names: [String]
            do { names = try FileManager.default.contentsOfDirectory(atPath: directory) } catch {
                throw ConfigErrors(errors: [ConfigError(file: directory, line: 0, key: nil, message: "the \(family) profile folder cannot be read")])
            }
            paths = names.filter { $0.hasSuffix(".toml") }.map { directory + "/" + $0 }
        }
        var files: [(path: String, text: String)] = []
        var errors: [ConfigError] = []
        for path in paths.sorted() {
            do {
                let data = try Data(contentsOf: URL(fileURLWithPath: path))
                files.append((path, String(decoding: data, as: UTF8.self)))
            } catch {
                errors.append(ConfigError(file: path, line: 0, key: nil, message: "cannot be read (\(error.localizedDescription))"))
            }
        }
        if !errors.isEmpty { throw ConfigErrors(errors: errors) }
        if files.isEmpty {
            throw ConfigErrors(errors: [ConfigError(file: directory, line: 0, key: nil, message: "holds no \(family) profiles (*.toml)")])
        }
        return files
    }

    /// Parses each file into a draft with `make` (which reads the family's keys); a file that is not TOML, or that
    /// has the id of another, is reported in `errors`, and so are the keys `make` did not read.
    public static func drafts<Draft: InheritingProfileDraft>(
        _ files: [(path: String, text: String)], errors: inout [ConfigError],
        make: (_ id: String, _ file: String, _ reader: TableReader) -> Draft
    ) -> [String: Draft] {
        var drafts: [String: Draft] = [:]
        for file in files {
            let id = URL(fileURLWithPath: file.path).deletingPathExtension().lastPathComponent
            if let other = drafts[id] {
                errors.append(ConfigError(file: file.path, line: 0, key: nil,
                                          message: "has the same profile id `\(id)` as \(other.file); rename one of them"))
                continue
            }
            let table: TOMLTable
            do { table = try TOMLReader.parse(file.text) } catch {
                errors.append(ConfigError(file: file.path, line: error.position.line, key: nil, message: error.message))
                continue
            }
            let reader = TableReader(table, path: "", file: file.path)
            let draft = make(id, file.path, reader)
            errors += reader.finish()
            drafts[id] = draft
        }
        return drafts
    }

    /// The chain of drafts from `draft` up to its root, or the error naming the unknown parent or the cycle.
    public static func chain<Draft: InheritingProfileDraft>(of draft: Draft, in drafts: [String: Draft], family: String) -> Result<[Draft], ConfigError> {
        var chain = [draft]
        var seen: Set<String> = [draft.id]
        var current = draft
        while let parent = current.inherits {
            guard let next = drafts[parent] else {
                let known = drafts.keys.sorted().joined(separator: ", ")
                return .failure(ConfigError(file: current.file, line: current.inheritsLine, key: "inherits",
                                            message: "names `\(parent)`, which is no \(family) profile; known profiles: \(known)"))
            }
            if seen.contains(parent) {
                let cycle = (chain.map(\.id) + [parent]).joined(separator: " -> ")
                return .failure(ConfigError(file: draft.file, line: draft.inheritsLine, key: "inherits",
                                            message: "makes a cycle (\(cycle)); a profile cannot inherit from itself"))
            }
            seen.insert(parent)
            chain.append(next)
            current = next
        }
        return .success(chain)
    }

    /// Every draft's profile, parents first resolved through ``chain(of:in:family:)``; `make` builds a profile from
    /// a draft and its chain (nil, with errors, when it cannot), and a broken chain is reported in `errors`.
    public static func resolve<Draft: InheritingProfileDraft, Profile>(
        _ drafts: [String: Draft], family: String, errors: inout [ConfigError],
        make: (_ draft: Draft, _ chain: [Draft], _ errors: inout [ConfigError]) -> Profile?
    ) -> [Profile] {
        var profiles: [Profile] = []
        for id in drafts.keys.sorted() {
            guard let draft = drafts[id] else { continue }
            switch chain(of: draft, in: drafts, family: family) {
            case .failure(let error): errors.append(error)
            case .success(let chain):
                if let profile = make(draft, chain, &errors) { profiles.append(profile) }
            }
        }
        return profiles
    }

    /// Throws `errors`, each once and in file and line order, when there are any. A parent that is missing is met by
    /// every profile below it; it is said once.
    public static func check(_ errors: [ConfigError]) throws {
        guard !errors.isEmpty else { return }
        var unique: [ConfigError] = []
        for error in errors where !unique.contains(error) { unique.append(error) }
        throw ConfigErrors(errors: unique.sorted { ($0.file, $0.line) < ($1.file, $1.line) })
    }
}

/// A family's draft that reads its own keys and builds its own profile: parsing the family's files is then one call,
/// ``ProfileFiles/profiles(_:files:family:)``.
public protocol ResolvableProfileDraft: InheritingProfileDraft {
    associatedtype Profile
    init(id: String, file: String, reader: TableReader)
    /// The profile of this draft with its chain (itself first, then its parents); nil, with errors, when it cannot be made.
    func resolve(chain: [Self], errors: inout [ConfigError]) -> Profile?
}

extension ProfileFiles {
    /// Every profile of `files`, each resolved through its `inherits` chain.
    /// - Throws: `ConfigErrors` naming file, line and key of each problem; nothing is returned when there is one.
    public static func profiles<Draft: ResolvableProfileDraft>(_ type: Draft.Type, files: [(path: String, text: String)], family: String) throws -> [Draft.Profile] {
        var errors: [ConfigError] = []
        let drafts = ProfileFiles.drafts(files, errors: &errors) { id, file, reader in Draft(id: id, file: file, reader: reader) }
        let profiles = ProfileFiles.resolve(drafts, family: family, errors: &errors) { draft, chain, errors in
            draft.resolve(chain: chain, errors: &errors)
        }
        try check(errors)
        return profiles
    }
}
