// Which printer role serves which window, from the configured devices.
import CounterConfig
import Foundation

public enum PrinterRoles {
    /// The printer role serving `window`: a printer configured for exactly that window first, else one
    /// serving several windows including it.
    public static func role(forWindow window: Int, in config: HallConfiguration) -> String? {
        let printers = config.devices.filter { $0.kind == .printer && $0.windows.contains(window) }
        return (printers.first { $0.windows == [window] } ?? printers.first)?.role
    }
}
