// The hall's status page (Chinese): windows, staff on file, attendance mode, the next notice number, devices.
import CounterConfig
import CounterCore
import CounterStore
import Foundation

enum StatusPage {
    static func render(config: HallConfiguration, store: HallStore, clock: any HallClock) async throws -> String {
        let now = clock.now()
        let today = CivilDate(now)
        let staff = try await store.staff()
        let modes = try await store.attendanceModes()
        let next = try await store.peekNoticeNumber(year: today.year, format: config.noticeNumberFormat)
        let calendar = try config.calendar()
        let dayText: String
        switch try? calendar.kind(of: today) {
        case .workday?: dayText = "工作日"
        case .makeUpWorkday(let name)?: dayText = "调休上班(\(name))"
        case .holiday(let name)?: dayText = "法定节假日(\(name))"
        case .weekend?: dayText = "休息日"
        case nil: dayText = "无\(today.year)年节假日安排数据,请运维人员补充"
        }
        let fallbackRoles = modes.filter { $0.value.mode == "sign-in" }.map(\.key).sorted()
        let modeText = fallbackRoles.isEmpty ? "正常考勤(指纹)" : "签到考勤:" + fallbackRoles.joined(separator: "、")
        var deviceRows = ""
        for device in try await store.deviceHealth() {
            let power = switch device.power { case .online: "在线"; case .offline: "离线"; case .unknown: "未知" }
            let state = switch device.operational { case .idle: "空闲"; case .busy: "忙"; case .error(let reason): "故障:" + reason }
            deviceRows += "<tr><td>\(device.kind.chineseName)</td><td>\(escape(device.role ?? "(未绑定)"))</td><td>\(escape(device.id))</td>"
                + "<td>\(power)</td><td>\(escape(state))</td></tr>\n"
        }
        var rows = ""
        for window in config.windows {
            let people = staff.filter { $0.window == window.number }
                .map { escape($0.name) + ($0.post.map { "(\($0.rawValue)岗)" } ?? "") }.joined(separator: "、")
            rows += "<tr><td>\(window.chineseLabel)</td><td>\(escape(window.name))</td><td>\(escape(window.department))</td><td>\(people.isEmpty ? "—" : people)</td></tr>\n"
        }
        return """
        <!doctype html>
        <html lang="zh-CN"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
        <title>\(escape(config.hall.name)) · CounterGate</title>
        <style>body{font-family:"Noto Sans CJK SC","Microsoft YaHei",sans-serif;margin:2em;color:#222}
        table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:.4em .8em}th{background:#f3f3f3}</style></head>
        <body><h1>\(escape(config.hall.name))</h1>
        <p>今天:\(today.chineseText) \(today.chineseWeekday),\(dayText)</p>
        <p>考勤方式:\(escape(modeText))</p>
        <p>下一个通知书编号:\(escape(next))</p>
        <table><tr><th>窗口</th><th>名称</th><th>派驻单位</th><th>人员</th></tr>
        \(rows)</table>
        <p>在册人员 \(staff.count) 人。</p>
        <p><a href="/pages">工作页面</a>:窗口通知书、签到、值班长确认、设备运维(需接口令牌)</p>
        <h2>设备</h2>
        <table><tr><th>类别</th><th>角色</th><th>设备</th><th>连接</th><th>状态</th></tr>
        \(deviceRows.isEmpty ? "<tr><td colspan=\"5\">未配置设备</td></tr>" : deviceRows)</table>
        </body></html>
        """
    }

    static func escape(_ s: String) -> String {
        s.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
    }
}
