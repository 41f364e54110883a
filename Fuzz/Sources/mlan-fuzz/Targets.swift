import Foundation
import MLANCore
import MLANData
import MLANEval
import MLANModel
import MLANTrain

/// A short text each fuzzed tokenizer must encode and decode without trapping.
private let probeText = "Hello wörld! <image>\n  12 tabs\t😀 </s><|im_end|>"

private func exercise(_ tokenizer: any Tokenizer) {
    let ids = tokenizer.encode(probeText, addSpecialTokens: true)
    _ = tokenizer.decode(ids, skipSpecialTokens: false)
    _ = tokenizer.encode(markup: [(text: "USER: hi", isTarget: false), (text: " ok</s>", isTarget: true)])
    _ = tokenizer.decode(Array(-2..<min(tokenizer.vocabularySize + 2, 300)), skipSpecialTokens: true)
}

extension FuzzTarget {
    /// Every target, one per parser that takes outside bytes.
    static let all: [FuzzTarget] = [
        FuzzTarget(name: "safetensors") { bytes in
            guard let file = try? SafetensorsFile(bytes: bytes, path: "fuzz.safetensors") else { return }
            for name in file.names {
                guard let info = try? file.info(named: name) else { continue }
                if info.dtype.isFloatingPoint { _ = try? file.tensor(named: name) } else { _ = try? file.integers(named: name) }
            }
        },
        FuzzTarget(name: "gguf", body: { bytes in
            guard let file = try? GGUFFile(bytes: bytes, path: "fuzz.gguf") else { return }
            for key in file.metadataKeys {
                _ = try? file.string(key); _ = try? file.int(key); _ = try? file.double(key); _ = try? file.bool(key)
                _ = try? file.stringArray(key); _ = try? file.intArray(key); _ = try? file.floatArray(key)
            }
            for info in file.tensorInfos {
                _ = try? file.tensor(named: info.name)
                _ = try? file.tensor(named: info.name, rows: 0..<min(1, info.rowCount))
            }
            _ = try? LlamaConfig(gguf: file)
            if let tokenizer = try? file.tokenizer() { exercise(tokenizer) }
        }, seeds: { SmallSeeds.ggufVocabulary().map { ["llama-spm-\(SmallSeeds.pieces).gguf": $0] } ?? [:] }),
        FuzzTarget(name: "png") { bytes in
            _ = try? ImageDecoder.decodePNG(bytes, name: "fuzz.png")
        },
        FuzzTarget(name: "jpeg") { bytes in
            _ = try? ImageDecoder.decodeJPEG(bytes, name: "fuzz.jpg", orientation: .exifApplied)
        },
        FuzzTarget(name: "tokenizer-json", body: { bytes in
            let url = Scratch.file("tokenizer.json", bytes)
            if let tokenizer = try? BPETokenizer.load(from: url) { exercise(tokenizer) }
            if let tokenizer = try? LlamaTokenizer.load(from: url) { exercise(tokenizer) }
        }, seeds: {
            // A small trained tokenizer and a small Llama one: the fixtures' tokenizer.json files are megabytes,
            // slow to mutate.
            let trainer = BPETrainer(vocabularySize: 300, specialTokens: ["<|endoftext|>", "<image>"])
            let url = Scratch.root.appendingPathComponent("seed-tokenizer.json")
            var seeds: [String: [UInt8]] = [:]
            if let tokenizer = try? trainer.train(texts: [probeText, "the red cube is left of the blue ball"]),
               (try? tokenizer.write(to: url)) != nil, let data = try? Data(contentsOf: url) {
                seeds["small-bpe.json"] = [UInt8](data)
            }
            seeds["llama-\(SmallSeeds.pieces).json"] = SmallSeeds.llamaTokenizerJSON()
            return seeds
        }),
        FuzzTarget(name: "tokenizer-model", body: { bytes in
            guard let vocabulary = try? SentencePieceVocabulary(modelProto: bytes, file: "tokenizer.model"),
                  let tokenizer = try? LlamaTokenizer(vocabulary: vocabulary) else { return }
            exercise(tokenizer)
        }, seeds: { SmallSeeds.sentencePieceModel().map { ["llama-\(SmallSeeds.pieces).model": $0] } ?? [:] }),
        FuzzTarget(name: "task") { bytes in
            _ = try? TaskDefinition.load(from: Scratch.file("task.json", bytes))
        },
        FuzzTarget(name: "records-json", body: { bytes in
            _ = try? InstructionDataset.load(from: Scratch.file("records.json", bytes),
                                             options: DatasetReadOptions(invalidRecords: .skipInvalid))
            _ = try? InstructionDataset.load(from: Scratch.file("records.json", bytes),
                                             options: DatasetReadOptions(insertMissingImageToken: true))
        }, seeds: { ["llava.json": Array(RecordSeeds.llava.utf8), "alpaca.json": Array(RecordSeeds.alpaca.utf8)] }),
        FuzzTarget(name: "records-jsonl", body: { bytes in
            _ = try? InstructionDataset.load(from: Scratch.file("records.jsonl", bytes),
                                             options: DatasetReadOptions(invalidRecords: .skipInvalid))
        }, seeds: { ["mixed.jsonl": Array(RecordSeeds.lines.utf8)] }),
        FuzzTarget(name: "config") { bytes in
            let url = Scratch.file("config.json", bytes)
            _ = try? LlamaConfig.load(from: url)
            _ = try? LlavaConfig.load(from: url)
            _ = try? CLIPVisionConfig.load(from: url)
            _ = try? StageConfig.load(from: url)
            _ = try? MixtureManifest.load(from: url)
            _ = try? TrainingManifest.load(from: url)
        },
        FuzzTarget(name: "checkpoint", body: { bytes in
            let sidecar = CheckpointSeed.directory.appendingPathComponent(Checkpoint.sidecarName)
            try? Data(bytes).write(to: sidecar)
            _ = try? Checkpoint.load(from: CheckpointSeed.directory)
        }, seeds: { ["checkpoint.json": CheckpointSeed.sidecar] }, setup: { _ = CheckpointSeed.sidecar }),
    ]
}

/// A tiny saved checkpoint whose sidecar the `checkpoint` target replaces with each input (its tensor files
/// stay valid, so the fuzzer reaches the size, hash and tensor checks).
enum CheckpointSeed {
    static let directory = Scratch.root.appendingPathComponent("checkpoint")

    /// The sidecar of the saved checkpoint, written once.
    static let sidecar: [UInt8] = {
        let checkpoint = Checkpoint(step: 3, config: ["lr": 0.001, "name": "fuzz"],
                                    modelState: ["w": Tensor(shape: [2, 2], scalars: [1, 2, 3, 4])],
                                    optimizerState: ["w.exp_avg": Tensor(shape: [2, 2], scalars: [0, 0, 1, 1])],
                                    optimizerSettings: ["step": 3], rngState: [42, 7],
                                    dataPosition: DataPosition(epoch: 1, index: 2), extra: ["note": "seed"])
        try! checkpoint.save(to: directory)
        return [UInt8](try! Data(contentsOf: directory.appendingPathComponent(Checkpoint.sidecarName)))
    }()
}

/// Small LLaVA and Alpaca records in the shapes `Docs/FORMATS.md` describes.
enum RecordSeeds {
    static let llava = """
    [{"id": "a1", "image": "red.png", "conversations": [{"from": "human", "value": "<image>\\nWhat colour?"},
      {"from": "gpt", "value": "Red."}, {"from": "human", "value": "Sure?"}, {"from": "gpt", "value": "Yes."}]},
     {"id": "t2", "conversations": [{"from": "system", "value": "Be brief."}, {"from": "human", "value": "Hi"},
      {"from": "gpt", "value": "Hello"}]}]
    """
    static let alpaca = """
    [{"instruction": "Add the numbers.", "input": "2 and 3", "output": "5", "id": "x"},
     {"instruction": "Greet.", "output": "Hi!", "history": [["Who are you?", "A model."]]}]
    """
    static let lines = """
    {"instruction": "Name a colour.", "output": "Blue"}
    {"id": "b", "images": ["a.png", "b.png"], "conversations": [{"from": "human", "value": "<image><image> Same?"}, {"from": "gpt", "value": "No"}]}

    """
}
