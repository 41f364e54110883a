import Foundation

/// Trains a byte-level BPE tokenizer exactly as Hugging Face's `BpeTrainer` does, so a trained `tokenizer.json`
/// loads and encodes identically in `tokenizers`.
///
/// The vocabulary is the special tokens (in order), then all 256 byte-level scalars sorted by code point
/// (`initial_alphabet = ByteLevel.alphabet()`), then one token per merge. Merges are learned from the words the
/// pre-tokenizer makes, counted over all texts. Each step takes the pair with the highest count; ties go to the
/// smallest pair of ids (the earlier-created tokens), which is Hugging Face's order, not a string order.
/// Hugging Face's lazy priority queue is reproduced as well, including its stale counts and partial position
/// sets, so merges come out in the same order. Training stops at `vocabularySize` tokens or when no pair occurs
/// `minFrequency` times.
/// ```swift
/// let tokenizer = try BPETrainer(vocabularySize: 1000, specialTokens: ["<|endoftext|>"]).train(texts: corpus)
/// try tokenizer.write(to: URL(fileURLWithPath: "tokenizer.json"))
/// ```
public struct BPETrainer: Sendable {
    /// The vocabulary size to reach, special tokens and the 256-scalar alphabet included.
    public var vocabularySize: Int
    /// Tokens placed first in the vocabulary and matched whole when encoding.
    public var specialTokens: [String]
    /// A pair must occur at least this often to be merged.
    public var minFrequency: Int
    /// How texts are cut into words (the trained tokenizer uses the same).
    public var preTokenizer: PreTokenizer

    /// A trainer; the defaults match Hugging Face's `BpeTrainer` with GPT-2's byte-level pre-tokenizer.
    public init(vocabularySize: Int, specialTokens: [String] = [], minFrequency: Int = 0,
                preTokenizer: PreTokenizer = .gpt2) {
        self.vocabularySize = vocabularySize
        self.specialTokens = specialTokens
        self.minFrequency = minFrequency
        self.preTokenizer = preTokenizer
    }

    /// Trains on `texts`, each one sequence (Hugging Face's `train_from_iterator`).
    /// - Throws: `TokenizerError.invalidTrainingSetting` for a vocabulary too small to hold the alphabet.
    public func train(texts: some Sequence<String>) throws -> BPETokenizer {
        var counts = WordCounts(preTokenizer: preTokenizer)
        for text in texts { counts.add(Array(text.utf8)) }
        return try train(counts.counts)
    }

    /// Trains on text files, each line (with its line ending) one sequence, as Hugging Face's `train(files)`.
    /// - Throws: `TokenizerError.unreadable` for a missing file or a line that is not UTF-8, and
    ///   `TokenizerError.invalidTrainingSetting` for a vocabulary too small to hold the alphabet.
    public func train(files: [URL]) throws -> BPETokenizer {
        var counts = WordCounts(preTokenizer: preTokenizer)
        for file in files {
            let data: Data
            do { data = try Data(contentsOf: file) } catch {
                throw TokenizerError.unreadable(file: file.path, reason: InputFile.reason(for: error))
            }
            var lineStart = data.startIndex, lineNumber = 1
            while lineStart < data.endIndex {
                let lineEnd = data[lineStart...].firstIndex(of: 0x0A).map { $0 + 1 } ?? data.endIndex
                let line = Array(data[lineStart..<lineEnd])
                guard String(validating: line, as: UTF8.self) != nil else {
                    throw TokenizerError.unreadable(file: file.path, reason: "line \(lineNumber) is not valid UTF-8")
                }
                counts.add(line)
                lineStart = lineEnd
                lineNumber += 1
            }
        }
        return try train(counts.counts)
    }

    private func train(_ wordCounts: [ByteString: Int]) throws -> BPETokenizer {
        var vocabulary = TrainerVocabulary()
        for token in specialTokens { _ = vocabulary.add(Array(token.utf8)) }
        let alphabet = ByteLevel.scalarForByte.sorted { $0.value < $1.value }
        for scalar in alphabet { _ = vocabulary.add(Array(String(scalar).utf8)) }
        guard vocabularySize >= vocabulary.count else {
            throw TokenizerError.invalidTrainingSetting(
                field: "vocabularySize",
                reason: "\(vocabularySize) is smaller than the \(specialTokens.count) special tokens plus the 256-scalar alphabet")
        }
        let byteIDs = (0..<256).map { Int32(vocabulary.id(Array(String(ByteLevel.scalarForByte[$0]).utf8))!) }

        var words: [TrainerWord] = [], counts: [Int] = []
        for (word, count) in wordCounts {
            words.append(TrainerWord(symbols: word.bytes.map { byteIDs[Int($0)] }))
            counts.append(count)
        }

        // Pair counts and, per pair, the words it occurs in.
        var pairCounts: [UInt64: Int] = [:], whereToUpdate: [UInt64: Set<Int>] = [:]
        for (index, word) in words.enumerated() {
            for k in 0..<max(word.symbols.count - 1, 0) {
                let pair = TrainerWord.pack(word.symbols[k], word.symbols[k + 1])
                pairCounts[pair, default: 0] += counts[index]
                whereToUpdate[pair, default: []].insert(index)
            }
        }
        var queue = MergeQueue()
        for (pair, positions) in whereToUpdate where pairCounts[pair, default: 0] > 0 {
            queue.push(MergeCandidate(pair: pair, count: pairCounts[pair, default: 0], positions: positions))
        }
        whereToUpdate.removeAll()

        var merges: [(pair: UInt64, merged: Int32)] = []
        while vocabulary.count < vocabularySize, var top = queue.pop() {
            let current = pairCounts[top.pair, default: 0]
            if top.count != current {  // stale: requeue with the current count, as Hugging Face does
                top.count = current
                queue.push(top)
                continue
            }
            if top.count < 1 || minFrequency > top.count { break }
            let (a, b) = TrainerWord.unpack(top.pair)
            let merged = Int32(vocabulary.add(vocabulary.tokens[Int(a)] + vocabulary.tokens[Int(b)]))
            merges.append((top.pair, merged))

            var changes: [(pair: UInt64, change: Int, word: Int)] = []
            for index in top.positions {
                words[index].merge(a, b, into: merged) { changes.append(($0, $1, index)) }
            }
            for (pair, change, index) in changes {
                pairCounts[pair, default: 0] += change * counts[index]
                if change > 0 { whereToUpdate[pair, default: []].insert(index) }
            }
            for (pair, positions) in whereToUpdate where pairCounts[pair, default: 0] > 0 {
                queue.push(MergeCandidate(pair: pair, count: pairCounts[pair, default: 0], positions: positions))
            }
            whereToUpdate.removeAll(keepingCapacity: true)
        }

        // A pair merged twice keeps its last rank, as Hugging Face's merge map does.
        var lastRank: [UInt64: Int] = [:]
        for (rank, merge) in merges.enumerated() { lastRank[merge.pair] = rank }
        let mergeStrings = merges.enumerated().filter { lastRank[$1.pair] == $0 }.map { _, merge in
            let (a, b) = TrainerWord.unpack(merge.pair)
            return (vocabulary.string(Int(a)), vocabulary.string(Int(b)))
        }
        let added = specialTokens.map { AddedToken(id: vocabulary.id(Array($0.utf8))!, content: $0, special: true) }
        return try BPETokenizer(source: "<trained>", vocabulary: (0..<vocabulary.count).map(vocabulary.string),
                                merges: mergeStrings, addedTokens: added, preTokenizer: preTokenizer,
                                postProcessor: .none, ignoresMerges: false, unknownToken: nil, fusesUnknown: false,
                                bosTokenID: nil, eosTokenID: nil, padTokenID: nil)
    }
}

/// Word occurrence counts after pre-tokenization, words as the UTF-8 of their bytes.
private struct WordCounts {
    let preTokenizer: PreTokenizer
    var counts: [ByteString: Int] = [:]
    private var words: [Range<Int>] = [], scratch: [Range<Int>] = []

    init(preTokenizer: PreTokenizer) {
        self.preTokenizer = preTokenizer
    }

    mutating func add(_ text: [UInt8]) {
        var bytes = text
        preTokenizer.split(&bytes, into: &words, scratch: &scratch)
        for word in words { counts[ByteString(Array(bytes[word])), default: 0] += 1 }
    }
}

/// The growing vocabulary: token strings (as UTF-8) by id, and ids by string.
private struct TrainerVocabulary {
    private(set) var tokens: [[UInt8]] = []
    private var ids: [ByteString: Int] = [:]

    var count: Int { tokens.count }

    /// The id of `token`, adding it at the end when new.
    mutating func add(_ token: [UInt8]) -> Int {
        if let id = ids[ByteString(token)] { return id }
        tokens.append(token)
        ids[ByteString(token)] = tokens.count - 1
        return tokens.count - 1
    }

    func id(_ token: [UInt8]) -> Int? { ids[ByteString(token)] }

    func string(_ id: Int) -> String { String(decoding: tokens[id], as: UTF8.self) }
}

/// A word during training: its current symbols.
private struct TrainerWord {
    var symbols: [Int32]

    static func pack(_ a: Int32, _ b: Int32) -> UInt64 { UInt64(UInt32(a)) << 32 | UInt64(UInt32(b)) }
    static func unpack(_ pair: UInt64) -> (Int32, Int32) {
        (Int32(truncatingIfNeeded: pair >> 32), Int32(truncatingIfNeeded: pair & 0xFFFF_FFFF))
    }

    /// Merges every non-overlapping `a b`, left to right, reporting each neighbouring pair lost (-1) or made (+1)
    /// in Hugging Face's `Word::merge` order. The merged pair itself is not reported.
    mutating func merge(_ a: Int32, _ b: Int32, into merged: Int32, _ report: (UInt64, Int) -> Void) {
        var i = 0
        while i < symbols.count {
            if symbols[i] == a && i + 1 < symbols.count && symbols[i + 1] == b {
                if i > 0 {
                    report(Self.pack(symbols[i - 1], a), -1)
                    report(Self.pack(symbols[i - 1], merged), 1)
                }
                symbols[i] = merged
                symbols.remove(at: i + 1)
                if i < symbols.count - 1 {
                    report(Self.pack(b, symbols[i + 1]), -1)
                    report(Self.pack(merged, symbols[i + 1]), 1)
                }
            }
            i += 1
        }
    }
}
