// Glyphs from a CJK font on the gateway, drawn by FreeType and cut to black and white: the one impure part of raster text.
import CFreeType
import Foundation
import Synchronization

/// One character drawn in black and white: `width` × `height` dots, one byte a dot (1 black, 0 white), top row
/// first, placed against the pen position and the baseline as FreeType places it.
public struct RasterGlyph: Sendable, Hashable {
    /// Columns and rows of ``ink``.
    public let width: Int
    public let height: Int
    /// Dots from the pen position to the leftmost column (FreeType's `bitmap_left`).
    public let left: Int
    /// Dots from the baseline up to the top row (FreeType's `bitmap_top`).
    public let top: Int
    /// How far the pen moves after this character, in dots.
    public let advance: Int
    /// `width × height` bytes, row by row: 1 for a black dot.
    public let ink: [UInt8]

    /// A glyph as drawn (``GlyphRasterizer``) or made by a test; `ink` must hold `width × height` bytes.
    public init(width: Int, height: Int, left: Int, top: Int, advance: Int, ink: [UInt8]) {
        self.width = width
        self.height = height
        self.left = left
        self.top = top
        self.advance = advance
        self.ink = ink
    }
}

/// Where raster lines get their glyphs from. ``GlyphRasterizer`` draws them with FreeType; tests may give fixed ones.
public protocol GlyphSource: Sendable {
    /// `scalar` drawn `pixelSize` dots high (the em square), or nil when no font of the source has it.
    func glyph(for scalar: Unicode.Scalar, pixelSize: Int) -> RasterGlyph?
}

/// Draws characters from CJK font files with FreeType (libfreetype), black where a dot is at least half covered:
/// a hard threshold, no dithering, so strokes stay sharp on a thermal head.
///
/// Glyphs come from outlines (embedded bitmaps ignored: `FT_LOAD_NO_BITMAP`), FreeType's default hinting, rendered
/// in 8-bit coverage (`FT_RENDER_MODE_NORMAL`); a dot prints where the coverage is 128 or more. A character missing
/// from the first font is looked for in the next. Every font must have Chinese (draw 受), or it is refused.
///
/// FreeType's library and faces are not thread-safe; they are used under one lock, and drawn glyphs are kept (a
/// notice repeats most of its characters, a hall most of its notices). One rasterizer serves the whole process
/// for each list of fonts: ``shared(fonts:profile:)``.
public final class GlyphRasterizer: GlyphSource {
    /// The font files in use, in the order glyphs are looked for.
    public let files: [String]

    private struct Key: Hashable {
        let scalar: UInt32
        let pixelSize: Int
    }

    /// FreeType's state: only touched under the lock.
    private struct State: ~Copyable {
        var library: FT_Library?
        var faces: [FT_Face]
        var cache: [Key: RasterGlyph?] = [:]
        var size = 0

        deinit {
            for face in faces { FT_Done_Face(face) }
            if let library { FT_Done_FreeType(library) }
        }
    }

    private let state: Mutex<State>

    /// Opens `files` (all of them must exist and be CJK fonts).
    /// - Throws: ``ESCPOSError/unusableRasterFont(file:reason:)`` naming the first file that is missing, unreadable
    ///   or has no Chinese.
    public init(files: [String]) throws(ESCPOSError) {
        guard !files.isEmpty else { throw .unusableRasterFont(file: "(none)", reason: "was not given: no font file is named") }
        var library: FT_Library?
        guard FT_Init_FreeType(&library) == 0, let library else {
            throw .unusableRasterFont(file: files[0], reason: "cannot be opened: FreeType failed to start")
        }
        var faces: [FT_Face] = []
        for file in files {
            let face: FT_Face
            do { face = try Self.openFace(file, library: library) } catch {
                for face in faces { FT_Done_Face(face) }
                FT_Done_FreeType(library)
                throw error
            }
            faces.append(face)
        }
        self.files = files
        state = Mutex(State(library: library, faces: faces))
    }

    /// Opens one font file, choosing the Simplified Chinese face of a collection (Noto Sans CJK's `.ttc` holds the
    /// Japanese, Korean, Simplified and Traditional faces; their 门, 骨, 过 differ), and checks it draws 受.
    private static func openFace(_ file: String, library: FT_Library) throws(ESCPOSError) -> FT_Face {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: file, isDirectory: &isDirectory) else {
            throw .unusableRasterFont(file: file, reason: "does not exist")
        }
        guard !isDirectory.boolValue else { throw .unusableRasterFont(file: file, reason: "is a directory, not a font file") }
        guard FileManager.default.isReadableFile(atPath: file) else {
            throw .unusableRasterFont(file: file, reason: "cannot be read by uid \(getuid())")
        }
        var first: FT_Face?
        guard FT_New_Face(library, file, 0, &first) == 0, let first else {
            throw .unusableRasterFont(file: file, reason: "is not a font FreeType can read (TrueType, OpenType or a .ttc collection)")
        }
        var chosen = first
        let count = first.pointee.num_faces
        if count > 1, !familyName(first).hasSuffix(" SC") {
            for index in 1..<min(count, 64) {
                var other: FT_Face?
                guard FT_New_Face(library, file, index, &other) == 0, let other else { continue }
                if familyName(other).hasSuffix(" SC") {
                    FT_Done_Face(first)
                    chosen = other
                    break
                }
                FT_Done_Face(other)
            }
        }
        // 受 (U+53D7), as in 受理通知书: a font without it cannot print a notice.
        guard FT_Get_Char_Index(chosen, 0x53D7) != 0 else {
            let family = familyName(chosen)
            FT_Done_Face(chosen)
            throw .unusableRasterFont(file: file, reason: "(\(family)) is not a Chinese font: it cannot draw 受 (U+53D7)")
        }
        return chosen
    }

    private static func familyName(_ face: FT_Face) -> String {
        face.pointee.family_name.map { String(cString: $0) } ?? "unnamed"
    }

    /// The family names of the faces in use, in order (e.g. "Noto Sans CJK SC").
    public var families: [String] {
        state.withLock { state in state.faces.map(Self.familyName) }
    }

    public func glyph(for scalar: Unicode.Scalar, pixelSize: Int) -> RasterGlyph? {
        let key = Key(scalar: scalar.value, pixelSize: pixelSize)
        return state.withLock { state -> RasterGlyph? in
            if let known = state.cache[key] { return known }
            let drawn = Self.draw(scalar.value, pixelSize: pixelSize, state: &state)
            state.cache[key] = .some(drawn)
            return drawn
        }
    }

    /// Draws a character with the first face that has it.
    private static func draw(_ code: UInt32, pixelSize: Int, state: inout State) -> RasterGlyph? {
        guard pixelSize > 0, pixelSize <= 1024 else { return nil }
        for face in state.faces {
            let index = FT_Get_Char_Index(face, FT_ULong(code))
            guard index != 0 else { continue }
            guard FT_Set_Pixel_Sizes(face, 0, FT_UInt(pixelSize)) == 0,
                  FT_Load_Glyph(face, index, countergate_ft_load_default | countergate_ft_load_no_bitmap) == 0,
                  let slot = face.pointee.glyph,
                  FT_Render_Glyph(slot, FT_RENDER_MODE_NORMAL) == 0 else { continue }
            return threshold(slot.pointee)
        }
        return nil
    }

    /// The rendered coverage cut at half: 128 and more prints.
    private static func threshold(_ slot: FT_GlyphSlotRec) -> RasterGlyph {
        let bitmap = slot.bitmap
        let width = Int(bitmap.width), height = Int(bitmap.rows), pitch = Int(bitmap.pitch)
        var ink = [UInt8](repeating: 0, count: width * height)
        if let buffer = bitmap.buffer, width > 0, height > 0 {
            let mono = bitmap.pixel_mode == UInt8(FT_PIXEL_MODE_MONO.rawValue)
            for y in 0..<height {
                // A negative pitch means rows go bottom-up in memory.
                let row = buffer + (pitch >= 0 ? y * pitch : (height - 1 - y) * -pitch)
                for x in 0..<width {
                    let black = mono ? (row[x >> 3] & (0x80 >> UInt8(x & 7))) != 0 : row[x] >= 128
                    if black { ink[y * width + x] = 1 }
                }
            }
        }
        return RasterGlyph(width: width, height: height, left: Int(slot.bitmap_left), top: Int(slot.bitmap_top),
                           advance: Int((slot.advance.x + 32) >> 6), ink: ink)
    }

    // MARK: Choosing the fonts

    /// The font files a printer draws raster text with: `override` (the configuration's `[printing] raster_font`)
    /// when set, which must exist; else the profile's `raster_fonts` that exist, in order.
    /// - Throws: ``ESCPOSError/unusableRasterFont(file:reason:)`` for a missing override,
    ///   ``ESCPOSError/noRasterFont(tried:profile:)`` when none of the profile's files exists.
    public static func fontFiles(for profile: PrinterProfile, override: String?) throws(ESCPOSError) -> [String] {
        if let override, !override.isEmpty {
            guard FileManager.default.fileExists(atPath: override) else {
                throw .unusableRasterFont(file: override, reason: "(set by [printing] raster_font) does not exist")
            }
            return [override]
        }
        let present = profile.rasterFonts.filter { FileManager.default.fileExists(atPath: $0) }
        guard !present.isEmpty else { throw .noRasterFont(tried: profile.rasterFonts, profile: profile.id) }
        return present
    }

    private static let opened = Mutex<[[String]: GlyphRasterizer]>([:])

    /// The process' rasterizer for `profile` (see ``fontFiles(for:override:)``), opened once and kept: glyphs drawn
    /// for one notice serve the next.
    public static func shared(profile: PrinterProfile, override: String?) throws(ESCPOSError) -> GlyphRasterizer {
        let files = try fontFiles(for: profile, override: override)
        if let known = opened.withLock({ $0[files] }) { return known }
        let made = try GlyphRasterizer(files: files)
        return opened.withLock { opened in
            if let raced = opened[files] { return raced }
            opened[files] = made
            return made
        }
    }
}
