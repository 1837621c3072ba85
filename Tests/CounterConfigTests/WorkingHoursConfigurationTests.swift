// `[hours]`: the hall's timetables, the judging limits, and overrides for windows and people; mistakes at their line.
import CounterConfig
import CounterCore
import Testing

@Suite struct WorkingHoursConfigurationTests {
    static let windows = """
        [[window]]
        number = 1
        department = "县市场监督管理局"

        [[window]]
        number = 3
        department = "县人力资源和社会保障局"

        """

    @Test("no [hours]: the standard hours (winter afternoons 14:00-17:00, summer 14:30-17:30, 5 minutes' grace)")
    func standard() throws {
        let config = try HallConfiguration.parse(text: Self.windows, file: "hall.toml", baseDirectory: "/tmp", driverRoots: [])
        #expect(config.hours == .standard)
        let winter = config.hours.hall.shifts(on: CivilDate(year: 2026, month: 11, day: 26)!)
        #expect(winter.map { "\($0.start)-\($0.end)" } == ["08:30-12:00", "14:00-17:00"])
        #expect(config.hours.hall.shifts(on: CivilDate(year: 2026, month: 7, day: 1)!).last?.start.description == "14:30")
    }

    @Test("a hall's timetables and limits, a window with its own grace, a person with their own hours")
    func overrides() throws {
        let config = try HallConfiguration.parse(text: Self.windows + """
            [hours]
            grace_late_minutes = 3
            absent_after_minutes = 60

            [[hours.timetable]]
            name = "全年"
            starts = "01-01"
            shifts = ["09:00-12:00", "13:30-17:30"]

            [[hours.override]]
            windows = [3]
            grace_late_minutes = 10

            [[hours.override]]
            staff = ["D005"]

            [[hours.override.timetable]]
            name = "半天"
            shifts = ["09:00-12:00"]
            """, file: "hall.toml", baseDirectory: "/tmp", driverRoots: [])
        let day = CivilDate(year: 2026, month: 11, day: 26)!
        #expect(config.hours.hall.graceLateMinutes == 3 && config.hours.hall.absentAfterMinutes == 60)
        #expect(config.hours.hall.shifts(on: day).map(\.start.description) == ["09:00", "13:30"])
        let window3 = config.hours.hours(staffID: "D006", window: 3)
        #expect(window3.graceLateMinutes == 10 && window3.shifts(on: day).count == 2)
        #expect(config.hours.hours(staffID: "D005", window: 3).shifts(on: day).map(\.name) == ["第1段"])
        #expect(config.hours.hours(staffID: "D001", window: 1) == config.hours.hall)
    }

    @Test("mistakes are reported at their line: a shift that is no shift, overlapping shifts, a window twice, whose hours unclear")
    func mistakes() {
        do {
            _ = try HallConfiguration.parse(text: Self.windows + """
                [[hours.timetable]]
                name = "全年"
                shifts = ["09:00-12:00", "11:00-17:30"]

                [[hours.override]]
                windows = [3]

                [[hours.override]]
                windows = [3, 9]

                [[hours.override]]
                grace_late_minutes = 1

                [[hours.override]]
                staff = ["D005"]

                [[hours.override.timetable]]
                name = "x"
                starts = "13-40"
                shifts = ["9点-12点"]
                """, file: "hall.toml", baseDirectory: "/tmp", driverRoots: [])
            Issue.record("broken hours were accepted")
        } catch {
            let text = "\(error)"
            #expect(text.contains("hall.toml:8: key `hours.timetable`: shifts 上午 and 下午 of timetable 全年 overlap"), "\(text)")
            #expect(text.contains("hall.toml:16: key `hours.override[2].windows`: window 3 already has its hours at line 12"), "\(text)")
            #expect(text.contains("\"9点-12点\" is not a shift"), "\(text)")
            #expect(!text.contains("is not a setting CounterGate knows"), "\(text)")
            #expect(text.contains("window 9 is not configured"), "\(text)")
            #expect(text.contains("either `windows` or `staff`"), "\(text)")
            #expect(text.contains("\"13-40\" is not a month and day"), "\(text)")
        }
    }
}
