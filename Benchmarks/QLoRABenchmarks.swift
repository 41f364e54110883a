import Foundation
import MLANCore
import MLANModel

/// One LoRA tuning step of SmolLM2-135M over its base in a chosen form (`mlan-bench qlora:native`, `qlora:f32`; run
/// each form in its own process, since the peak RSS is the process's): rank-8 adapters on every projection, AdamW,
/// batch 4 × 128 random tokens. Prints the bytes of weights held, the step's time and the process's peak RSS.
enum QLoRABenchmarks {
    static let suite = BenchmarkSuite(name: "qlora", run: run)

    static func run() {
        guard FileManager.default.fileExists(atPath: ModelBenchmarks.modelPath.path) else {
            print("QLoRA: skipped, \(ModelBenchmarks.modelPath.path) is missing (run `make models`)\n")
            return
        }
        let picked = CommandLine.arguments.filter { $0.hasPrefix("qlora:") }.compactMap { WeightForm(rawValue: String($0.dropFirst(6))) }
        let form = picked.first ?? .native
        guard let loaded = try? LanguageModelLoader.load(from: ModelBenchmarks.modelPath, weights: form) else {
            print("QLoRA: failed to load \(ModelBenchmarks.modelPath.path)\n")
            return
        }
        let model = loaded.model
        var rng = SplitMix64(seed: 15)
        model.addLoRA(rank: 8, alpha: 16, targets: Set(LlamaForCausalLM.LoRATarget.allCases), rng: &rng)
        let trainable = model.trainableParameters()
        var optimizer = AdamW([ParameterGroup(trainable, weightDecay: 0)])
        let ids = (0..<4).map { _ in (0..<128).map { _ in Int(rng.next() % UInt64(model.config.vocabSize)) } }
        var times: [Double] = []
        var loss: Float = 0
        for _ in 0..<3 {
            let start = DispatchTime.now().uptimeNanoseconds
            let l = model.logits(ids: ids).causalLMLoss(labels: ids)
            l.backward()
            optimizer.step(learningRate: 1e-4)
            model.zeroGrad()
            loss = l.item
            times.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
        }
        let adapters = trainable.reduce(0) { $0 + $1.tensor.count }
        print("QLoRA step, SmolLM2-135M base --weights \(form.rawValue), LoRA rank 8 on all projections "
            + "(\(adapters) trainable values), batch 4 × 128, \(BLAS.threadCount) threads")
        print("  weights held \(format(Double(model.weightBytes) / 1048576)) MiB; step \(format(times.sorted()[1], 2)) s "
            + "(median of 3, loss \(format(Double(loss), 3))); peak RSS \(format(ModelBenchmarks.peakResidentMiB())) MiB\n")
    }
}
