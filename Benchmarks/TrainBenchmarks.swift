import Foundation
import MLANCore
import MLANModel

/// Training steps of Llama-style decoders at the sizes of the peers' PyTorch table (BENCHMARKS.md), and a
/// SmolLM2-135M full fine-tuning step.
enum TrainBenchmarks {
    /// One row of the peers' table: the model, the batch and PyTorch's median times (ms; nil when the peers'
    /// table has none: compare with `Benchmarks/pytorch_train_step.py` run alternately).
    struct Case {
        let name: String
        let config: LlamaConfig
        let sequence: Int, batch: Int, repeats: Int
        let pytorchStep: Double?, pytorchForward: Double?
    }

    static let cases: [Case] = [
        Case(name: "S", config: LlamaConfig(vocabSize: 512, hiddenSize: 128, intermediateSize: 384, numHiddenLayers: 2,
                                            numAttentionHeads: 4, numKeyValueHeads: 4, tieWordEmbeddings: true),
             sequence: 64, batch: 8, repeats: 15, pytorchStep: 16.9, pytorchForward: 4.3),
        Case(name: "M", config: LlamaConfig(vocabSize: 2048, hiddenSize: 256, intermediateSize: 768, numHiddenLayers: 4,
                                            numAttentionHeads: 8, numKeyValueHeads: 8, tieWordEmbeddings: true),
             sequence: 128, batch: 8, repeats: 7, pytorchStep: 203, pytorchForward: 58),
        Case(name: "L", config: LlamaConfig(vocabSize: 49_152, hiddenSize: 576, intermediateSize: 1536, numHiddenLayers: 4,
                                            numAttentionHeads: 9, numKeyValueHeads: 3, tieWordEmbeddings: true),
             sequence: 256, batch: 4, repeats: 3, pytorchStep: 2238, pytorchForward: 729),
        // SmolLM2-135M(-Instruct)'s shape, as its GGUF metadata and config.json give it (`smolLM2Shape` checks the
        // GGUF when models/ has it); random weights: the step's time does not depend on their values.
        Case(name: "SmolLM2", config: LlamaConfig(vocabSize: 49_152, hiddenSize: 576, intermediateSize: 1536,
                                                  numHiddenLayers: 30, numAttentionHeads: 9, numKeyValueHeads: 3,
                                                  rmsNormEps: 1e-5, ropeTheta: 100_000, maxPositionEmbeddings: 8192,
                                                  tieWordEmbeddings: true),
             sequence: 256, batch: 4, repeats: 3, pytorchStep: nil, pytorchForward: nil),
    ]

    /// Times of one case: forward without a tape, and full steps (forward, `causalLMLoss`, backward, AdamW,
    /// zero grads), each after one warm-up.
    struct Measurement {
        let forward: Double, steps: [Double], parameters: Int
        var step: Double { steps.sorted()[steps.count / 2] }
    }

    static func measure(_ c: Case, forward: Bool = true) -> Measurement {
        var rng = SplitMix64(seed: 7)
        let model = LlamaForCausalLM(c.config, rng: &rng)
        let ids = (0..<c.batch).map { _ in (0..<c.sequence).map { _ in Int(rng.next() % UInt64(c.config.vocabSize)) } }
        var optimizer = AdamW(ParameterGroup.decayAndNoDecay(model.namedParameters(), weightDecay: 0.01))
        let forwardTime = forward ? medianSeconds(repeats: c.repeats) { _ = withoutGradients { model.logits(ids: ids) } } : 0
        var steps: [Double] = []
        for index in 0...c.repeats {
            let start = DispatchTime.now().uptimeNanoseconds
            let loss = model.logits(ids: ids).causalLMLoss(labels: ids)
            loss.backward()
            optimizer.step(learningRate: 1e-4)
            model.zeroGrad()
            if index > 0 { steps.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9) }  // 0: warm-up
        }
        return Measurement(forward: forwardTime, steps: steps, parameters: model.parameterCount)
    }

    /// `train:S`, `train:M`, `train:L`, `train:SmolLM2` on the command line pick cases; plain `train` runs S, M, L.
    static func run() {
        let picked = Set(CommandLine.arguments.filter { $0.hasPrefix("train:") }.map { String($0.dropFirst(6)) })
        print("Training step, Llama decoder (random weights and ids), \(BLAS.threadCount) threads; "
            + "PyTorch 2.15 medians from BENCHMARKS.md")
        print(cell("config", 9) + cell("params", 10) + cell("forward ms", 12) + cell("×PyTorch", 10)
            + cell("step ms", 10) + cell("×PyTorch", 10) + cell("tokens/s", 10) + "peak RSS MiB")
        for c in cases where picked.isEmpty ? c.name != "SmolLM2" : picked.contains(c.name) {
            let m = measure(c)
            // PyTorch's figure divided by ours: above 1 means MLAN is faster.
            let versus = { (peer: Double?, ours: Double) in peer.map { format($0 / (ours * 1e3), 2) } ?? "-" }
            print(cell(c.name, 9) + cell(format(Double(m.parameters) / 1e6, 2) + " M", 10)
                + cell(format(m.forward * 1e3, 1), 12) + cell(versus(c.pytorchForward, m.forward), 10)
                + cell(format(m.step * 1e3, 1), 10) + cell(versus(c.pytorchStep, m.step), 10)
                + cell(format(Double(c.batch * c.sequence) / m.step, 0), 10)
                + format(ModelBenchmarks.peakResidentMiB(), 0))
        }
        print("(×PyTorch = PyTorch's time / MLAN's time: above 1 means MLAN is faster)\n")
        if picked.contains("SmolLM2") { smolLM2Shape() }
    }

    /// `step:NAME`: one machine-readable line per case for drivers (`contention`, `pytorch_train_step.py`):
    /// `step NAME THREADS STEP_MS_1 STEP_MS_2 …` (full steps only, after one warm-up).
    static func runSteps() {
        let picked = Set(CommandLine.arguments.filter { $0.hasPrefix("step:") }.map { String($0.dropFirst(5)) })
        for c in cases where picked.contains(c.name) {
            let m = measure(c, forward: false)
            print((["step", c.name, "\(BLAS.threadCount)"] + m.steps.map { format($0 * 1e3, 1) }).joined(separator: " "))
        }
    }

    /// Checks the SmolLM2 case's shape against the GGUF's metadata when the model file is present.
    static func smolLM2Shape() {
        guard let file = try? GGUFFile.load(from: ModelBenchmarks.modelPath),
              let real = try? LlamaConfig(gguf: file), let ours = cases.last?.config else {
            print("SmolLM2 shape: \(ModelBenchmarks.modelPath.path) not readable, not checked\n")
            return
        }
        let same = real.hiddenSize == ours.hiddenSize && real.intermediateSize == ours.intermediateSize
            && real.numHiddenLayers == ours.numHiddenLayers && real.numAttentionHeads == ours.numAttentionHeads
            && real.numKeyValueHeads == ours.numKeyValueHeads && real.vocabSize == ours.vocabSize
            && real.tieWordEmbeddings == ours.tieWordEmbeddings
        print("SmolLM2 shape \(same ? "matches" : "DIFFERS FROM") the GGUF's metadata\n")
    }
}
