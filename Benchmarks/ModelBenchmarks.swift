import Foundation
import MLANCore
import MLANModel

/// A named group of benchmarks, selectable on the command line (`mlan-bench core smollm2 ...`).
struct BenchmarkSuite: Sendable {
    let name: String
    let run: @Sendable () -> Void
}

/// Benchmarks of whole models.
enum ModelBenchmarks {
    static let all: [BenchmarkSuite] = [
        BenchmarkSuite(name: "smollm2", run: smolLM2),
        BenchmarkSuite(name: "train", run: TrainBenchmarks.run),
        BenchmarkSuite(name: "clip", run: CLIPBenchmarks.run),
        EvalBenchmarks.suite,
        WeightBenchmarks.suite,
        QLoRABenchmarks.suite,
    ]

    static let modelPath = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("models/SmolLM2-135M-Instruct.Q4_1.gguf")

    /// SmolLM2-135M in each weight form and activation precision (`smollm2:native:q8`, `smollm2:native` (= f32
    /// activations), `smollm2:f32`, …; default native with q8, native with f32, then f32): load, prefill of a
    /// 128-token prompt, decode of 64 greedy tokens, peak memory (of the process so far).
    static func smolLM2() {
        guard FileManager.default.fileExists(atPath: modelPath.path) else {
            print("SmolLM2: skipped, \(modelPath.path) is missing (run `make models`)\n")
            return
        }
        let picked = CommandLine.arguments.filter { $0.hasPrefix("smollm2:") }.compactMap { argument -> (WeightForm, ActivationPrecision)? in
            let parts = argument.dropFirst(8).split(separator: ":").map(String.init)
            guard let form = parts.first.flatMap(WeightForm.init(rawValue:)) else { return nil }
            guard parts.count > 1 else { return (form, .f32) }
            return ActivationPrecision(rawValue: parts[1]).map { (form, $0) }
        }
        for (form, activations) in picked.isEmpty ? [(WeightForm.native, ActivationPrecision.q8), (.native, .f32), (.f32, .f32)] : picked {
            smolLM2(form, activations)
        }
    }

    static func smolLM2(_ form: WeightForm, _ activations: ActivationPrecision) {
        let loadStart = DispatchTime.now().uptimeNanoseconds
        guard let loaded = try? LanguageModelLoader.load(from: modelPath, weights: form) else {
            print("SmolLM2: failed to load \(modelPath.path)\n")
            return
        }
        loaded.model.setActivationPrecision(activations)
        let loadSeconds = Double(DispatchTime.now().uptimeNanoseconds - loadStart) / 1e9
        let model = loaded.model
        let text = String(repeating: "The quick brown fox jumps over the lazy dog near the river bank. ", count: 12)
        let prompt = Array(loaded.tokenizer.encode(text, addSpecialTokens: false).prefix(128))
        let prefill = medianSeconds(repeats: 5) { _ = withoutGradients { model.lastLogits(embeddings: model.embed(batch: [prompt]), cache: model.makeCache()) } }
        var decodeRates: [Double] = [], decodeCPU: [Double] = []
        for _ in 0..<3 {
            let cache = model.makeCache()
            _ = withoutGradients { model.logits(ids: [prompt], cache: cache) }
            var token = prompt.last!
            let start = DispatchTime.now().uptimeNanoseconds, cpuStart = processCPUSeconds()
            for _ in 0..<64 {
                let logits = withoutGradients { model.logits(ids: [[token]], cache: cache) }
                token = logits.argmax(axis: 2)[0]
            }
            decodeRates.append(64 / (Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9))
            decodeCPU.append((processCPUSeconds() - cpuStart) / 64)
        }
        let decode = decodeRates.sorted()[1], cpuPerToken = decodeCPU.sorted()[1]
        print("SmolLM2-135M (GGUF Q4_1, --weights \(form.rawValue) --activations \(activations.rawValue)), \(BLAS.threadCount) threads")
        print("  load \(format(loadSeconds, 2)) s; prefill 128 tokens (last position's logits) \(format(prefill * 1e3)) ms "
            + "(\(format(128 / prefill)) tok/s); decode \(format(decode)) tok/s (median of 3 × 64), "
            + "\(format(cpuPerToken * 1e3, 2)) ms of CPU a token (all threads; less disturbed by other processes); "
            + "peak RSS so far \(format(peakResidentMiB())) MiB")
        print("  vs llama.cpp Q4_1 (BENCHMARKS.md, quiet machine): prefill ≈ 373 tok/s, decode ≈ 136 tok/s → "
            + "×\(format(128 / prefill / 373, 2)), ×\(format(decode / 136, 2))\n")
    }

    /// CPU seconds this process has used (all threads, user and system).
    static func processCPUSeconds() -> Double {
        var t = timespec()
        clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t)
        return Double(t.tv_sec) + Double(t.tv_nsec) / 1e9
    }

    /// Peak resident set size of this process (VmHWM), in MiB.
    static func peakResidentMiB() -> Double {
        guard let handle = FileHandle(forReadingAtPath: "/proc/self/status"), let data = try? handle.readToEnd(),
              let status = String(data: data, encoding: .utf8),
              let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmHWM:") }),
              let kb = Double(line.split(separator: " ").dropFirst().first ?? "") else { return 0 }
        return kb / 1024
    }
}
