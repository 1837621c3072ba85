// Runs the real `countergate` binary for end-to-end tests.
import CounterGateTestSupport
import Foundation

/// Where `swift build` put the binary: beside the test bundle, or `$COUNTERGATE_BIN`.
enum Binary {
    static var path: String {
        if let path = ProcessInfo.processInfo.environment["COUNTERGATE_BIN"] { return path }
        let bundle = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        for candidate in [bundle, bundle.deletingLastPathComponent()] {
            let path = candidate.appendingPathComponent("countergate").path
            if FileManager.default.isExecutableFile(atPath: path) { return path }
        }
        return Bundle.main.bundleURL.deletingLastPathComponent().appendingPathComponent("countergate").path
    }
}

/// `countergate` with the given arguments, without the caller's systemd or configuration variables.
enum RunningBinary {
    static let isolated: [String: String?] = ["NOTIFY_SOCKET": nil, "COUNTERGATE_CONFIG": nil]

    static func start(_ arguments: [String], environment: [String: String] = [:], directory: URL? = nil, input: Bool = false) throws -> ChildProcess {
        try ChildProcess(Binary.path, arguments, environment: isolated.merging(environment.mapValues { $0 }) { _, new in new }, directory: directory,
                         input: input)
    }

    static func run(_ arguments: [String], environment: [String: String] = [:], directory: URL? = nil) async throws -> (status: Int32, stdout: String, stderr: String) {
        try await ChildProcess.run(Binary.path, arguments, environment: isolated.merging(environment.mapValues { $0 }) { _, new in new }, directory: directory)
    }
}

func temporaryDirectory(_ name: String) throws -> URL {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("cg-e2e-\(name)-\(UUID().uuidString.prefix(8))")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
}
