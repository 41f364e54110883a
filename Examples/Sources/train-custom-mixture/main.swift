// Builds a mixture of two instruction sources with chosen ratios (MLANData.Mixture), trains a tiny Llama on
// it with MLANTrain.Trainer, and saves the model with its tokenizer in Hugging Face layout.
//
//   train-custom-mixture --output DIR [--steps N]
//
// Prints the mixture's composition and the loss at the first and last step; exits 1 unless the loss fell
// below a fifth of where it started.
import ExampleSupport
import Foundation
import MLANCore
import MLANData
import MLANModel
import MLANTrain

let arguments = Arguments(usage: "train-custom-mixture --output DIR [--steps N]")
let output = URL(fileURLWithPath: arguments.string("output", "runs/example-mixture"))
let steps = arguments.int("steps", 120)

do {
    // 1. The mixture: all 8 colour facts and all 4 shape facts (ratios 2:1 of 12), drawn with seed 42.
    let sources = [MixtureSource(name: "colours", dataset: "facts/colours", taskCluster: "colour_qa",
                                 records: Facts.records("colours", Facts.colours)),
                   MixtureSource(name: "shapes", dataset: "facts/shapes", taskCluster: "shape_qa",
                                 records: Facts.records("shapes", Facts.shapes))]
    let mixture = try Mixture.build(name: "facts", sources: sources,
                                    plan: .ratios(["colours": 2, "shapes": 1], total: 12), seed: 42)
    let composition = Dictionary(grouping: mixture.records) { $0.id.split(separator: "-")[0] }.mapValues(\.count)
    print("mixture: \(mixture.records.count) records:",
          composition.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", "))

    // 2. A tokenizer trained on the mixture's own text, and examples with the QA template's loss mask.
    let template = QATemplate()
    var tokenizer = try BPETrainer(vocabularySize: 320, specialTokens: ["<pad>"])
        .train(texts: mixture.records.map { template.render($0.turns) })
    tokenizer.padTokenID = tokenizer.tokenID("<pad>")
    let examples = try mixture.records.map {
        try Example($0, template: template, tokenizer: tokenizer, imagePlaceholder: -1, addBOS: false)
    }

    // 3. A tiny Llama and a training run: global batch 4 in micro-batches of 2, warmup + cosine.
    var config = LlamaConfig.tiny
    config.vocabSize = tokenizer.vocabularySize
    var rng = SplitMix64(seed: 7)
    let model = LlamaForCausalLM(config, rng: &rng)
    var train = TrainConfig()
    train.learningRate = 1e-2
    train.globalBatchSize = 4
    train.microBatchSize = 2
    train.epochs = 1000
    train.maxSteps = steps
    train.warmupRatio = 0.05
    train.maxLength = 64
    train.logEvery = 0
    let trainer = try Trainer(model: model, config: train, examples: examples, collator: Collator(padID: 0),
                              runDirectory: nil, label: "facts")
    trainer.log.printsProgress = false
    var losses: [Float] = []
    let result = try trainer.run { event in
        if case .step(let step, _) = event { losses.append(step.loss) }
    }
    try HuggingFaceWriter.save(model, tokenizer: tokenizer, to: output)
    let first = losses.first ?? .nan
    print(String(format: "steps: %d, loss %.3f -> %.3f, %d supervised tokens, %.3g FLOPs", losses.count, first,
                 result.finalLoss, result.efficiency.supervisedTokens, result.efficiency.flops))
    print("saved: \(output.path)")
    guard result.finalLoss < first / 5 else { fail("the loss did not fall below a fifth of \(first)") }
} catch {
    fail("\(error)")
}
