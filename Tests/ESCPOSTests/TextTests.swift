// Display width and wrapping: Chinese takes two columns, characters are never split, punctuation stays put.
import ESCPOS
import Testing

@Suite struct TextTests {
    @Test func displayWidth() {
        #expect(ESCPOSText.displayWidth("Window 3") == 8)
        #expect(ESCPOSText.displayWidth("窗口3") == 5)
        #expect(ESCPOSText.displayWidth("，。：（）") == 10)
        #expect(ESCPOSText.displayWidth("王喆𠮷") == 6)
        #expect(ESCPOSText.displayWidth("e\u{301}") == 1)
        #expect(ESCPOSText.displayWidth("") == 0)
    }

    @Test func chineseWrapsAtTheColumnAndNeverSplitsACharacter() {
        let lines = ESCPOSText.wrap("受理通知书受理通知书", columns: 7)
        #expect(lines == ["受理通", "知书受", "理通知", "书"])
        #expect(lines.allSatisfy { ESCPOSText.displayWidth($0) <= 7 })
        #expect(lines.joined() == "受理通知书受理通知书")
    }

    @Test func latinBreaksAtSpacesAndLongWordsAreCut() {
        #expect(ESCPOSText.wrap("the quick brown fox", columns: 10) == ["the quick", "brown fox"])
        #expect(ESCPOSText.wrap("abcdefghijkl", columns: 5) == ["abcde", "fghij", "kl"])
        #expect(ESCPOSText.wrap("a  b", columns: 1) == ["a", "b"])
    }

    @Test func closingPunctuationNeverStartsALine() {
        let lines = ESCPOSText.wrap("材料齐全，予以受理。", columns: 8)
        #expect(lines == ["材料齐", "全，予以", "受理。"])
        #expect(lines.allSatisfy { !["，", "。"].contains($0.first) })
    }

    @Test func mixedTextAndExistingLineBreaks() {
        let lines = ESCPOSText.wrap("申请人：王喆 (Wang Zhe)\n\n窗口3", columns: 12)
        #expect(lines.allSatisfy { ESCPOSText.displayWidth($0) <= 12 })
        #expect(lines.first == "申请人：王喆")
        #expect(lines.suffix(2) == ["", "窗口3"])
        #expect(ESCPOSText.wrap("", columns: 10) == [""])
        #expect(ESCPOSText.wrap("𠮷", columns: 1) == ["𠮷"])
    }
}
