import Foundation

/// Where the built-in tasks find their files, and their options.
public struct BuiltinTaskOptions: Sendable {
    /// The data folder laid out as `../shared/data` (see its MANIFEST.md); built-in definitions' relative
    /// paths (documents, image roots) resolve against it.
    public var dataDirectory: URL
    /// The COCO val2014 images POPE asks about (not shipped with the data); required for `pope_*`.
    public var popeImageDirectory: URL?
    /// Which NLVR image(s) each statement is evaluated against (default: permutation 0).
    public var nlvrImages: NLVRImageSelection

    /// Options for a data folder.
    public init(dataDirectory: URL, popeImageDirectory: URL? = nil, nlvrImages: NLVRImageSelection = .first) {
        self.dataDirectory = dataDirectory
        self.popeImageDirectory = popeImageDirectory
        self.nlvrImages = nlvrImages
    }
}
