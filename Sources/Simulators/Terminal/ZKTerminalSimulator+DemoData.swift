// TEST FAKE data for the terminal simulator: a few enrolled staff with Chinese names and a deterministic
// attendance log of any size.
import CounterCore
import ZKTerminal

extension ZKTerminalSimulator {
    /// Eight users with Chinese names (GB18030 on the wire), user ids "1"..."8" in uid slots 1-8; user 1 is the
    /// terminal's administrator.
    public static func demoUsers() -> [ZKUser] {
        let names = ["张伟", "王芳", "李娜", "刘洋", "陈静", "杨磊", "赵敏", "欧阳晓明"]
        return names.enumerated().map { i, name in
            ZKUser(uid: UInt16(i + 1), privilege: i == 0 ? 14 : 0, name: name, card: i % 2 == 0 ? UInt32(1_000_100 + i) : 0,
                   userID: String(i + 1))
        }
    }

    /// `count` attendance records, the same for the same arguments: each user punches in (state 0) around 08:15-09:05,
    /// out for lunch (2) and back (3) around noon (now and then skipped), and out (1) around 17:30-18:30, Monday to
    /// Friday, from the day of `start` on (nothing before `start`). Mostly fingerprint (verify type 1), some face (15)
    /// and card (4). The (user, time) pairs are distinct and the log is in time order, as a terminal keeps it.
    /// Stops early, with fewer records, if the log would run past 2099 (the packed time cannot go further).
    public static func generatedRecords(count: Int, users: [ZKUser] = demoUsers(), start: ZKLocalTime, seed: UInt64) -> [ZKAttendanceRecord] {
        let staff = users.isEmpty ? demoUsers() : users
        var random = SimulatorRandom(seed: seed)
        var records: [ZKAttendanceRecord] = []
        records.reserveCapacity(max(0, count))
        // (state, earliest minute of the day, window in minutes, may be skipped)
        let slots: [(state: UInt8, from: Int, window: Int, optional: Bool)] = [
            (0, 8 * 60 + 15, 50, false), (2, 12 * 60, 20, true), (3, 13 * 60 + 20, 25, true), (1, 17 * 60 + 30, 60, false),
        ]
        // The core's calendar date does the stepping (a start that is not a real day begins the next month).
        var day = CivilDate(year: start.year, month: start.month, day: start.day)
            ?? CivilDate(year: start.year + (start.month >= 12 ? 1 : 0), month: start.month % 12 + 1, day: 1)!
        while records.count < count, day.year <= 2099 {
            defer { day = day.adding(days: 1) }
            guard !day.isWeekend else { continue }
            var punches: [ZKAttendanceRecord] = []
            for user in staff {
                let skipsLunch = Int.random(in: 0..<20, using: &random) == 0
                for slot in slots where !(slot.optional && skipsLunch) {
                    let minute = slot.from + Int.random(in: 0..<slot.window, using: &random)
                    let time = ZKLocalTime(year: day.year, month: day.month, day: day.day, hour: minute / 60, minute: minute % 60,
                                           second: Int.random(in: 0..<60, using: &random))
                    let roll = Int.random(in: 0..<20, using: &random)
                    let verify: UInt8 = roll < 17 ? 1 : (roll < 19 ? 15 : 4)
                    punches.append(ZKAttendanceRecord(uid: user.uid, userID: user.userID, time: time, verifyType: verify, state: slot.state))
                }
            }
            punches.sort { ($0.time, $0.uid ?? 0) < ($1.time, $1.uid ?? 0) }
            for punch in punches where punch.time >= start && records.count < count { records.append(punch) }
        }
        return records
    }
}
