// A push terminal's backup, from the gateway's copy of its users: one conversion for the gateway's scheduled backup
// and the CLI's `terminal backup --output` (the CLI's own copy lost cards the firmware writes in hex).
import CounterStore
import Foundation
import Testing
import ZKTerminal
@testable import Gateway

@Suite struct PushBackupContentsTests {
    @Test("users numbered in order, cards in decimal and in [hex], templates linked to their user")
    func contents() {
        let users = [PushStoredUser(pin: "1", name: "王建国", privilege: 0, password: "", card: "4215371", group: "1", timeZone: "0"),
                     PushStoredUser(pin: "2", name: "李秀英", privilege: 14, password: "", card: "[40523B]", group: "1", timeZone: "0"),
                     PushStoredUser(pin: "3", name: "张伟", privilege: 0, password: "", card: "", group: "1", timeZone: "0")]
        let templates = [PushStoredTemplate(pin: "2", finger: 6, valid: 1, template: Data([1, 2, 3])),
                         PushStoredTemplate(pin: "9", finger: 0, valid: 1, template: Data([4]))]
        let (zkUsers, zkTemplates) = PushTerminalCopy.backupContents(users: users, templates: templates)
        #expect(zkUsers.map(\.uid) == [1, 2, 3])
        #expect(zkUsers.map(\.card) == [4_215_371, 0x40523B, 0])
        #expect(zkTemplates.map(\.uid) == [2] && zkTemplates.first?.fingerIndex == 6)
    }
}
