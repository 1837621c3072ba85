// The demo hall's people, loaded into an empty store by `countergate demo` (made-up names, not real staff).
import CounterConfig
import CounterCore
import CounterStore
import Foundation

public enum DemoHall {
    /// A staff list in the import format, for the demo's three windows.
    public static let staffCSV = """
        staff_id,name,window,department,roles,terminal_user_id,post
        D001,王建国,1,县市场监督管理局,clerk|window-lead,1,A
        D002,李秀英,1,县市场监督管理局,clerk,2,B
        D003,张伟,2,县自然资源局,clerk|window-lead,3,A
        D004,刘芳,2,县自然资源局,clerk,4,B
        D005,陈静,3,县人力资源和社会保障局,clerk,5,A
        D006,杨磊,3,县人力资源和社会保障局,clerk,6,B
        D007,赵敏,,县政务服务中心,duty-chief|inspection,7,
        D008,孙强,,县政务服务中心,ops,8,
        D009,周洁,,县政务服务中心,duty-chief,9,
        D010,郑主任,,县政务服务中心,leader,10,

        """

    /// The demo windows' items (事项目录), in the import format; `countergate demo` imports it into an empty catalogue.
    public static let catalogueCSV = """
        窗口,事项名称,承诺时限,申请材料,联办部门
        1,食品经营许可(新办),5,营业执照副本复印件；法定代表人身份证明；食品安全管理制度文本；经营场所使用证明,
        1,开办餐饮店(一件事),10,营业执照副本复印件；食品经营许可申请书；消防安全检查申请表,县市场监督管理局；县消防救援大队
        2,不动产登记(转移),7,不动产权证书；身份证明；转移合同(协议),
        3,社会保障卡补办,3,身份证明；近期一寸免冠照片,

        """

    /// Loads the demo staff when the store has nobody yet; returns how many were added.
    @discardableResult
    public static func seedIfEmpty(store: HallStore, config: HallConfiguration, clock: any HallClock) async throws -> Int {
        guard try await store.staff().isEmpty else { return 0 }
        let rows = try StaffList.parse(staffCSV, windows: Set(config.windows.map(\.number)))
        return try await store.importStaff(rows, actor: "demo", at: clock.now()).added
    }
}
