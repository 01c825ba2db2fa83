import Foundation
import Tensor
import Text

/// The arithmetic of inference: fp32 everywhere, or the linear maps' GEMMs in int8 with int32
/// accumulation (weights per output channel, activations per row), LayerNorm, softmax, GELU and
/// attention in fp32. Training is always fp32.
public enum Precision: String, CaseIterable, Sendable, Codable {
  case fp32, int8
}

/// The linear maps of every layer quantized for int8 inference (``Precision/int8``): each weight
/// per output channel, with the input channels that a fixed calibration batch shows to be
/// outliers kept in fp32 (``QuantizedMatrix``).
public struct QuantizedLayers: Sendable, Equatable {
  /// Per layer, by the weight's ``LayerTensor``.
  let layers: [[LayerTensor: QuantizedMatrix]]
  /// Rows per FFN tile in a pass without hooks: 128 x 1,536 activations are 768 KB, within a Zen
  /// core's L2, where the quantization's two reads of them find them (CD009944: 54 -> 62 documents/s).
  var ffnTileRows = 128

  /// The map whose input each quantized weight reads (Q, K and V share the layer input).
  static let weights: [(tensor: LayerTensor, input: LinearModule)] = [
    (.qkvWeight, .query), (.attentionOutputWeight, .attentionOutput), (.intermediateWeight, .intermediate),
    (.outputWeight, .output),
  ]

  /// The maps that run in int8. Without VNNI activations have 7 bits (``Int8Linear/hasVNNI``),
  /// and the FFN down projection, the largest error even with its clipped rows, then stays fp32:
  /// in int8 it left two fixture texts at cosine 0.9986-0.9987 to fp32 (Zen 3's path, emulated on
  /// Zen 4 with `DNNL_MAX_CPU_ISA=AVX2`).
  static let quantizedWeights = Int8Linear.hasVNNI ? weights : weights.filter { $0.tensor != .outputWeight }

  /// `channelMaxima`: each map's largest input magnitude per channel on the calibration batch.
  init(_ weights: BertWeights<Float>, channelMaxima: [LinearSite: [Float]]) {
    layers = weights.layers.indices.map { li in
      Dictionary(
        uniqueKeysWithValues: Self.quantizedWeights.map { t, input in
          let w = weights.layers[li][t]
          let q = w.withUnsafeBufferPointer {
            QuantizedMatrix(
              quantizing: $0.requiredBaseAddress, rows: w.shape[0], columns: w.shape[1],
              channelMaxima: channelMaxima[LinearSite(layer: li, module: input)],
              // The FFN's down projection reads GELU outputs: mostly small, a few large per row.
              clipsRows: t == .outputWeight)
          }
          return (t, q)
        })
    }
  }
}

extension BertModel where Scalar == Float {
  /// The model for inference at `precision`: int8 adds the quantized linear maps, calibrated on
  /// `calibration` (the fp32 weights stay for anything that trains or merges).
  public func at(_ precision: Precision, calibration: TokenBatch) throws(EncoderError) -> BertModel {
    var m = self
    m.quantized = nil
    guard precision == .int8 else { return m }
    m.quantized = QuantizedLayers(weights, channelMaxima: try m.inputChannelMaxima(calibration))
    return m
  }

  /// The largest magnitude of each input channel of the quantized maps over a batch (fp32).
  func inputChannelMaxima(_ batch: TokenBatch) throws(EncoderError) -> [LinearSite: [Float]] {
    // Q, K and V read one input: only the maps QuantizedLayers reads the maxima of are hooked.
    let sites = Set((0..<configuration.layerCount).flatMap { li in QuantizedLayers.quantizedWeights.map { LinearSite(layer: li, module: $0.input) } })
    let maxima = ChannelMaxima()
    let hooks = EncoderHooks<Float>(sites: sites, linearForward: { site, rows in
      let k = site.module.shape(self.configuration).in
      var m = [Float](repeating: 0, count: k)
      for i in 0..<rows.rows.count {
        for c in 0..<k { m[c] = max(m[c], abs(rows.x[i * rows.ldx + c])) }
      }
      maxima.merge(site, m)
    })
    _ = try forward(batch, hooks: hooks, workers: 1)
    return maxima.values
  }
}

/// Channel maxima gathered by forward hooks (called from one thread here, but hooks are
/// `@Sendable`, hence the lock).
private final class ChannelMaxima: @unchecked Sendable {
  private let lock = NSLock()
  private(set) var values: [LinearSite: [Float]] = [:]

  func merge(_ site: LinearSite, _ m: [Float]) {
    lock.lock()
    defer { lock.unlock() }
    values[site] = values[site].map { zip($0, m).map(max) } ?? m
  }
}

/// Per-worker scratch of the int8 linear maps: quantized rows and int32 products.
final class Int8Scratch: @unchecked Sendable {
  let base: UnsafeMutableRawPointer
  let bytesPerWorker: Int

  /// Room for the largest call: the QKV projection of a whole chunk, or the FFN of one tile.
  init(_ shape: PassShape, ffnRows: Int) {
    let projections = Int8Linear.scratchBytes(rows: shape.maxChunk, maxColumns: shape.h, maxOutputs: shape.h3)
    let ffn = Int8Linear.scratchBytes(rows: ffnRows, maxColumns: shape.inner, maxOutputs: shape.inner)
    bytesPerWorker = (max(projections, ffn) + 63) & ~63
    base = .allocate(byteCount: max(64, shape.workers * bytesPerWorker), alignment: 64)
  }

  deinit { base.deallocate() }

  func worker(_ w: Int) -> UnsafeMutableRawPointer { base + w * bytesPerWorker }
}

extension SentenceEmbedder {
  /// The precision of the embedding forward passes; int8 quantizes the model's linear maps once,
  /// calibrated on ``calibrationTexts``.
  public var precision: Precision { model.precision }

  /// Sets the precision (int8: quantizes and calibrates the model).
  public mutating func setPrecision(_ precision: Precision) throws(EncoderError) {
    guard precision != model.precision else { return }
    let encodings: [Encoding]
    do throws(TokenizerError) {
      encodings = try Self.calibrationTexts.map { text throws(TokenizerError) in try tokenizer.encode(text, maxLength: maxLength) }
    } catch { throw .tokenizer(error) }
    model = try model.at(precision, calibration: TokenBatch(encodings: encodings, paddingID: tokenizer.paddingID))
  }

  /// Fixed texts of the kind csmed embeds (a review's query, records' titles and abstracts),
  /// so int8 calibration, and with it every int8 embedding, is the same on every run.
  static let calibrationTexts = [
    "Statins for the prevention of cardiovascular events in adults: a systematic review of randomised controlled trials.",
    "Inclusion criteria: randomised or quasi-randomised trials comparing a diagnostic test against a reference standard in adults with suspected pulmonary embolism.",
    "Background: Hip fracture in older people is associated with high mortality. Methods: We randomly assigned 412 patients to early surgery or usual care. Results: Mortality at 90 days was 9.1% versus 12.4% (hazard ratio 0.72; 95% CI 0.51 to 1.02). Conclusions: Early surgery did not significantly reduce mortality.",
    "Sensitivity and specificity of magnetic resonance imaging for the detection of anterior cruciate ligament tears: a meta-analysis of 34 studies with 2,810 knees.",
    "The effect of a school-based physical activity programme on body mass index in children aged 6 to 12 years: cluster randomised trial.",
    "Triptans for acute migraine attacks: sumatriptan 50 mg versus placebo, pain-free at two hours, adverse events, recurrence within 24 hours.",
    "Objective To assess whether telephone follow-up after discharge reduces readmission among patients with chronic obstructive pulmonary disease. Design Multicentre randomised trial. Setting Twelve hospitals in the Netherlands.",
    "Attention deficit hyperactivity disorder; methylphenidate; adolescents; long-term outcomes; cohort study; MeSH: Central Nervous System Stimulants/therapeutic use.",
    "Bisphenol A exposure and thyroid hormone levels in pregnant women: cross-sectional analysis of urinary BPA concentrations (ng/mL) and serum TSH.",
    "Proton pump inhibitors versus H2-receptor antagonists for the healing of erosive oesophagitis: systematic review and network meta-analysis.",
    "We searched MEDLINE, Embase and CENTRAL to March 2019 without language restrictions; two reviewers independently screened titles and abstracts.",
    "Exclusion: case reports, narrative reviews, animal studies, studies of children under 2 years, and trials with fewer than 20 participants per arm.",
  ]
}
