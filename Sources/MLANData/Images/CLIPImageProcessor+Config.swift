import Foundation

extension CLIPImageProcessor {
    /// The image processor types whose steps this processor reproduces (transformers' class names; the `Fast`
    /// and `Pil` variants compute the same values).
    static let knownTypes: Set<String> = ["CLIPImageProcessor", "CLIPImageProcessorFast", "CLIPImageProcessorPil",
                                          "LlavaImageProcessor", "LlavaImageProcessorFast", "LlavaImageProcessorPil"]

    /// Reads a Hugging Face `preprocessor_config.json` of a `CLIPImageProcessor` (llava-hf checkpoints: no padding)
    /// or a `LlavaImageProcessor` (`do_pad`: LLaVA-1.5's pad to square with the mean colour).
    ///
    /// Read: `size` (`{"shortest_edge": N}`, a bare number, or `{"height", "width"}`), `crop_size` (`{"height",
    /// "width"}` or a number), `do_center_crop`, `rescale_factor`, `image_mean`, `image_std`, `do_pad`. A `size` of
    /// height × width resizes to exactly that (a ``stretch`` processor); it needs `do_center_crop` false or a
    /// `crop_size` equal to it. `do_resize`, `do_rescale` and `do_normalize` must not be switched off, and
    /// `resample` must be 3 (bicubic).
    /// - Throws: `ImageError.invalidProcessorConfig` naming the file and the field.
    public static func load(from url: URL) throws -> CLIPImageProcessor {
        let file = url.path
        let json: JSONValue
        do { json = try JSONValue.parse(Array(try Data(contentsOf: url))) } catch {
            throw ImageError.invalidProcessorConfig(file: file, field: "(file)", reason: InputFile.reason(for: error))
        }
        guard case .object(let fields) = json else {
            throw ImageError.invalidProcessorConfig(file: file, field: "(top level)", reason: "expected an object")
        }
        func fail(_ field: String, _ reason: String) -> ImageError {
            .invalidProcessorConfig(file: file, field: field, reason: reason)
        }
        func flag(_ key: String, default value: Bool) throws -> Bool {
            guard let raw = fields[key], !raw.isNull else { return value }
            guard let bool = raw.boolValue else { throw fail(key, "expected true or false, got \(raw)") }
            return bool
        }
        func side(_ key: String, inner: String) throws -> (height: Int, width: Int)? {
            guard let raw = fields[key], !raw.isNull else { return nil }
            if let n = raw.intValue, n > 0 { return (n, n) }
            if let n = raw[inner]?.intValue, n > 0 { return (n, n) }
            if let h = raw["height"]?.intValue, let w = raw["width"]?.intValue, h > 0, w > 0 { return (h, w) }
            throw fail(key, "expected a positive size, {\"\(inner)\": N} or {\"height\", \"width\"}, got \(raw)")
        }
        func triple(_ key: String, default value: [Float]) throws -> [Float] {
            guard let raw = fields[key], !raw.isNull else { return value }
            guard let values = raw.arrayValue?.compactMap(\.doubleValue), values.count == 3, raw.arrayValue?.count == 3 else {
                throw fail(key, "expected three numbers, got \(raw)")
            }
            return values.map(Float.init)
        }
        if let type = fields["image_processor_type"]?.stringValue, !knownTypes.contains(type) {
            throw fail("image_processor_type", "'\(type)' is not CLIPImageProcessor or LlavaImageProcessor")
        }
        for key in ["do_resize", "do_rescale", "do_normalize"] where try !flag(key, default: true) {
            throw fail(key, "false is not supported (MLAN always resizes, rescales and normalizes)")
        }
        let crops = try flag("do_center_crop", default: true)
        if let raw = fields["resample"], !raw.isNull, raw.intValue != 3 {
            throw fail("resample", "\(raw) is not 3 (bicubic), the only filter MLAN implements")
        }
        guard let size = try side("size", inner: "shortest_edge") else { throw fail("size", "missing") }
        let exact = fields["size"]?["height"] != nil
        let crop = crops ? try side("crop_size", inner: "shortest_edge") ?? size : size
        if exact && crops && (fields["crop_size"] == nil || crop.height != size.height || crop.width != size.width) {
            throw fail("size", "a resize to a fixed height × width is supported without a crop (do_center_crop false) "
                       + "or with crop_size equal to it")
        }
        if !crops && !exact {
            throw fail("do_center_crop", "false is supported only with size {\"height\", \"width\"} (a resize to a fixed size)")
        }
        var rescale = 1.0 / 255.0
        if let raw = fields["rescale_factor"], !raw.isNull {
            guard let value = raw.doubleValue, value > 0 else { throw fail("rescale_factor", "expected a positive number") }
            rescale = value
        }
        let std = try triple("image_std", default: clipStd)
        if std.contains(where: { $0 == 0 }) { throw fail("image_std", "a zero deviation divides by zero") }
        return CLIPImageProcessor(shortestEdge: size.height, cropSize: crop.height,
                                  cropWidth: crop.width == crop.height ? nil : crop.width,
                                  padToSquare: try flag("do_pad", default: false), stretch: exact, rescaleFactor: rescale,
                                  mean: try triple("image_mean", default: clipMean), std: std)
    }

    /// This processor as a `preprocessor_config.json` transformers reads: a `LlavaImageProcessor` with `do_pad`
    /// when it pads to square, else a `CLIPImageProcessor` (bicubic, centre crop or a stretch to a fixed size,
    /// rescale, normalize).
    public var preprocessorConfig: JSONValue {
        // A Float's shortest decimal, so 0.48145466 is written as given rather than as its binary expansion.
        func number(_ value: Float) -> JSONValue { .double(Double("\(value)") ?? Double(value)) }
        var fields: [String: JSONValue] = [
            "image_processor_type": .string(padToSquare ? "LlavaImageProcessor" : "CLIPImageProcessor"),
            "do_resize": true, "resample": 3, "do_center_crop": .bool(!stretch),
            "size": stretch ? ["height": .int(cropSize), "width": .int(cropWidth ?? cropSize)] : ["shortest_edge": .int(shortestEdge)],
            "crop_size": ["height": .int(cropSize), "width": .int(cropWidth ?? cropSize)],
            "do_rescale": true, "rescale_factor": .double(rescaleFactor),
            "do_normalize": true, "image_mean": .array(mean.map(number)), "image_std": .array(std.map(number)),
            "do_convert_rgb": true, "processor_class": "LlavaProcessor",
        ]
        if padToSquare { fields["do_pad"] = true }
        return .object(fields)
    }
}
