import Foundation
import Tensor

/// How the optimizer treats one parameter tensor.
public enum ParameterGroup: String, Sendable, Equatable, Codable {
  /// AdamW with decoupled weight decay.
  case decay
  /// AdamW without weight decay (biases, LayerNorm parameters).
  case noDecay
  /// Not updated, no optimizer state, excluded from the gradient norm.
  case frozen

  /// The usual rule (Hugging Face's `no_decay = ["bias", "LayerNorm.weight"]`): names ending in
  /// `bias` or containing `norm` (any case) are ``noDecay``, everything else ``decay``.
  @Sendable public static func standard(_ name: String) -> ParameterGroup {
    let lower = name.lowercased()
    return lower.hasSuffix("bias") || lower.contains("norm") ? .noDecay : .decay
  }
}

/// Linear warm-up from 0 to `peak` over `warmupSteps`, then linear decay to 0 at `totalSteps`
/// (Hugging Face `get_linear_schedule_with_warmup`).
public struct LinearWarmupSchedule: Sendable, Equatable, Codable {
  public var peak: Double
  public var warmupSteps: Int
  public var totalSteps: Int

  public init(peak: Double, warmupSteps: Int, totalSteps: Int) {
    precondition(warmupSteps >= 0 && totalSteps >= warmupSteps, "warm-up \(warmupSteps), total \(totalSteps)")
    self.peak = peak
    self.warmupSteps = warmupSteps
    self.totalSteps = totalSteps
  }

  /// The learning rate of update number `step` (0-based: the first update uses `step = 0`, as
  /// the PyTorch scheduler does, so with a warm-up the first update has rate 0):
  /// `peak · step / warmup` for `step < warmup`, then
  /// `peak · max(0, (total − step) / max(1, total − warmup))`.
  public func learningRate(step: Int) -> Double {
    if step < warmupSteps { return peak * Double(step) / Double(max(1, warmupSteps)) }
    return peak * max(0, Double(totalSteps - step) / Double(max(1, totalSteps - warmupSteps)))
  }
}

/// AdamW hyperparameters (PyTorch `torch.optim.AdamW` defaults except the weight decay).
public struct AdamWHyperparameters: Sendable, Equatable, Codable {
  public var beta1: Double
  public var beta2: Double
  public var epsilon: Double
  public var weightDecay: Double
  /// Clip gradients to this global L2 norm (over all non-frozen tensors) before the update; nil: no clipping.
  public var maxGradientNorm: Double?

  public init(
    beta1: Double = 0.9, beta2: Double = 0.999, epsilon: Double = 1e-8, weightDecay: Double = 0.01,
    maxGradientNorm: Double? = 1.0
  ) {
    self.beta1 = beta1
    self.beta2 = beta2
    self.epsilon = epsilon
    self.weightDecay = weightDecay
    self.maxGradientNorm = maxGradientNorm
  }
}

/// AdamW (Loshchilov & Hutter) with PyTorch's arithmetic, per tensor:
///
///     θ ← θ · (1 − lr · λ)                      (decay group only)
///     m ← m + (1 − β1)(g − m);  v ← β2 v + (1 − β2) g²
///     θ ← θ − (lr / (1 − β1ᵗ)) · m / (√v / √(1 − β2ᵗ) + ε)
///
/// with `t` the 1-based step count and `lr = schedule.learningRate(step: t − 1)`. Gradients are
/// first scaled by `min(1, maxNorm / (‖g‖ + 1e-6))` (`torch.nn.utils.clip_grad_norm_`).
/// Sequential and deterministic.
public struct AdamW<Scalar: BLASScalar>: Sendable {
  public var hyperparameters: AdamWHyperparameters
  public var schedule: LinearWarmupSchedule
  /// The group of each parameter by its name (see ``ParameterGroup/standard(_:)``).
  public var group: @Sendable (String) -> ParameterGroup
  /// Completed optimizer steps.
  public internal(set) var stepCount = 0
  /// First moments by parameter name (created at a tensor's first update).
  public internal(set) var firstMoments: [String: [Scalar]] = [:]
  /// Second moments by parameter name.
  public internal(set) var secondMoments: [String: [Scalar]] = [:]

  public init(
    hyperparameters: AdamWHyperparameters = AdamWHyperparameters(), schedule: LinearWarmupSchedule,
    group: @escaping @Sendable (String) -> ParameterGroup = ParameterGroup.standard
  ) {
    self.hyperparameters = hyperparameters
    self.schedule = schedule
    self.group = group
  }

  /// Restores the state of a checkpoint.
  public mutating func restore(
    firstMoments: [String: [Scalar]], secondMoments: [String: [Scalar]], stepCount: Int, schedule: LinearWarmupSchedule
  ) {
    self.firstMoments = firstMoments
    self.secondMoments = secondMoments
    self.stepCount = stepCount
    self.schedule = schedule
  }

  /// What one step did.
  public struct StepReport: Sendable, Equatable {
    /// The learning rate used.
    public var learningRate: Double
    /// The global L2 norm of the (unclipped) gradients of non-frozen tensors.
    public var gradientNorm: Double
    /// The factor the gradients were multiplied by (1 when not clipped).
    public var clipScale: Double
  }

  /// The global L2 norm over the non-frozen tensors of `gradients`.
  public func gradientNorm<P: TrainableParameters>(_ gradients: P) -> Double where P.Scalar == Scalar {
    var s = 0.0
    for (name, g) in gradients.namedTensors where group(name) != .frozen {
      s += g.withUnsafeBufferPointer { buffer in buffer.baseAddress.map { Scalar.sumOfSquares($0, count: buffer.count) } ?? 0 }
    }
    return s.squareRoot()
  }

  /// One optimizer step: clips `gradients` by their global norm, adds `unclippedGradients`
  /// (not clipped, not in the norm), then updates every non-frozen tensor of `parameters` from
  /// the tensor of the same name.
  /// - Precondition: `gradients` has the same names and shapes as `parameters`.
  @discardableResult
  public mutating func step<P: TrainableParameters, G: TrainableParameters>(
    _ parameters: inout P, gradients: G, unclippedGradients: NamedTensors<Scalar>? = nil
  ) -> StepReport where P.Scalar == Scalar, G.Scalar == Scalar {
    let norm = gradientNorm(gradients)
    var clip = 1.0
    if let maxNorm = hyperparameters.maxGradientNorm { clip = min(1, maxNorm / (norm + 1e-6)) }
    let lr = schedule.learningRate(step: stepCount)
    stepCount += 1
    let hp = hyperparameters
    let t = Double(stepCount)
    let stepSize = Scalar(lr / (1 - Foundation.pow(hp.beta1, t)))
    let bc2Sqrt = Scalar((1 - Foundation.pow(hp.beta2, t)).squareRoot())
    let (b1c, b2, b2c, eps) = (Scalar(1 - hp.beta1), Scalar(hp.beta2), Scalar(1 - hp.beta2), Scalar(hp.epsilon))
    let decayFactor = Scalar(1 - lr * hp.weightDecay)
    let scale = Scalar(clip)
    var grads: [String: Tensor<Scalar>] = [:]
    for (name, g) in gradients.namedTensors { grads[name] = g }
    // Terms added after clipping (SORSA's regulariser): fold them in at the clipped scale.
    if let extra = unclippedGradients, clip > 0 {
      for (name, e) in extra.namedTensors {
        guard let g = grads[name] else { continue }
        var sum = g
        sum.withUnsafeMutableBufferPointer { sp in
          e.withUnsafeBufferPointer { ep in for i in 0..<sp.count { sp[i] += ep[i] / Scalar(clip) } }
        }
        grads[name] = sum
      }
    }
    // Move the moments out so that each array is uniquely referenced and updated in place.
    var m = firstMoments, v = secondMoments
    firstMoments = [:]
    secondMoments = [:]
    let group = self.group
    parameters.updateEach { name, theta in
      let g = group(name)
      if g == .frozen { return }
      guard let grad = grads[name] else { preconditionFailure("no gradient for '\(name)'") }
      precondition(grad.shape == theta.shape, "gradient \(grad.shape) for '\(name)' \(theta.shape)")
      var mm = m.removeValue(forKey: name) ?? [Scalar](repeating: 0, count: theta.count)
      var vv = v.removeValue(forKey: name) ?? [Scalar](repeating: 0, count: theta.count)
      theta.withUnsafeMutableBufferPointer { th in
        grad.withUnsafeBufferPointer { gr in
          mm.withUnsafeMutableBufferPointer { mp in
            vv.withUnsafeMutableBufferPointer { vp in
              guard let thetaBase = th.baseAddress, let gradBase = gr.baseAddress, let mBase = mp.baseAddress,
                let vBase = vp.baseAddress
              else { return }
              Scalar.adamWUpdate(
                theta: thetaBase, gradient: gradBase, firstMoment: mBase, secondMoment: vBase, count: th.count,
                gradientScale: scale, decayFactor: g == .decay ? decayFactor : nil, oneMinusBeta1: b1c, beta2: b2,
                oneMinusBeta2: b2c, stepSize: stepSize, bias2Sqrt: bc2Sqrt, epsilon: eps)
            }
          }
        }
      }
      m[name] = mm
      v[name] = vv
    }
    firstMoments = m
    secondMoments = v
    return StepReport(learningRate: lr, gradientNorm: norm, clipScale: clip)
  }
}
