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
            await switchTo(bound, from: previous, role: configured.device.role, for: "job \(job.id)")
            return bound
        case .failure(let problem):
            do { try await wait(job, on: previous, reason: problem.description) } catch {
                logger.error("print job \(job.id) could not be put back to wait: \(error)")
            }
            return nil
        }
    }

    /// The printer an idle role's status check asks: the one bound now. Without this an idle role rebound to a new
    /// printer kept asking the old, failed one (and showed offline, the new printer unknown) until a job came.
    /// Unchanged when the bound device cannot print at all: the next job waits with the reason.
    func statusPrinter(for configured: SpooledPrinter, previous: SpooledPrinter) async -> SpooledPrinter {
        guard let bindings, case .success(let bound) = await bindings.printer(for: configured) else { return previous }
        await switchTo(bound, from: previous, role: configured.device.role, for: "status check")
        return bound
    }

    /// Moves the role's health and link from `previous` to `bound` when they differ.
    private func switchTo(_ bound: SpooledPrinter, from previous: SpooledPrinter, role: String, for reason: String) async {
        guard bound.device != previous.device else { return }
        health?.follow(bound.device)
        await previous.transport.close()
        logger.notice("printer role switched to its newly bound printer", metadata: [
            "role": "\(role)", "from": "\(previous.label)", "to": "\(bound.label)", "for": "\(reason)"])
    }
}
