import Foundation

extension BPETokenizer {
    /// Loads a Hugging Face `tokenizer.json` whose model is byte-level BPE.
    ///
    /// Supported: no normalizer; pre-tokenizers `ByteLevel`, `Digits`, `Split` (GPT-2 or Llama 3 regex, isolated)
    /// and `Sequence`s of them; BPE without dropout, subword prefix/suffix or byte fallback (`ignore_merges`
    /// honoured); merges as `"a b"` strings or `["a", "b"]` pairs; the `ByteLevel` decoder; post-processors
    /// `TemplateProcessing`, `RobertaProcessing`, `BertProcessing`, `ByteLevel` and `Sequence`s of them.
    /// BOS/EOS/padding ids come from a `tokenizer_config.json` beside the file when there is one.
    /// - Throws: `TokenizerError` naming the file and the field that is missing, malformed or unsupported.
    public static func load(from url: URL) throws -> BPETokenizer {
        let file = url.path
        let data: Data
        do { data = try Data(contentsOf: url) } catch {
            throw TokenizerError.unreadable(file: file, reason: InputFile.reason(for: error))
        }
        let top = try TokenizerFileShape.decode(data, file: file)
        let json = TokenizerJSONFields(file: file)

        if let normalizer = top.normalizer, !normalizer.isNull {
            let type = (try? json.string(normalizer["type"], "normalizer.type")) ?? "?"
            throw TokenizerError.unsupported(file: file, field: "normalizer", type: type)
        }
        let model = top.model
        let modelType = try json.optionalString(model.type, "model.type") ?? "BPE"
        guard modelType == "BPE" else { throw TokenizerError.unsupported(file: file, field: "model", type: modelType) }
        if let dropout = model.dropout?.doubleValue, dropout != 0 {
            throw TokenizerError.unsupported(file: file, field: "model.dropout", type: "\(dropout)")
        }
        for (field, value) in [("continuing_subword_prefix", model.continuingSubwordPrefix),
                               ("end_of_word_suffix", model.endOfWordSuffix)] {
            if let affix = try json.optionalString(value, "model.\(field)"), !affix.isEmpty {
                throw TokenizerError.unsupported(file: file, field: "model.\(field)", type: "\"\(affix)\"")
            }
        }
        if try json.bool(model.byteFallback, "model.byte_fallback", default: false) {
            throw TokenizerError.unsupported(file: file, field: "model.byte_fallback", type: "true")
        }
        let ignoresMerges = try json.bool(model.ignoreMerges, "model.ignore_merges", default: false)
        let unknownToken = try json.optionalString(model.unkToken, "model.unk_token")
        let fusesUnknown = try json.bool(model.fuseUnk, "model.fuse_unk", default: false)

        var vocabulary = [String?](repeating: nil, count: model.vocab.count)
        for (token, id) in model.vocab {
            guard vocabulary.indices.contains(id) else {
                throw TokenizerError.inconsistentIDs(file: file, id: id, reason: "outside 0..<\(vocabulary.count)")
            }
            if let other = vocabulary[id] {
                throw TokenizerError.inconsistentIDs(file: file, id: id, reason: "both `\(other)` and `\(token)`")
            }
            vocabulary[id] = token
        }
        let merges = try model.merges.enumerated().map { rank, entry in
            switch entry {
            case .pair(let a, let b): return (a, b)
            case .line(let line):
                let parts = line.split(separator: " ", omittingEmptySubsequences: false)
                guard parts.count == 2 else { throw json.invalid("model.merges[\(rank)]", "expected \"a b\", got \"\(line)\"") }
                return (String(parts[0]), String(parts[1]))
            }
        }

        let addedTokens = try parseAddedTokens(top.addedTokens, json: json)
        let preTokenizer = try PreTokenizer(steps: parsePreTokenizer(top.preTokenizer, field: "pre_tokenizer",
                                                                     json: json))
        try checkDecoder(top.decoder, field: "decoder", json: json)

        var tokenIDs = model.vocab
        for token in addedTokens { tokenIDs[token.content] = token.id }
        let postProcessor = try parsePostProcessor(top.postProcessor, field: "post_processor", json: json)
        let config = try SpecialTokenConfig(besides: url, tokenIDs: tokenIDs)
        let complete = try vocabulary.enumerated().map { id, token in
            guard let token else { throw TokenizerError.inconsistentIDs(file: file, id: id, reason: "no token has this id") }
            return token
        }
        return try BPETokenizer(source: file, vocabulary: complete, merges: merges, addedTokens: addedTokens,
                                preTokenizer: preTokenizer, postProcessor: postProcessor,
                                ignoresMerges: ignoresMerges, unknownToken: unknownToken, fusesUnknown: fusesUnknown,
                                bosTokenID: config.bos ?? postProcessor.prefix.first,
                                eosTokenID: config.eos, padTokenID: config.pad)
    }

    /// `added_tokens`, each with its flags (Hugging Face defaults where absent).
    static func parseAddedTokens(_ value: JSONValue?, json: TokenizerJSONFields) throws -> [AddedToken] {
        try (value.map { try json.array($0, "added_tokens") } ?? []).enumerated().map { index, entry in
            let field = "added_tokens[\(index)]"
            let object = try json.object(entry, field)
            let special = try json.bool(object["special"], "\(field).special", default: false)
            return AddedToken(
                id: try json.int(object["id"], "\(field).id"),
                content: try json.string(object["content"], "\(field).content"),
                special: special,
                singleWord: try json.bool(object["single_word"], "\(field).single_word", default: false),
                lstrip: try json.bool(object["lstrip"], "\(field).lstrip", default: false),
                rstrip: try json.bool(object["rstrip"], "\(field).rstrip", default: false),
                normalized: try json.bool(object["normalized"], "\(field).normalized", default: !special))
        }
    }

    private static func parsePreTokenizer(_ value: JSONValue?, field: String, json: TokenizerJSONFields) throws -> [PreTokenizer.Step] {
        guard let value, !value.isNull else {
            throw TokenizerError.unsupported(file: json.file, field: field, type: "null (no ByteLevel)")
        }
        let object = try json.object(value, field)
        let type = try json.string(object["type"], "\(field).type")
        switch type {
        case "Sequence":
            return try json.sequence(object, key: "pretokenizers", field: field) { try parsePreTokenizer($0, field: $1, json: json) }
        case "ByteLevel":
            return [.byteLevel(
                addPrefixSpace: try json.bool(object["add_prefix_space"], "\(field).add_prefix_space", default: true),
                useRegex: try json.bool(object["use_regex"], "\(field).use_regex", default: true))]
        case "Digits":
            return [.digits(individual: try json.bool(object["individual_digits"], "\(field).individual_digits",
                                                      default: false))]
        case "Split":
            let pattern = try json.object(object["pattern"], "\(field).pattern")
            let source = try json.optionalString(pattern["Regex"], "\(field).pattern.Regex") ?? "(a String pattern)"
            guard let known = SplitPattern(regex: source) else {
                throw TokenizerError.unsupported(file: json.file, field: "\(field).pattern", type: source)
            }
            let behavior = try json.string(object["behavior"], "\(field).behavior")
            let invert = try json.bool(object["invert"], "\(field).invert", default: false)
            guard behavior == "Isolated", !invert else {
                throw TokenizerError.unsupported(file: json.file, field: "\(field).behavior",
                                                 type: invert ? "\(behavior), inverted" : behavior)
            }
            return [.split(known)]
        default:
            throw TokenizerError.unsupported(file: json.file, field: field, type: type)
        }
    }

    private static func checkDecoder(_ value: JSONValue?, field: String, json: TokenizerJSONFields) throws {
        guard let value, !value.isNull else {
            throw TokenizerError.unsupported(file: json.file, field: field, type: "null (no ByteLevel)")
        }
        let object = try json.object(value, field)
        let type = try json.string(object["type"], "\(field).type")
        switch type {
        case "ByteLevel": return
        case "Sequence":
            let steps = try json.array(object["decoders"], "\(field).decoders")
            guard steps.count == 1 else { throw TokenizerError.unsupported(file: json.file, field: field, type: "Sequence") }
            try checkDecoder(steps[0], field: "\(field).decoders[0]", json: json)
        default:
            throw TokenizerError.unsupported(file: json.file, field: field, type: type)
        }
    }

    static func parsePostProcessor(_ value: JSONValue?, field: String,
                                           json: TokenizerJSONFields) throws -> PostProcessor {
        guard let value, !value.isNull else { return .none }
        let object = try json.object(value, field)
        let type = try json.string(object["type"], "\(field).type")
        switch type {
        case "ByteLevel":
            return .none
        case "Sequence":
            return try json.array(object["processors"], "\(field).processors").enumerated().reduce(.none) { sum, item in
                let next = try parsePostProcessor(item.element, field: "\(field).processors[\(item.offset)]",
                                                  json: json)
                return PostProcessor(prefix: next.prefix + sum.prefix, suffix: sum.suffix + next.suffix)
            }
        case "RobertaProcessing", "BertProcessing":
            let id: (String) throws -> Int = { key in
                let pair = try json.array(object[key], "\(field).\(key)")
                guard pair.count == 2 else { throw json.invalid("\(field).\(key)", "expected [token, id]") }
                return try json.int(pair[1], "\(field).\(key)[1]")
            }
            return PostProcessor(prefix: [try id("cls")], suffix: [try id("sep")])
        case "TemplateProcessing":
            let specials = try json.object(object["special_tokens"] ?? .object([:]), "\(field).special_tokens")
            var result = PostProcessor(), seenSequence = false
            for (index, item) in try json.array(object["single"], "\(field).single").enumerated() {
                let itemField = "\(field).single[\(index)]"
                let entry = try json.object(item, itemField)
                if entry["Sequence"] != nil { seenSequence = true; continue }
                let special = try json.object(entry["SpecialToken"], "\(itemField).SpecialToken")
                let name = try json.string(special["id"], "\(itemField).SpecialToken.id")
                let definition = try json.object(specials[name], "\(field).special_tokens.\(name)")
                let ids = try json.array(definition["ids"], "\(field).special_tokens.\(name).ids").map {
                    try json.int($0, "\(field).special_tokens.\(name).ids")
                }
                if seenSequence { result.suffix += ids } else { result.prefix += ids }
            }
            return result
        default:
            throw TokenizerError.unsupported(file: json.file, field: field, type: type)
        }
    }
}

/// BOS/EOS/padding token names from a Hugging Face `tokenizer_config.json`, resolved to ids.
struct SpecialTokenConfig {
    var bos: Int?, eos: Int?, pad: Int?

    init(besides tokenizerURL: URL, tokenIDs: [String: Int]) throws {
        let url = tokenizerURL.deletingLastPathComponent().appendingPathComponent("tokenizer_config.json")
        guard FileManager.default.fileExists(atPath: url.path) else { return }
        let json = TokenizerJSONFields(file: url.path)
        let root: JSONValue
        do { root = try JSONDecoder().decode(JSONValue.self, from: try Data(contentsOf: url)) } catch {
            throw TokenizerError.unreadable(file: url.path, reason: InputFile.reason(for: error))
        }
        let config = try json.object(root, "(root)")
        func id(_ key: String) throws -> Int? {
            guard let value = config[key], !value.isNull else { return nil }
            // Either "<s>" or {"content": "<s>", ...}.
            let name = try value["content"].map { try json.string($0, "\(key).content") } ?? json.string(value, key)
            guard let id = tokenIDs[name] else { throw json.invalid(key, "`\(name)` is not a token") }
            return id
        }
        bos = try id("bos_token")
        eos = try id("eos_token")
        pad = try id("pad_token")
    }
}

/// The top level of `tokenizer.json`: the large vocabulary and merges decode directly, the rest as JSON trees.
struct TokenizerFileShape: Decodable {
    /// The top level of `data`, a `tokenizer.json`; failures name `file` and the field.
    static func decode(_ data: Data, file: String) throws -> TokenizerFileShape {
        do { return try JSONDecoder().decode(TokenizerFileShape.self, from: data) } catch let error as DecodingError {
            throw TokenizerError(file: file, decoding: error)
        } catch {
            throw TokenizerError.invalidField(file: file, field: "(root)", reason: InputFile.reason(for: error))
        }
    }

    var addedTokens, normalizer, preTokenizer, postProcessor, decoder: JSONValue?
    var model: Model

    struct Model: Decodable {
        var type, dropout, unkToken, continuingSubwordPrefix, endOfWordSuffix: JSONValue?
        var fuseUnk, byteFallback, ignoreMerges: JSONValue?
        var vocab: [String: Int]
        var merges: [Merge]

        enum CodingKeys: String, CodingKey {
            case type, dropout, vocab, merges
            case unkToken = "unk_token", continuingSubwordPrefix = "continuing_subword_prefix"
            case endOfWordSuffix = "end_of_word_suffix", fuseUnk = "fuse_unk", byteFallback = "byte_fallback"
            case ignoreMerges = "ignore_merges"
        }
    }

    /// A merge written as `"a b"` (older files) or `["a", "b"]`.
    enum Merge: Decodable {
        case line(String), pair(String, String)

        init(from decoder: any Decoder) throws {
            let value = try decoder.singleValueContainer()
            if let line = try? value.decode(String.self) { self = .line(line); return }
            let pair = try value.decode([String].self)
            guard pair.count == 2 else {
                throw DecodingError.dataCorruptedError(in: value, debugDescription: "expected two tokens")
            }
            self = .pair(pair[0], pair[1])
        }
    }

    enum CodingKeys: String, CodingKey {
        case normalizer, decoder, model
        case addedTokens = "added_tokens", preTokenizer = "pre_tokenizer", postProcessor = "post_processor"
    }
}

extension TokenizerError {
    /// A `JSONDecoder` failure as the field it names.
    init(file: String, decoding error: DecodingError) {
        func path(_ keys: [any CodingKey]) -> String {
            keys.map { $0.intValue.map { "[\($0)]" } ?? ".\($0.stringValue)" }.joined().trimmingPrefix(".").description
        }
        switch error {
        case .keyNotFound(let key, let context):
            self = .missingField(file: file, field: path(context.codingPath + [key]))
        case .valueNotFound(_, let context):
            self = .missingField(file: file, field: path(context.codingPath))
        case .typeMismatch(_, let context), .dataCorrupted(let context):
            self = .invalidField(file: file, field: path(context.codingPath), reason: context.debugDescription)
        @unknown default:
            self = .invalidField(file: file, field: "(root)", reason: InputFile.reason(for: error))
        }
    }
}
