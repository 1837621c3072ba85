// Sign-in rate limiting: a burst, then a steady rate per key; 429 with Retry-After when spent.
import CounterCore
import Foundation
import Hummingbird
import HummingbirdTesting
import Testing
@testable import Gateway

@Suite struct SignInRateLimiterTests {
    @Test func aBurstThenTenAMinute() throws {
        let clock = ManualClock(Date(timeIntervalSince1970: 1_795_660_200))
        let limiter = SignInRateLimiter(perMinute: 10, burst: 5, clock: clock)
        for _ in 0..<5 { try limiter.check(key: "token:1") }
        do {
            try limiter.check(key: "token:1")
            Issue.record("a sixth sign-in at once was let through")
        } catch let problem as APIProblem {
            #expect(problem.status == .tooManyRequests)
            #expect(problem.headers[.retryAfter] == "6")
            #expect(problem.detail.contains("try again in 6 s"))
        }
        // Another key has its own bucket.
        try limiter.check(key: "token:2")
        clock.advance(by: 5)
        #expect(throws: APIProblem.self) { try limiter.check(key: "token:1") }
        clock.advance(by: 1)
        try limiter.check(key: "token:1")
        #expect(throws: APIProblem.self) { try limiter.check(key: "token:1") }
        // A minute of quiet refills the burst, never more.
        clock.advance(by: 3600)
        for _ in 0..<5 { try limiter.check(key: "token:1") }
        #expect(throws: APIProblem.self) { try limiter.check(key: "token:1") }
    }

    @Test func aClockSetBackGivesNothingBack() throws {
        let clock = ManualClock(Date(timeIntervalSince1970: 1_795_660_200))
        let limiter = SignInRateLimiter(perMinute: 10, burst: 1, clock: clock)
        try limiter.check(key: "k")
        clock.advance(by: -3600)
        #expect(throws: APIProblem.self) { try limiter.check(key: "k") }
        clock.advance(by: 3600 + 6)
        try limiter.check(key: "k")
    }

    @Test func manyKeysStayBounded() throws {
        let clock = ManualClock(Date(timeIntervalSince1970: 1_795_660_200))
        let limiter = SignInRateLimiter(perMinute: 60, burst: 2, clock: clock)
        for n in 0..<20_000 {
            try limiter.check(key: "address:10.0.\(n / 256).\(n % 256)")
            clock.advance(by: 0.01)
        }
        try limiter.check(key: "address:10.0.0.0")
    }

    @Test func aRouteAnswers429WithRetryAfter() async throws {
        let hall = try APITestHall()
        let kiosk = try await hall.token(.kiosk, name: "签到机")
        let limiter = SignInRateLimiter(perMinute: 10, burst: 5, clock: hall.clock)
        let app = hall.app { group in
            group.post("test/signin") { _, context -> String in
                try context.require(.submitSignIn)
                try limiter.check(key: SignInRateLimiter.key(for: context))
                return "signed in"
            }
        }
        try await app.test(.live) { client in
            for _ in 0..<5 {
                let response = try await client.execute(uri: "/api/v1/test/signin", method: .post, headers: [.authorization: "Bearer \(kiosk.token)"])
                #expect(response.status == .ok)
            }
            let refused = try await client.execute(uri: "/api/v1/test/signin", method: .post, headers: [.authorization: "Bearer \(kiosk.token)"])
            #expect(refused.status == .tooManyRequests)
            #expect(refused.headers[.retryAfter] == "6")
            #expect(refused.headers[.contentType] == "application/problem+json")
            #expect(try problem(refused).type == "tag:countergate,2026:problem:too-many-requests")
        }
    }

    @Test func theKeyIsTheTokenElseTheAddress() async throws {
        let hall = try APITestHall()
        let token = try await hall.token(.kiosk)
        let app = hall.app { group in
            group.get("test/key") { _, context -> String in SignInRateLimiter.key(for: context) }
        }
        try await app.test(.live) { client in
            let anonymous = try await client.execute(uri: "/api/v1/test/key", method: .get)
            #expect(["address:127.0.0.1", "address:::1"].contains(String(buffer: anonymous.body)))
            let known = try await client.execute(uri: "/api/v1/test/key", method: .get, headers: [.authorization: "Bearer \(token.token)"])
            #expect(String(buffer: known.body) == "token:\(token.id)")
        }
    }
}
