// `countergate doctor` on forwarding to the county's centre: a missing token, a changed hall id, a failing centre, a
// [central] removed while the outbox fills.
import CounterConfig
import CounterStore
import Foundation
import Testing
@testable import Gateway

@Suite struct CentralDoctorTests {
    func findings(_ central: HallConfiguration.Central?, _ status: OutboxStatus?) throws -> [(String, DoctorFinding.Status, String, String?)] {
        var config = try HallConfiguration.defaults()
        config.central = central
        var found: [(String, DoctorFinding.Status, String, String?)] = []
        HallDoctor.checkCentral(config, status: status) { found.append(($0, $1, $2, $3)) }
        return found
    }

    func status(hall: String, error: String? = nil) -> OutboxStatus {
        OutboxStatus(hallID: hall, stream: "s", acknowledged: 10, waiting: 4, oldestWaiting: nil, lastContact: nil, lastError: error)
    }

    @Test func eachProblemIsNamedWithItsFix() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("cg-doctor-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let token = folder.appendingPathComponent("central.token")
        let central = HallConfiguration.Central(url: "https://county.example:8443", hallID: "taigu", tokenFile: token.path)

        #expect(try findings(nil, nil).isEmpty, "a hall that never forwarded: nothing to say")
        let missing = try findings(central, nil)
        #expect(missing.contains { $0.1 == .fail && $0.3?.contains("countergate central hall add") == true }, "\(missing)")
        try "abc\n".write(to: token, atomically: true, encoding: .utf8)
        #expect(try findings(central, nil).allSatisfy { $0.1 == .info })
        #expect(try findings(central, status(hall: "taigu-old")).contains { $0.1 == .fail && $0.2.contains("would fork") })
        #expect(try findings(central, status(hall: "taigu", error: "connection refused")).contains { $0.1 == .warn && $0.2.contains("connection refused") })
        #expect(try findings(central, status(hall: "taigu")).contains { $0.1 == .ok && $0.2.contains("4 records waiting") })
        #expect(try findings(nil, status(hall: "taigu")).contains { $0.1 == .warn && $0.2.contains("keeps filling") })
    }
}
