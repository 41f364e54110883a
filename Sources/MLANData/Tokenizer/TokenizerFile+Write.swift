import Foundation

extension BPETokenizer {
    /// Writes this tokenizer as a Hugging Face `tokenizer.json` (vocabulary in id order, merges as pairs),
    /// atomically: a temporary file in the same folder, then a rename.
    ///
    /// BOS/EOS/padding ids are not part of `tokenizer.json` and are not written.
    /// - Throws: `TokenizerError.unwritable` when the file cannot be written.
    public func write(to url: URL) throws {
        var out = TokenizerJSONWriter()
        out.raw("{\n  \"version\": \"1.0\",\n  \"truncation\": null,\n  \"padding\": null,\n  \"added_tokens\": [")
        out.addedTokens(addedTokens)
        out.raw("  \"normalizer\": null,\n  \"pre_tokenizer\": ")
        writePreTokenizer(&out)
        out.raw(",\n  \"post_processor\": ")
        out.templateProcessing(postProcessor, name: { tokens[$0] })
        out.raw(",\n  \"decoder\": {\"type\": \"ByteLevel\", \"add_prefix_space\": true, \"trim_offsets\": true, ")
        out.raw("\"use_regex\": true},\n")
        out.raw("  \"model\": {\n    \"type\": \"BPE\", \"dropout\": null, \"unk_token\": ")
        if let unknownTokenID { out.string(tokens[unknownTokenID]) } else { out.raw("null") }
        out.raw(", \"continuing_subword_prefix\": null, \"end_of_word_suffix\": null, \"fuse_unk\": \(fusesUnknown), ")
        out.raw("\"byte_fallback\": false, \"ignore_merges\": \(ignoresMerges),\n    \"vocab\": {")
        for (id, token) in vocabulary.enumerated() {
            out.raw(id == 0 ? "\n      " : ",\n      ")
            out.string(token); out.raw(": \(id)")
        }
        out.raw("\n    },\n    \"merges\": [")
        for (rank, (a, b)) in merges.enumerated() {
            out.raw(rank == 0 ? "\n      [" : ",\n      [")
            out.string(vocabulary[a]); out.raw(", "); out.string(vocabulary[b]); out.raw("]")
        }
        out.raw("\n    ]\n  }\n}\n")
        try out.writeAtomically(to: url)
    }

    private func writePreTokenizer(_ out: inout TokenizerJSONWriter) {
        let steps = preTokenizer.steps.map { step -> String in
            switch step {
            case .digits(let individual):
                return "{\"type\": \"Digits\", \"individual_digits\": \(individual)}"
            case .byteLevel(let addPrefixSpace, let useRegex):
                return "{\"type\": \"ByteLevel\", \"add_prefix_space\": \(addPrefixSpace), \"trim_offsets\": true, "
                    + "\"use_regex\": \(useRegex)}"
            case .split(let pattern):
                var regex = TokenizerJSONWriter()
                regex.string(pattern.regex)
                return "{\"type\": \"Split\", \"pattern\": {\"Regex\": \(regex.text)}, \"behavior\": \"Isolated\", "
                    + "\"invert\": false}"
            }
        }
        out.raw(steps.count == 1 ? steps[0]
                : "{\"type\": \"Sequence\", \"pretokenizers\": [\(steps.joined(separator: ", "))]}")
    }
}

/// Builds JSON text by hand, so key order (vocabulary by id) and string bytes are exactly as intended.
struct TokenizerJSONWriter {
    private(set) var bytes: [UInt8] = []

    var text: String { String(decoding: bytes, as: UTF8.self) }

    mutating func raw(_ text: String) { bytes += text.utf8 }

    /// A JSON string literal: UTF-8 kept as is, quotes, backslashes and control characters escaped.
    mutating func string(_ value: String) {
        bytes.append(UInt8(ascii: "\""))
        for byte in value.utf8 {
            switch byte {
            case UInt8(ascii: "\""): bytes += [0x5C, 0x22]
            case UInt8(ascii: "\\"): bytes += [0x5C, 0x5C]
            case 0x0A: bytes += [0x5C, UInt8(ascii: "n")]
            case 0x0D: bytes += [0x5C, UInt8(ascii: "r")]
            case 0x09: bytes += [0x5C, UInt8(ascii: "t")]
            case 0..<0x20:
                let hex = Array("0123456789abcdef".utf8)
                bytes += Array("\\u00".utf8) + [hex[Int(byte >> 4)], hex[Int(byte & 0xF)]]
            default: bytes.append(byte)
            }
        }
        bytes.append(UInt8(ascii: "\""))
    }

    /// Writes the text to `url` with `AtomicFile` (a temporary file beside it, flushed, then renamed); the folder
    /// must exist.
    /// - Throws: `TokenizerError.unwritable` naming the file.
    func writeAtomically(to url: URL) throws {
        var isFolder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: url.deletingLastPathComponent().path, isDirectory: &isFolder),
              isFolder.boolValue else {
            throw TokenizerError.unwritable(file: url.path, reason: "no folder \(url.deletingLastPathComponent().path)")
        }
        do { try AtomicFile.write(bytes, to: url) } catch {
            throw TokenizerError.unwritable(file: url.path, reason: error.description)
        }
    }

    /// A JSON string literal of `value`.
    static func quoted(_ value: String) -> String {
        var out = TokenizerJSONWriter()
        out.string(value)
        return out.text
    }

    /// The entries of `added_tokens` (after its `[`), through the closing `],` line.
    mutating func addedTokens(_ tokens: [AddedToken]) {
        for (index, token) in tokens.enumerated() {
            raw(index == 0 ? "\n    {" : ",\n    {")
            raw("\"id\": \(token.id), \"content\": "); string(token.content)
            raw(", \"single_word\": \(token.singleWord), \"lstrip\": \(token.lstrip), \"rstrip\": \(token.rstrip)")
            raw(", \"normalized\": \(token.normalized), \"special\": \(token.special)}")
        }
        raw(tokens.isEmpty ? "],\n" : "\n  ],\n")
    }

    /// `post_processor`: a `TemplateProcessing` adding `postProcessor`'s ids (named by `name`), or `null`.
    mutating func templateProcessing(_ postProcessor: PostProcessor, name: (Int) -> String) {
        guard postProcessor != .none else { return raw("null") }
        func special(_ id: Int) -> String { "{\"SpecialToken\": {\"id\": \(Self.quoted(name(id))), \"type_id\": 0}}" }
        let single = postProcessor.prefix.map(special) + ["{\"Sequence\": {\"id\": \"A\", \"type_id\": 0}}"]
            + postProcessor.suffix.map(special)
        let pair = single + ["{\"Sequence\": {\"id\": \"B\", \"type_id\": 1}}"]
        let definitions = Set(postProcessor.prefix + postProcessor.suffix).sorted().map { id -> String in
            let quoted = Self.quoted(name(id))
            return "\(quoted): {\"id\": \(quoted), \"ids\": [\(id)], \"tokens\": [\(quoted)]}"
        }
        raw("{\"type\": \"TemplateProcessing\", \"single\": [\(single.joined(separator: ", "))], ")
        raw("\"pair\": [\(pair.joined(separator: ", "))], ")
        raw("\"special_tokens\": {\(definitions.joined(separator: ", "))}}")
    }
}
