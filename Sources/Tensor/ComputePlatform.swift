import CKernels
import COpenBLAS
import Foundation

/// What decides the last bits of a float result on this machine: the CPU, the CKernels variant
/// (GELU, softmax's exp) and the OpenBLAS kernel (GEMM). Two runs agree bit for bit only when
/// all three agree and the work is batched the same; results record it so a figure says where
/// it was measured.
public struct ComputePlatform: Sendable, Codable, Equatable, CustomStringConvertible {
  /// The CPU's model name (`/proc/cpuinfo`), or "unknown CPU".
  public var cpu: String
  /// The CKernels variant in use: "avx512", "avx2" or "baseline".
  public var kernels: String
  /// The OpenBLAS core its dispatcher chose (e.g. "Zen", "Haswell", "SkylakeX").
  public var openBLASCore: String

  public init(cpu: String, kernels: String, openBLASCore: String) {
    self.cpu = cpu
    self.kernels = kernels
    self.openBLASCore = openBLASCore
  }

  /// This process's platform.
  public static let current = ComputePlatform(
    cpu: cpuModel(), kernels: String(cString: csmed_kernels_isa()),
    openBLASCore: openblas_get_corename().map { String(cString: $0) } ?? "unknown")

  /// The CKernels variants this CPU runs, narrowest first; `CSMED_KERNELS` may force any of them.
  public static let kernelVariants: [String] = ["baseline", "avx2", "avx512"].filter { csmed_kernels_variant($0) != nil }

  /// The value of `CSMED_KERNELS` when it names a variant this CPU cannot run (the widest it
  /// can is used instead), else nil.
  public static var unmetKernelRequest: String? { csmed_kernels_unmet_request().map { String(cString: $0) } }

  public var description: String { "\(cpu), CKernels \(kernels), OpenBLAS \(openBLASCore)" }

  /// The first processor's `model name` of `/proc/cpuinfo` with its family and model numbers
  /// (virtual machines often say only "AMD EPYC"; family 25 model 1 is Zen 3, model 17 Zen 4);
  /// other systems report "unknown CPU".
  static func cpuModel() -> String {
    guard let text = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8) else { return "unknown CPU" }
    var fields: [String: String] = [:]
    for line in text.split(separator: "\n") {
      if line.trimmingCharacters(in: .whitespaces).isEmpty { break }  // the first processor only
      guard let colon = line.firstIndex(of: ":") else { continue }
      let key = line[..<colon].trimmingCharacters(in: .whitespaces)
      if fields[key] == nil { fields[key] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces) }
    }
    guard let name = fields["model name"] else { return "unknown CPU" }
    guard let family = fields["cpu family"], let model = fields["model"] else { return name }
    return "\(name), family \(family) model \(model)"
  }
}
