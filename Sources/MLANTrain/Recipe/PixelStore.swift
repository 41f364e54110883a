import Foundation
import MLANData

/// Loads images for a vision tower with a `CLIPImageProcessor` (by default no padding; the shortest edge resized to
/// the tower's height, then a centre crop to height × width, CLIP normalisation), so training sees exactly what the
/// evaluator's LLaVA scorer sees. Results are cached by path.
public final class PixelStore: @unchecked Sendable {
    /// The folder relative paths are read from.
    public let root: URL
    /// Resizes, crops and normalises each image for the tower.
    public let processor: CLIPImageProcessor
    private var cache: [String: PixelValues] = [:]
    private let lock = NSLock()

    /// A store reading paths relative to `root` through `processor`.
    public init(root: URL, processor: CLIPImageProcessor) {
        self.root = root
        self.processor = processor
    }

    /// A store reading paths relative to `root` for a `height`×`width` tower (shortest edge to `height`, centre crop).
    public convenience init(root: URL, width: Int, height: Int) {
        self.init(root: root, processor: CLIPImageProcessor(shortestEdge: height, cropSize: height, cropWidth: width))
    }

    /// The pixel values of the image at `path` (relative to `root`, or absolute).
    /// - Throws: `ImageError` naming the file when it is missing, not a PNG or JPEG, or broken.
    public func pixels(_ path: String) throws -> PixelValues {
        lock.lock(); defer { lock.unlock() }
        if let hit = cache[path] { return hit }
        let url = path.hasPrefix("/") ? URL(fileURLWithPath: path) : root.appendingPathComponent(path)
        let value = processor(try ImageDecoder.decode(contentsOf: url))
        cache[path] = value
        return value
    }
}
