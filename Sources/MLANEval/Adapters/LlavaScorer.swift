import Foundation
import MLANCore
import MLANData
import MLANModel

/// Evaluates a LLaVA model (`LlavaForConditionalGeneration`) on prompts with or without images.
///
/// A prompt renders through `template` into segments (`Prompt.segments(template:)`), which the tokenizer turns
/// into ids with one `config.imageTokenIndex` per image (BOS first when ``addsBOS``, as LLaVA's
/// `tokenizer_image_token` does). Each image file becomes pixel values through ``pixels`` (by default: PNG
/// or JPEG decoding, recognised by content, then ``imageProcessor``), once per scorer call; the model splices
/// the projected image rows where the placeholders stand.
///
/// - Log-likelihood follows lm-eval's conventions on the prompt's last text segment: its trailing whitespace
///   moves to the continuation, whose ids are those of `lastText + continuation` past `lastText`'s. Each
///   distinct context runs once, and its continuations run as one batch on its KV cache (`LogLikelihoodScorer`,
///   by token ids for text-only contexts, left-truncated like lm-eval, or by spliced embeddings with images).
/// - Generation is greedy from the spliced prompt embeddings (`Generator.generate(promptEmbeddings:)`).
/// - A prompt whose placeholders and image files differ in number throws ``ScorerError/imageCountMismatch``;
///   one whose images do not fit the model's length throws ``ScorerError/promptTooLong``.
///
/// ```swift
/// let model = try LlavaForConditionalGeneration.load(from: directory)
/// let scorer = LlavaScorer(model: model, tokenizer: tokenizer, template: try BuiltinTemplates.named("v1"),
///                          identity: "llava-smollm2 v1")
/// let prompt = Prompt(turns: [Turn(.user, "<image>\nIs there a dog?")], assistantPrefill: "The best answer is \"",
///                     images: [imageURL])
/// let answer = try scorer.generate([GenerationRequest(prompt: prompt, until: ["\""], maxNewTokens: 8)])
/// ```
public final class LlavaScorer: Scorer {
    /// The model: vision tower, projector and language model.
    public let model: LlavaForConditionalGeneration
    /// The language model's tokenizer.
    public let tokenizer: any Tokenizer
    /// Renders conversation prompts; nil leaves conversations unsupported.
    public let template: (any ConversationTemplate)?
    /// Turns a decoded image into the tower's pixel values in the default ``pixels``.
    public let imageProcessor: CLIPImageProcessor
    /// The pixel values `[3, H, W]` of an image file, at the tower's size.
    public let pixels: (URL) throws -> PixelValues
    /// Whether every prompt starts with the tokenizer's BOS id.
    public let addsBOS: Bool
    /// Reported as the run's model.
    public let identity: String

    /// A scorer for `model` with its `tokenizer`, rendering conversations with `template`.
    /// - Parameters:
    ///   - imageProcessor: default LLaVA-1.5's (`image_aspect_ratio pad`, CLIP mean and deviation) at the
    ///     tower's image size; for a non-square tower (`image_width`), a centre crop to its height and width.
    ///   - addsBOS: default true when the tokenizer's own post-processor puts its BOS first (Llama 2, Vicuna),
    ///     false otherwise (SmolLM2's GGUF).
    ///   - pixels: where pixel values come from (e.g. a training run's preprocessed image store); default: the
    ///     file decoded as PNG or JPEG by its content (`ImageDecoder.decode`), then `imageProcessor`.
    public init(model: LlavaForConditionalGeneration, tokenizer: any Tokenizer, template: (any ConversationTemplate)?,
                imageProcessor: CLIPImageProcessor? = nil, addsBOS: Bool? = nil, identity: String,
                pixels: ((URL) throws -> PixelValues)? = nil) {
        self.model = model
        self.tokenizer = tokenizer
        self.template = template
        let vision = model.config.visionConfig
        let processor = imageProcessor
            ?? CLIPImageProcessor(shortestEdge: vision.imageSize, cropSize: vision.imageSize, cropWidth: vision.imageWidth,
                                  padToSquare: vision.imageWidth == nil)
        self.imageProcessor = processor
        self.pixels = pixels ?? { url in processor(try ImageDecoder.decode(contentsOf: url)) }
        let bos = tokenizer.bosTokenID
        self.addsBOS = addsBOS ?? (bos != nil && tokenizer.encode("", addSpecialTokens: true).first == bos)
        precondition(!self.addsBOS || bos != nil, "addsBOS needs a tokenizer with a BOS id")
        self.identity = identity
    }

    /// lm-eval's pair encoding, truncation and rolling windows for this tokenizer and the language model.
    var encoding: LMEvalEncoding {
        LMEvalEncoding(tokenizer: tokenizer, maxLength: model.config.textConfig.maxPositionEmbeddings)
    }

    /// Each continuation's summed log-probability after its context; each distinct context runs once.
    /// - Throws: ``ScorerError/imageCountMismatch`` or ``ScorerError/promptTooLong`` for such a prompt,
    ///   `ImageError` for an image file that cannot be read (or whatever ``pixels`` throws), `ModelError` for
    ///   pixel values of another size than the tower's, template errors for conversations.
    public func loglikelihood(_ requests: [LoglikelihoodRequest]) throws -> [LoglikelihoodResult] {
        var results = [LoglikelihoodResult?](repeating: nil, count: requests.count)
        var images = ImageCache(source: pixels)
        let scorer = LogLikelihoodScorer(model: model.languageModel)
        let encoding = encoding
        for group in LoglikelihoodRequest.groupedByContext(requests) {
            let segments = try checkedSegments(group.context)
            let pixels = try group.context.images.map { try images.tensor($0) }
            // Pairs whose context ids agree share one forward pass.
            var byContext: [[Int]: [(index: Int, continuation: [Int])]] = [:]
            var order: [[Int]] = []
            for index in group.indices {
                var (context, continuation) = encodePair(segments, requests[index].continuation)
                if pixels.isEmpty { (context, continuation) = encoding.truncate(context, continuation) }
                if byContext[context] == nil { order.append(context) }
                byContext[context, default: []].append((index, continuation))
            }
            for context in order {
                let members = byContext[context] ?? []
                let continuations = members.map(\.continuation)
                let scores: [ContinuationScore]
                if pixels.isEmpty {
                    scores = try scorer.score(context: context, continuations: continuations)
                } else {
                    let inputs = try spliced(context, pixels, prompt: group.context)
                    let longest = continuations.map(\.count).max() ?? 0
                    try checkLength(inputs.paddedLength + longest - 1, prompt: group.context)
                    scores = try scorer.score(contextEmbeddings: inputs.embeddings, continuations: continuations)
                }
                for (member, score) in zip(members, scores) {
                    results[member.index] = LoglikelihoodResult(logprob: score.logProbability, isGreedy: score.isGreedy)
                }
            }
        }
        return results.compactMap { $0 }
    }

    /// The summed log-probability of each text prompt's tokens, in windows of the model's length.
    /// - Throws: ``ScorerError/unsupported`` for a prompt with images; template errors for conversations.
    public func loglikelihoodRolling(_ prompts: [Prompt]) throws -> [Double] {
        let scorer = LogLikelihoodScorer(model: model.languageModel), encoding = encoding
        return try prompts.map { prompt in
            let segments = try checkedSegments(prompt)
            guard prompt.images.isEmpty else {
                throw ScorerError.unsupported(scorer: identity, reason: "rolling log-likelihood of a prompt with images")
            }
            let ids = tokenizer.encode(segments, imagePlaceholder: model.config.imageTokenIndex, addBOS: false).ids
            return try encoding.rollingLogLikelihood(ids, scorer: scorer)
        }
    }

    /// Greedy continuations from the spliced prompts, stopped at end-of-sequence, a stop string or
    /// `maxNewTokens`. Text-only prompts longer than the model's length lose their first tokens.
    /// - Throws: as ``loglikelihood(_:)``.
    public func generate(_ requests: [GenerationRequest]) throws -> [String] {
        var images = ImageCache(source: pixels)
        let generator = Generator(model: model.languageModel, tokenizer: tokenizer)
        let encoding = encoding
        return try requests.map { request in
            let segments = try checkedSegments(request.prompt)
            let pixels = try request.prompt.images.map { try images.tensor($0) }
            var ids = tokenizer.encode(segments, imagePlaceholder: model.config.imageTokenIndex, addBOS: addsBOS).ids
            if pixels.isEmpty { ids = encoding.generationPrompt(ids, maxNewTokens: request.maxNewTokens) }
            let inputs = try spliced(ids, pixels, prompt: request.prompt)
            try checkLength(inputs.paddedLength + request.maxNewTokens - 1, prompt: request.prompt)
            return try generator.generate(promptEmbeddings: inputs.embeddings, maxNewTokens: request.maxNewTokens,
                                      stopStrings: request.until).text
        }
    }

    /// The prompt's segments, after checking that its image slots and image files pair up.
    /// - Throws: ``ScorerError/imageCountMismatch``; template errors.
    func checkedSegments(_ prompt: Prompt) throws -> [Segment] {
        let segments = try prompt.segments(template: template)
        let slots = segments.filter { $0.content == .image }.count
        guard slots == prompt.images.count else {
            throw ScorerError.imageCountMismatch(scorer: identity, prompt: prompt.transcript, placeholders: slots,
                                                 images: prompt.images.count)
        }
        return segments
    }

    /// lm-eval's pair encoding over segments: context ids (image slots as `imageTokenIndex`, BOS first when
    /// ``addsBOS``; `[BOS or end-of-text]` when nothing else) and continuation ids.
    func encodePair(_ segments: [Segment], _ continuation: String) -> (context: [Int], continuation: [Int]) {
        var prefix = segments, continuationIDs: [Int]
        if case .text(let last)? = segments.last?.content {
            let (context, moved) = LMEvalEncoding.movingTrailingWhitespace(last, continuation)
            prefix.removeLast()
            if context.isEmpty {
                continuationIDs = tokenizer.encode(moved, addSpecialTokens: false)
            } else {
                prefix.append(Segment(.text(context)))
                continuationIDs = encoding.continuationIDs(after: context, moved).continuation
            }
        } else {
            continuationIDs = tokenizer.encode(continuation, addSpecialTokens: false)
        }
        let context = tokenizer.encode(prefix, imagePlaceholder: model.config.imageTokenIndex, addBOS: addsBOS).ids
        return (context.isEmpty ? [encoding.prefixTokenID] : context, continuationIDs)
    }

    /// The context ids with `pixels` spliced in: embeddings `[1, T, D]`.
    /// - Throws: ``ScorerError/imageCountMismatch`` when the model's splice disagrees,
    ///   ``ScorerError/promptTooLong`` when the spliced prompt exceeds the language model's length.
    func spliced(_ ids: [Int], _ pixels: [Tensor], prompt: Prompt) throws -> LlavaInputs {
        let example = TokenizedExample(ids: ids, isTarget: Array(repeating: false, count: ids.count))
        do {
            return try withoutGradients { try model.inputs([example], images: [pixels]) }
        } catch ModelError.imageCountMismatch(let placeholders, let images) {
            throw ScorerError.imageCountMismatch(scorer: identity, prompt: prompt.transcript, placeholders: placeholders,
                                                 images: images)
        } catch ModelError.sequenceTooLong(let length, let limit) {
            throw ScorerError.promptTooLong(scorer: identity, prompt: prompt.transcript, length: length, limit: limit)
        }
    }

    /// Throws ``ScorerError/promptTooLong`` when `positions` exceed the language model's length.
    func checkLength(_ positions: Int, prompt: Prompt) throws {
        let limit = model.config.textConfig.maxPositionEmbeddings
        guard positions <= limit else {
            throw ScorerError.promptTooLong(scorer: identity, prompt: prompt.transcript, length: positions, limit: limit)
        }
    }
}
