// GET /api/v1/central: the ops page's view of forwarding to the county's centre (what waits, since when, the last
// contact and error), for a hall that does not forward and for one that does.
import CounterConfig
import CounterCore
import CounterStore
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing
@testable import Gateway

@Suite(.serialized) struct CentralStatusAPITests {
    static func object(_ response: TestResponse) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(buffer: response.body)) as? [String: Any])
    }

    @Test func aHallThatDoesNotForwardSaysSo() async throws {
        let hall = try await HallAPITests.hall()
        let ops = try await hall.token(.ops).token
        try await hall.app { HallAPITests.api(hall).register(on: $0) }.test(.live) { client in
            try await client.execute(uri: "/api/v1/central", method: .get, headers: [.authorization: "Bearer \(ops)"]) { response in
                #expect(response.status == .ok)
                let answer = try Self.object(response)
                #expect(answer["configured"] as? Bool == false && answer["waiting"] == nil)
            }
            try await client.execute(uri: "/api/v1/central", method: .get) { response in
                #expect(response.status == .unauthorized)
            }
        }
    }

    @Test func aForwardingHallShowsWhatWaitsAndTheLastError() async throws {
        var hall = try await HallAPITests.hall()
        hall.config.central = HallConfiguration.Central(url: "https://county.example:8443", hallID: "taigu", tokenFile: "/dev/null")
        try await hall.store.enableOutbox(hallID: "taigu", at: hall.clock.now())
        let punches = (1...3).map { Punch(terminalSerial: "CQZ7231", terminalUserID: "\($0)", at: hall.clock.now(), verification: .fingerprint, direction: .checkIn) }
        _ = try await hall.store.record(punches: punches, receivedAt: hall.clock.now())
        try await hall.store.noteOutboxFailure("the centre cannot be reached: connection refused")
        hall.clock.advance(by: 120)
        let ops = try await hall.token(.ops).token
        try await hall.app { HallAPITests.api(hall).register(on: $0) }.test(.live) { client in
            try await client.execute(uri: "/api/v1/central", method: .get, headers: [.authorization: "Bearer \(ops)"]) { response in
                let answer = try Self.object(response)
                #expect(answer["configured"] as? Bool == true && answer["hallId"] as? String == "taigu")
                #expect((answer["waiting"] as? Int ?? 0) >= 3, "\(answer)")
                #expect((answer["lastError"] as? String)?.contains("connection refused") == true)
                #expect(answer["lastContact"] == nil, "never reached")
            }
        }
    }
}
