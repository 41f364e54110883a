/// Pixel values ready for a CLIP vision tower: `[3, height, width]` Float32, channel-major (CHW).
public struct PixelValues: Sendable, Equatable {
    /// Rows.
    public let height: Int
    /// Columns.
    public let width: Int
    /// `3 * height * width` values: all of R, then G, then B.
    public var values: [Float]

    /// Values for a `[3, height, width]` image; `values.count` must be `3 * height * width`.
    public init(height: Int, width: Int, values: [Float]) {
        precondition(values.count == 3 * height * width,
                     "pixel values [3, \(height), \(width)] need \(3 * height * width) floats, got \(values.count)")
        self.height = height
        self.width = width
        self.values = values
    }

    /// The shape, `[3, height, width]`.
    public var shape: [Int] { [3, height, width] }
}

/// Hugging Face's `CLIPImageProcessor` on PNG-decoded images, with LLaVA's optional pad-to-square.
///
/// Steps: pad to square with the mean colour (LLaVA's `expand2square`, when `padToSquare`); resize the shortest
/// edge to `shortestEdge` with Pillow's bicubic filter (the long edge is `Int(shortestEdge * long / short)`,
/// truncated, as `get_resize_output_image_size(default_to_square=False)` computes it); centre-crop to
/// `cropSize` with HF's offsets (`(side - crop) // 2`, zero-padded when the image is smaller); multiply by
/// `rescaleFactor`; normalise with `mean` and `std`. A `stretch` processor instead resizes straight to the crop's
/// height and width, whatever the aspect ratio, and does not crop (transformers' `size: {height, width}` with
/// `do_center_crop: false`).
///
/// ```swift
/// let processor = CLIPImageProcessor.llava          // 336 px, padded to square
/// let image = try ImageDecoder.decode(contentsOf: url)  // PNG or JPEG, by content
/// let pixels = processor(image)                     // [3, 336, 336]
/// ```
public struct CLIPImageProcessor: Sendable, Equatable {
    /// The shortest edge after resizing (`size.shortest_edge`).
    public var shortestEdge: Int
    /// The side (height) after centre-cropping (`crop_size`).
    public var cropSize: Int
    /// The width after centre-cropping when it differs from `cropSize` (MLAN's non-square micro towers).
    public var cropWidth: Int?
    /// Pad to a square of the background colour before resizing (LLaVA's `image_aspect_ratio pad`).
    public var padToSquare: Bool
    /// Resize to `cropSize` × `cropWidth` ignoring the aspect ratio, with no crop (`shortestEdge` is then unused).
    public var stretch: Bool
    /// The value pixels are multiplied by before normalising.
    public var rescaleFactor: Double
    /// Per-channel mean, subtracted after rescaling.
    public var mean: [Float]
    /// Per-channel standard deviation, divided by after subtracting the mean.
    public var std: [Float]

    /// A processor that resizes every image to `height` × `width` (bicubic, aspect ratio not kept), then rescales and
    /// normalises: how MLAN's square towers see NLVR's 4:1 scenes without cropping or padding them.
    public static func stretched(height: Int, width: Int) -> CLIPImageProcessor {
        precondition(width > 0, "width must be positive, got \(width)")
        return CLIPImageProcessor(shortestEdge: height, cropSize: height, cropWidth: width == height ? nil : width,
                                  stretch: true)
    }

    /// OpenAI CLIP's normalisation mean.
    public static let clipMean: [Float] = [0.48145466, 0.4578275, 0.40821073]
    /// OpenAI CLIP's normalisation standard deviation.
    public static let clipStd: [Float] = [0.26862954, 0.26130258, 0.27577711]
    /// LLaVA-1.5's processor: CLIP ViT-L/14-336 with pad-to-square.
    public static let llava = CLIPImageProcessor(shortestEdge: 336, padToSquare: true)

    /// A processor; `cropSize` defaults to `shortestEdge`, `cropWidth` to `cropSize` (a square crop).
    public init(shortestEdge: Int = 336, cropSize: Int? = nil, cropWidth: Int? = nil, padToSquare: Bool = false,
                stretch: Bool = false, rescaleFactor: Double = 1.0 / 255.0, mean: [Float] = CLIPImageProcessor.clipMean,
                std: [Float] = CLIPImageProcessor.clipStd) {
        precondition(shortestEdge > 0, "shortestEdge must be positive, got \(shortestEdge)")
        precondition(mean.count == 3 && std.count == 3, "mean and std need 3 values, got \(mean.count), \(std.count)")
        self.shortestEdge = shortestEdge
        self.cropSize = cropSize ?? shortestEdge
        self.cropWidth = cropWidth
        self.padToSquare = padToSquare
        self.stretch = stretch
        self.rescaleFactor = rescaleFactor
        self.mean = mean
        self.std = std
    }

    /// The padding colour: each mean channel times 255, truncated (LLaVA's `tuple(int(x * 255) for x in mean)`);
    /// `(122, 116, 104)` for CLIP.
    public var background: (UInt8, UInt8, UInt8) {
        (UInt8(Double(mean[0]) * 255), UInt8(Double(mean[1]) * 255), UInt8(Double(mean[2]) * 255))
    }

    /// The `(height, width)` the resize produces for an image of `height` x `width`.
    public func resizedSize(height: Int, width: Int) -> (height: Int, width: Int) {
        if stretch { return (cropSize, cropWidth ?? cropSize) }
        let short = min(width, height), long = max(width, height)
        let newLong = Int(Double(shortestEdge * long) / Double(short))
        return width <= height ? (newLong, shortestEdge) : (shortestEdge, newLong)
    }

    /// The image after padding (if configured), resizing and cropping, still 8-bit.
    public func resizedAndCropped(_ image: RGBImage) -> RGBImage {
        let square = padToSquare ? image.paddedToSquare(background: background) : image
        if stretch { return BicubicResampler.resize(square, width: cropWidth ?? cropSize, height: cropSize) }
        let size = resizedSize(height: square.height, width: square.width)
        let resized = BicubicResampler.resize(square, width: size.width, height: size.height)
        return Self.centerCrop(resized, height: cropSize, width: cropWidth ?? cropSize)
    }

    /// The pixel values of `image`, `[3, cropSize, cropWidth ?? cropSize]`.
    public func callAsFunction(_ image: RGBImage) -> PixelValues {
        let cropped = resizedAndCropped(image)
        let plane = cropped.width * cropped.height
        var values = [Float](repeating: 0, count: 3 * plane)
        for channel in 0..<3 {
            for i in 0..<plane {
                let rescaled = Float(Double(cropped.pixels[i * 3 + channel]) * rescaleFactor)
                values[channel * plane + i] = (rescaled - mean[channel]) / std[channel]
            }
        }
        return PixelValues(height: cropped.height, width: cropped.width, values: values)
    }

    /// HF's `center_crop`: offset `(side - crop) // 2`; when the image is smaller than the crop it is first
    /// placed on a zero canvas at offset `ceil((crop - side) / 2)`.
    static func centerCrop(_ image: RGBImage, height: Int, width: Int) -> RGBImage {
        let canvasHeight = max(height, image.height), canvasWidth = max(width, image.width)
        let padTop = (canvasHeight - image.height + 1) / 2, padLeft = (canvasWidth - image.width + 1) / 2
        let top = floorDivide(image.height - height, 2) + padTop
        let left = floorDivide(image.width - width, 2) + padLeft
        var out = [UInt8](repeating: 0, count: height * width * 3)
        for y in 0..<height {
            let sourceY = top + y - padTop
            guard sourceY >= 0 && sourceY < image.height else { continue }  // zero padding row
            for x in 0..<width {
                let sourceX = left + x - padLeft
                guard sourceX >= 0 && sourceX < image.width else { continue }  // zero padding column
                let source = (sourceY * image.width + sourceX) * 3, target = (y * width + x) * 3
                out[target] = image.pixels[source]
                out[target + 1] = image.pixels[source + 1]
                out[target + 2] = image.pixels[source + 2]
            }
        }
        return RGBImage(width: width, height: height, pixels: out)
    }

    /// Python's `//` for integers: rounds toward negative infinity.
    static func floorDivide(_ a: Int, _ b: Int) -> Int {
        let quotient = a / b
        return (a % b != 0 && (a < 0) != (b < 0)) ? quotient - 1 : quotient
    }
}
