// The spooler's side of a rebinding: each job goes to the printer bound to its role when it is taken.
import CounterStore
import Foundation

extension PrintSpooler {
    /// The printer `configured`'s role prints on now, and the previous one's link closed when the role moved to
    /// another device. nil when the bound device cannot print at all (unknown profile, unusable address): the job
    /// then waits with the reason, as for a printer that is out of paper.
    func boundPrinter(for configured: SpooledPrinter, previous: SpooledPrinter, job: PrintJob) async -> SpooledPrinter? {
        guard let bindings else { return previous }
        switch await bindings.printer(for: configured) {
        case .success(let bound):
            if bound.device != previous.device {
                health?.follow(bound.device)
                await previous.transport.close()
                logger.notice("printer role switched to its newly bound printer", metadata: [
                    "role": "\(configured.device.role)", "from": "\(previous.label)", "to": "\(bound.label)", "job": "\(job.id)"])
            }
            return bound
        case .failure(let problem):
            do { try await wait(job, on: previous, reason: problem.description) } catch {
                logger.error("print job \(job.id) could not be put back to wait: \(error)")
            }
            return nil
        }
    }
}
