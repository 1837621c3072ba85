// A/B post cover (AB岗工作制度): who covers a window now, when nobody does, and a window of one person.
import CounterCore
import Foundation
import Testing

@Suite struct PostCoverTests {
    static let day = CivilDate(year: 2026, month: 11, day: 26)!
    static func at(_ hour: Int, _ minute: Int = 0) -> Date {
        HallTime.start(of: day).addingTimeInterval(TimeInterval(hour * 3600 + minute * 60))
    }
    static let shifts = [DateInterval(start: at(8, 30), end: at(12)), DateInterval(start: at(14), end: at(17))]
    static let a = Staff(id: "D001", name: "王建国", window: 1, department: "县市场监督管理局", roles: [.clerk], post: .a)
    static let b = Staff(id: "D002", name: "李秀英", window: 1, department: "县市场监督管理局", roles: [.clerk], post: .b)
    static let only = Staff(id: "D005", name: "陈静", window: 3, department: "县人力资源和社会保障局", roles: [.clerk])

    func cover(_ people: [Staff], onPost: Set<String>, seen: Set<String>? = nil, away: [String: (kind: LeaveKind, from: Date, until: Date)] = [:],
               at now: Date) -> WindowCover {
        PostCoverCheck.cover(window: people[0].window ?? 0, people: people, onPost: onPost, seenToday: seen ?? onPost, awayNow: away, now: now, shifts: Self.shifts, graceMinutes: 5)
    }

    @Test("A on post, B covering, both away (an alert), and no alert outside the shifts: before the grace, at lunch, after hours")
    func twoPosts() {
        #expect(cover([Self.a, Self.b], onPost: ["D001"], at: Self.at(10)).state == .aOnPost)
        let bCovers = cover([Self.a, Self.b], onPost: ["D002"], away: ["D001": (.sick, Self.at(8, 30), Self.at(17))], at: Self.at(10))
        #expect(bCovers.state == .bCovers && bCovers.alert == nil)
        #expect(cover([Self.a, Self.b], onPost: [], at: Self.at(10)).alert == .bothAway)
        // On leave but seen today: still away.
        #expect(cover([Self.a, Self.b], onPost: ["D001"], away: ["D001": (.personal, Self.at(9), Self.at(12))], at: Self.at(10)).alert == .bothAway)
        for closed in [Self.at(8, 33), Self.at(13), Self.at(17, 30)] {
            let result = cover([Self.a, Self.b], onPost: [], at: closed)
            #expect(result.state == .closed && result.alert == nil, "\(HallTime.format(closed))")
        }
    }

    @Test("a window of one person: an alert only once away more than half a day")
    func onePerson() {
        // Not come yet at 10:00: uncovered, but not half a day yet.
        let morning = cover([Self.only], onPost: [], at: Self.at(10))
        #expect(morning.state == .uncovered && morning.alert == nil)
        // Not come all morning: half a day missed by the afternoon.
        #expect(cover([Self.only], onPost: [], at: Self.at(14, 30)).alert == .onePersonAwayOverHalfDay)
        // Came in the morning, tapped off post for a while in the afternoon: no alert; away on a two-hour errand: none;
        // on leave all day: an alert at once.
        #expect(cover([Self.only], onPost: [], seen: ["D005"], at: Self.at(14, 30)).alert == nil)
        #expect(cover([Self.only], onPost: [], seen: ["D005"], away: ["D005": (.businessOuting, Self.at(14), Self.at(16))], at: Self.at(14, 30)).alert == nil)
        #expect(cover([Self.only], onPost: [], away: ["D005": (.sick, Self.at(8, 30), Self.at(17))], at: Self.at(9)).alert == .onePersonAwayOverHalfDay)
    }
}
