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
        for (index, token) in addedTokens.enumerated() {
            out.raw(index == 0 ? "\n    {" : ",\n    {")
            out.raw("\"id\": \(token.id), \"content\": "); out.string(token.content)
            out.raw(", \"single_word\": \(token.singleWord), \"lstrip\": \(token.lstrip), \"rstrip\": \(token.rstrip)")
            out.raw(", \"normalized\": \(token.normalized), \"special\": \(token.special)}")
        }
        out.raw(addedTokens.isEmpty ? "],\n" : "\n  ],\n")
        out.raw("  \"normalizer\": null,\n  \"pre_tokenizer\": ")
        writePreTokenizer(&out)
        out.raw(",\n  \"post_processor\": ")
        writePostProcessor(&out)
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

    private func writePostProcessor(_ out: inout TokenizerJSONWriter) {
        guard postProcessor != .none else { return out.raw("null") }
        func special(_ id: Int) -> String {
            var name = TokenizerJSONWriter()
            name.string(tokens[id])
            return "{\"SpecialToken\": {\"id\": \(name.text), \"type_id\": 0}}"
        }
        let single = postProcessor.prefix.map(special) + ["{\"Sequence\": {\"id\": \"A\", \"type_id\": 0}}"]
            + postProcessor.suffix.map(special)
        let pair = single + ["{\"Sequence\": {\"id\": \"B\", \"type_id\": 1}}"]
        let definitions = Set(postProcessor.prefix + postProcessor.suffix).sorted().map { id -> String in
            var name = TokenizerJSONWriter()
            name.string(tokens[id])
            return "\(name.text): {\"id\": \(name.text), \"ids\": [\(id)], \"tokens\": [\(name.text)]}"
        }
        out.raw("{\"type\": \"TemplateProcessing\", \"single\": [\(single.joined(separator: ", "))], ")
        out.raw("\"pair\": [\(pair.joined(separator: ", "))], ")
        out.raw("\"special_tokens\": {\(definitions.joined(separator: ", "))}}")
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

    /// Writes the text to a temporary file beside `url`, then renames it over `url`.
    func writeAtomically(to url: URL) throws {
        let temporary = url.deletingLastPathComponent()
            .appendingPathComponent(".\(url.lastPathComponent).\(ProcessInfo.processInfo.globallyUniqueString).tmp")
        do {
            try Data(bytes).write(to: temporary)
        } catch {
            throw TokenizerError.unwritable(file: url.path, reason: InputFile.reason(for: error))
        }
        guard rename(temporary.path, url.path) == 0 else {  // POSIX rename replaces the target atomically
            let reason = String(cString: strerror(errno))
            try? FileManager.default.removeItem(at: temporary)
            throw TokenizerError.unwritable(file: url.path, reason: reason)
        }
    }
}
