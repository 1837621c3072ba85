// Which font A4 notices are set in: `[printing] pdf_font`, or the first of the usual Chinese TrueType fonts installed.
// A font is read once per process and kept: the file is megabytes, a notice needs a few kilobytes of it.
import Foundation
import Synchronization

/// Finds and loads the font for PDF notices.
public enum NoticePDFFonts {
    /// Where Debian and Ubuntu install TrueType (glyf) Chinese fonts, tried in order when no font is configured.
    /// Noto CJK is not among them: its files have CFF outlines, which CounterGate does not subset.
    public static let searchList = [
        "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
        "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
        "/usr/share/fonts/truetype/arphic/uming.ttc",
        "/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf",
    ]

    private static let cache = Mutex<[String: TrueTypeFont]>([:])

    /// The font file to use: `configured` when set (it must exist), else the first of ``searchList`` present.
    /// - Throws: ``FontError`` naming the configured file, or the files looked for, and what to install.
    public static func locate(configured: String?, searchList: [String] = NoticePDFFonts.searchList) throws(FontError) -> String {
        let fm = FileManager.default
        if let configured, !configured.isEmpty {
            guard fm.fileExists(atPath: configured) else {
                throw FontError(file: configured, problem: "(set as [printing] pdf_font) does not exist",
                                advice: "correct the path, or remove pdf_font to use an installed Chinese font (apt-get install fonts-wqy-microhei)")
            }
            return configured
        }
        guard let found = searchList.first(where: { fm.fileExists(atPath: $0) }) else {
            throw FontError(file: searchList.first ?? "(none)", problem: "is not installed, nor any other Chinese TrueType font CounterGate looks for (\(searchList.joined(separator: ", ")))")
        }
        return found
    }

    /// The font for PDF notices, read once and then kept.
    /// - Parameter configured: `[printing] pdf_font`, or nil for the search list.
    /// - Throws: ``FontError`` when the file is missing, damaged, not TrueType, or has no Chinese characters.
    public static func load(configured: String?, searchList: [String] = NoticePDFFonts.searchList) throws(FontError) -> TrueTypeFont {
        let path = try locate(configured: configured, searchList: searchList)
        if let known = cache.withLock({ $0[path] }) { return known }
        let font = try TrueTypeFont(path: path)
        guard font.coversChinese else {
            throw FontError(file: path, problem: "has no Chinese characters (中文通知书 are missing from it)",
                            advice: "set [printing] pdf_font to a Chinese TrueType font, e.g. /usr/share/fonts/truetype/wqy/wqy-microhei.ttc (apt-get install fonts-wqy-microhei)")
        }
        cache.withLock { $0[path] = font }
        return font
    }
}
