// [central]: absent, the hall stands alone; present, its keys are checked (an address the token may cross in clear is
// refused), and the centre's own configuration file too.
import CounterTOML
import Foundation
import Testing
@testable import CounterConfig

@Suite struct CentralConfigurationTests {
    func parse(_ text: String) throws -> HallConfiguration {
        try HallConfiguration.parse(text: text, file: "hall.toml", baseDirectory: "/etc/countergate")
    }

    func errors(_ text: String) -> [ConfigError] {
        do { _ = try parse(text); return [] } catch let e as ConfigErrors { return e.errors } catch { return [] }
    }

    @Test func withoutCentralNothingForwards() throws {
        #expect(try parse("").central == nil)
    }

    @Test func theKeysAreReadWithDefaults() throws {
        let central = try #require(try parse("""
            [central]
            url = "https://county-centre.example:8443"
            hall_id = "hujiabao"
            token_file = "central.token"
            """).central)
        #expect(central.url == "https://county-centre.example:8443" && central.hallID == "hujiabao")
        #expect(central.tokenFile == "/etc/countergate/central.token" && central.caFile == nil)
        #expect(central.batchSize == 1000 && central.heartbeatSeconds == 30)
    }

    @Test func plainHTTPIsRefusedExceptToLoopbackAndMissingKeysAreNamed() throws {
        let lan = errors("[central]\nurl = \"http://10.1.2.3:8443\"\nhall_id = \"a\"\ntoken_file = \"t\"\n")
        #expect(lan.contains { $0.key == "central.url" && $0.message.contains("in clear") }, "\(lan)")
        #expect(errors("[central]\nurl = \"http://127.0.0.1:8443\"\nhall_id = \"a\"\ntoken_file = \"t\"\n").isEmpty)
        let missing = errors("[central]\nurl = \"https://c.example\"\n")
        #expect(Set(missing.compactMap(\.key)).isSuperset(of: ["central.hall_id", "central.token_file"]), "\(missing)")
        let badID = errors("[central]\nurl = \"https://c.example\"\nhall_id = \"胡家堡\"\ntoken_file = \"t\"\n")
        #expect(badID.contains { $0.key == "central.hall_id" }, "\(badID)")
        let typo = errors("[central]\nurl = \"https://c.example\"\nhall_id = \"a\"\ntoken_file = \"t\"\nbatch_sise = 5\n")
        #expect(typo.contains { $0.message.contains("batch_size") }, "\(typo)")
    }

    @Test func anEmptyOrMissingTokenFileSaysWhatToPutThere() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("cg-central-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        var central = HallConfiguration.Central(url: "https://c.example", hallID: "a", tokenFile: folder.appendingPathComponent("none").path)
        #expect(throws: ConfigErrors.self) { try HallConfiguration.readCentralToken(central) }
        let file = folder.appendingPathComponent("token")
        try "  \n".write(to: file, atomically: true, encoding: .utf8)
        central.tokenFile = file.path
        do { _ = try HallConfiguration.readCentralToken(central); Issue.record("an empty token was accepted") } catch {
            #expect("\(error)".contains("countergate central hall add"))
        }
        try "abc123\n".write(to: file, atomically: true, encoding: .utf8)
        #expect(try HallConfiguration.readCentralToken(central) == "abc123")
    }
}
