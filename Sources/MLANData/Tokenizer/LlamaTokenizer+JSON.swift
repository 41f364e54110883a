import Foundation

extension LlamaTokenizer {
    /// Loads Llama's tokenizer from a SentencePiece `tokenizer.model` or a Hugging Face `tokenizer.json`,
    /// recognised by content (a JSON object, else a protobuf `ModelProto`).
    /// - Throws: `TokenizerError` naming the file and the field that is missing, malformed or unsupported.
    public static func load(from url: URL) throws -> LlamaTokenizer {
        let data: Data
        do { data = try Data(contentsOf: url) } catch {
            throw TokenizerError.unreadable(file: url.path, reason: InputFile.reason(for: error))
        }
        if TokenizerFormat.looksLikeJSON(data) { return try load(json: data, url: url) }
        return try LlamaTokenizer(vocabulary: SentencePieceVocabulary(modelProto: [UInt8](data), file: url.path))
    }

    /// Loads a Hugging Face `tokenizer.json` whose model is SentencePiece-style BPE.
    ///
    /// Supported: model `BPE` with `byte_fallback` (merges as `"a b"` or `["a", "b"]`, ranked as listed;
    /// `unk_token`, `fuse_unk`), normalizers `Prepend`, `Replace` (string patterns) and `Sequence`s of them, or
    /// none; pre-tokenizer `Metaspace` (`replacement`, `prepend_scheme`, `split`) or none; the post-processor's
    /// BOS (`TemplateProcessing`). The decoder is not read: decoding is SentencePiece's. The file has no piece
    /// scores, so the vocabulary's scores are 0 and pairs merge by merge rank, as in `tokenizers`. BOS/EOS/padding ids come
    /// from a `tokenizer_config.json` beside the file when there is one, else `<s>`, `</s>` and none.
    /// - Throws: `TokenizerError` naming the file and the field.
    static func load(json data: Data, url: URL) throws -> LlamaTokenizer {
        let file = url.path
        let top = try TokenizerFileShape.decode(data, file: file)
        let json = TokenizerJSONFields(file: file)
        let model = top.model
        let modelType = try json.optionalString(model.type, "model.type") ?? "BPE"
        guard modelType == "BPE" else { throw TokenizerError.unsupported(file: file, field: "model", type: modelType) }
        let byteFallback = try json.bool(model.byteFallback, "model.byte_fallback", default: false)

        // The vocabulary by exact bytes: `model.vocab` as decoded above merges canonically equivalent tokens.
        let entries = try TokenizerJSONVocabulary([UInt8](data), file: file).entries
        var texts = [String?](repeating: nil, count: entries.count)
        var vocab: [ByteString: Int] = [:]
        for (bytes, id) in entries {
            let token = String(decoding: bytes, as: UTF8.self)
            guard texts.indices.contains(id) else {
                throw TokenizerError.inconsistentIDs(file: file, id: id, reason: "outside 0..<\(texts.count)")
            }
            if let other = texts[id] {
                throw TokenizerError.inconsistentIDs(file: file, id: id, reason: "both `\(other)` and `\(token)`")
            }
            texts[id] = token
            vocab[ByteString(bytes)] = id
        }
        let addedTokens = try BPETokenizer.parseAddedTokens(top.addedTokens, json: json)
        let specialIDs = Set(addedTokens.filter(\.special).map(\.id))
        let unknownName = try json.optionalString(model.unkToken, "model.unk_token")
        let pieces = try texts.enumerated().map { id, text -> SentencePieceVocabulary.Piece in
            guard let text else { throw TokenizerError.inconsistentIDs(file: file, id: id, reason: "no token has this id") }
            let type: SentencePieceVocabulary.PieceType = text == unknownName ? .unknown
                : specialIDs.contains(id) ? .control : byteFallback && Self.byteValue(text) != nil ? .byte : .normal
            return SentencePieceVocabulary.Piece(text, score: 0, type: type)
        }
        var ranks: [UInt64: (rank: Int, merged: Int)] = [:]
        for (rank, entry) in model.merges.enumerated() {
            let (a, b): (String, String)
            switch entry {
            case .pair(let left, let right): (a, b) = (left, right)
            case .line(let line):
                let parts = line.split(separator: " ", omittingEmptySubsequences: false)
                guard parts.count == 2 else { throw json.invalid("model.merges[\(rank)]", "expected \"a b\", got \"\(line)\"") }
                (a, b) = (String(parts[0]), String(parts[1]))
            }
            guard let left = vocab[ByteString(a)], let right = vocab[ByteString(b)],
                  let merged = vocab[ByteString(Array(a.utf8) + Array(b.utf8))] else {
                throw TokenizerError.mergeOutOfVocabulary(file: file, rank: rank, pair: "\(a) \(b)")
            }
            let key = UInt64(left) << 32 | UInt64(right)
            if ranks[key] == nil { ranks[key] = (rank, merged) }
        }

        var steps = try normalizerSteps(top.normalizer, field: "normalizer", json: json)
        steps += try preTokenizerSteps(top.preTokenizer, field: "pre_tokenizer", json: json)
        let postProcessor = try BPETokenizer.parsePostProcessor(top.postProcessor, field: "post_processor", json: json)
        var tokenIDs: [String: Int] = [:]
        for (id, text) in texts.enumerated() { if let text, tokenIDs[text] == nil { tokenIDs[text] = id } }
        for token in addedTokens { tokenIDs[token.content] = token.id }
        let config = try SpecialTokenConfig(besides: url, tokenIDs: tokenIDs)
        let dummyPrefix = steps.contains { step in
            switch step {
            case .prepend(let text): text == "▁"
            case .metaspace(_, let scheme, _): scheme != .never
            default: false
            }
        }
        let vocabulary = SentencePieceVocabulary(
            pieces: pieces, addsDummyPrefix: dummyPrefix, removesExtraWhitespaces: false, usesByteFallback: byteFallback,
            unknownID: unknownName.flatMap { vocab[ByteString($0)] },
            bosID: config.bos ?? postProcessor.prefix.first ?? vocab[ByteString("<s>")],
            eosID: config.eos ?? vocab[ByteString("</s>")], padID: config.pad)
        return try LlamaTokenizer(source: file, vocabulary: vocabulary, priority: .mergeRanks(ranks),
                                  normalizer: SentencePieceNormalizer(steps: steps), addedTokens: addedTokens,
                                  postProcessor: postProcessor)
    }

    private static func normalizerSteps(_ value: JSONValue?, field: String,
                                        json: TokenizerJSONFields) throws -> [SentencePieceNormalizer.Step] {
        guard let value, !value.isNull else { return [] }
        let object = try json.object(value, field)
        let type = try json.string(object["type"], "\(field).type")
        switch type {
        case "Sequence":
            return try json.sequence(object, key: "normalizers", field: field) { try normalizerSteps($0, field: $1, json: json) }
        case "Prepend":
            return [.prepend(try json.string(object["prepend"], "\(field).prepend"))]
        case "Replace":
            let pattern = try json.object(object["pattern"], "\(field).pattern")
            guard let text = try json.optionalString(pattern["String"], "\(field).pattern.String") else {
                throw TokenizerError.unsupported(file: json.file, field: "\(field).pattern", type: "Regex")
            }
            return [.replace(pattern: text, content: try json.string(object["content"], "\(field).content"))]
        default:
            throw TokenizerError.unsupported(file: json.file, field: field, type: type)
        }
    }

    private static func preTokenizerSteps(_ value: JSONValue?, field: String,
                                          json: TokenizerJSONFields) throws -> [SentencePieceNormalizer.Step] {
        guard let value, !value.isNull else { return [] }
        let object = try json.object(value, field)
        let type = try json.string(object["type"], "\(field).type")
        switch type {
        case "Sequence":
            return try json.sequence(object, key: "pretokenizers", field: field) { try preTokenizerSteps($0, field: $1, json: json) }
        case "Metaspace":
            let schemeName = try json.optionalString(object["prepend_scheme"], "\(field).prepend_scheme")
            let legacyPrefix = try json.bool(object["add_prefix_space"], "\(field).add_prefix_space", default: true)
            guard let scheme = SentencePieceNormalizer.PrependScheme(rawValue: schemeName ?? (legacyPrefix ? "always" : "never"))
            else { throw json.invalid("\(field).prepend_scheme", "expected always, first or never") }
            return [.metaspace(replacement: try json.optionalString(object["replacement"], "\(field).replacement") ?? "▁",
                               prependScheme: scheme,
                               split: try json.bool(object["split"], "\(field).split", default: true))]
        default:
            throw TokenizerError.unsupported(file: json.file, field: field, type: type)
        }
    }
}

/// Which tokenizer a file holds, from its content.
public enum TokenizerFormat: Sendable, Equatable {
    /// A Hugging Face `tokenizer.json` with byte-level BPE.
    case byteLevelJSON
    /// A Hugging Face `tokenizer.json` with SentencePiece-style BPE (byte fallback, `▁` for spaces): Llama's.
    case sentencePieceJSON
    /// A SentencePiece `tokenizer.model` (protobuf).
    case sentencePieceModel
    /// A GGUF file (its `tokenizer.ggml.*` metadata).
    case gguf

    /// The format of the file at `url`: GGUF by its magic `GGUF`, JSON by its first non-space byte `{` (then
    /// SentencePiece-style when its model has `byte_fallback`, a `Prepend` normalizer or a `Metaspace`
    /// pre-tokenizer), anything else a SentencePiece model.
    /// - Throws: `TokenizerError.unreadable` naming the file.
    public static func detect(_ url: URL) throws -> TokenizerFormat {
        let data: Data
        do { data = try Data(contentsOf: url) } catch {
            throw TokenizerError.unreadable(file: url.path, reason: InputFile.reason(for: error))
        }
        if data.starts(with: Array("GGUF".utf8)) { return .gguf }
        guard looksLikeJSON(data) else { return .sentencePieceModel }
        guard let root = try? JSONDecoder().decode(JSONProbe.self, from: data) else { return .byteLevelJSON }
        let byteFallback = root.model?.byteFallback == true
        func contains(_ type: String, in step: JSONValue?, listedUnder key: String) -> Bool {
            guard let step else { return false }
            if step["type"] == .string(type) { return true }
            guard case .array(let steps)? = step[key] else { return false }
            return steps.contains { contains(type, in: $0, listedUnder: key) }
        }
        let metaspace = contains("Metaspace", in: root.preTokenizer, listedUnder: "pretokenizers")
        let normalizer = contains("Prepend", in: root.normalizer, listedUnder: "normalizers")
        return byteFallback || normalizer || metaspace ? .sentencePieceJSON : .byteLevelJSON
    }

    /// The few fields that tell the two kinds of `tokenizer.json` apart (decoding only these is fast).
    private struct JSONProbe: Decodable {
        struct Model: Decodable {
            var byteFallback: Bool?
            enum CodingKeys: String, CodingKey { case byteFallback = "byte_fallback" }
        }
        var model: Model?
        var normalizer: JSONValue?
        var preTokenizer: JSONValue?
        enum CodingKeys: String, CodingKey { case model, normalizer, preTokenizer = "pre_tokenizer" }
    }

    /// True when the first non-whitespace byte is `{`.
    static func looksLikeJSON(_ data: Data) -> Bool {
        data.first { ![0x20, 0x09, 0x0A, 0x0D, 0xEF, 0xBB, 0xBF].contains($0) } == UInt8(ascii: "{")
    }
}
