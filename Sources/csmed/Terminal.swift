import Foundation
import Synchronization
import Workflows

/// Writes to stdout and stderr (the only place that prints).
enum Terminal {
  static func out(_ text: String) {
    FileHandle.standardOutput.write(Data(text.utf8))
  }

  static func err(_ text: String) {
    FileHandle.standardError.write(Data(text.utf8))
  }

  static var stderrIsTTY: Bool { isatty(STDERR_FILENO) == 1 }
}

/// Renders `Progress` events as a one-line bar on stderr when it is a terminal; otherwise only
/// warnings are printed, so logs stay clean.
final class ProgressBar: Sendable {
  private struct State {
    var label = ""
    var total = 0
    var started = Date()
    var status = ""
    var done = 0
    var drawn = Date.distantPast
  }
  private let state = Mutex(State())
  private let interactive = Terminal.stderrIsTTY

  var handler: ProgressHandler {
    { [self] event in self.handle(event) }
  }

  private func handle(_ event: WorkProgress) {
    switch event {
    case .started(let label, let total):
      state.withLock { $0 = State(label: label, total: total, started: Date()) }
      if interactive { Terminal.err("\r\u{1B}[K\(label) ...") }
    case .advanced(let done):
      state.withLock { $0.done = done }
      draw()
    case .status(let text):
      state.withLock { $0.status = text }
      draw()
    case .note(let message):
      Terminal.err((interactive ? "\r\u{1B}[K" : "") + message + "\n")
      draw()
    case .warning(let message):
      Terminal.err((interactive ? "\r\u{1B}[K" : "") + "warning: \(message)\n")
    case .finished:
      if interactive { Terminal.err("\r\u{1B}[K") }
    }
  }

  private func draw() {
      guard interactive else { return }
      // At most ten redraws a second: a simulation reports every one of thousands of queries.
      let now = Date()
      let snapshot: (String, Int, Date, Int, String)? = state.withLock {
        guard now.timeIntervalSince($0.drawn) >= 0.1 || $0.done >= $0.total else { return nil }
        $0.drawn = now
        return ($0.label, $0.total, $0.started, $0.done, $0.status)
      }
      guard let (label, total, started, done, status) = snapshot, total > 0 else { return }
      let width = 30
      let filled = min(width, done * width / total)
      let elapsed = now.timeIntervalSince(started)
      let eta = done > 0 ? elapsed / Double(done) * Double(total - done) : 0
      let bar = String(repeating: "█", count: filled) + String(repeating: "░", count: width - filled)
      Terminal.err(String(format: "\r\u{1B}[K%@ %@ %d/%d  ETA %.0fs  %@", label, bar, done, total, eta, status))
  }
}

/// Ctrl-C and SIGTERM end the process with 130/143. Work that writes (build, train) writes to
/// temporary files renamed into place at the end, so stopping here leaves earlier results intact;
/// the next run removes the temporary files a stopped one left.
func installInterruptHandlers() -> [any DispatchSourceSignal] {
  [(SIGINT, Int32(130)), (SIGTERM, Int32(143))].map { signalNumber, status in
    signal(signalNumber, SIG_IGN)
    let source = DispatchSource.makeSignalSource(signal: signalNumber, queue: .global())
    source.setEventHandler {
      Terminal.err("\ninterrupted: nothing was replaced\n")
      exit(status)
    }
    source.resume()
    return source
  }
}
