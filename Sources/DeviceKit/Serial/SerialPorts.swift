// Serial ports a reader or printer may be on: USB serial adapters first, then the board's own ports.
import Foundation

public enum SerialPorts {
    /// Serial device nodes present under `devRoot` (`/dev`), USB adapters (ttyUSB, ttyACM) before ttyS.
    /// ttyS nodes exist on most PCs whether a port is wired or not, so only the first four are listed.
    public static func scan(devRoot: String = "/dev") -> [String] {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: devRoot) else { return [] }
        let usb = names.filter { $0.hasPrefix("ttyUSB") || $0.hasPrefix("ttyACM") }.sorted()
        let board = names.filter { $0.hasPrefix("ttyS") }.sorted { (Int($0.dropFirst(4)) ?? 0) < (Int($1.dropFirst(4)) ?? 0) }.prefix(4)
        return (usb + board).map { devRoot + "/" + $0 }
    }
}
