import Foundation

/// The shared data folder (`../shared/data` in the project's layout), looked up in three places, first found wins.
///
/// 1. `$MLAN_SHARED/data` when `MLAN_SHARED` is set and non-empty;
/// 2. `../shared/data` relative to the current directory (running from the repository's root);
/// 3. `../shared/data` relative to the repository the running executable was built in: the nearest folder above
///    the executable (symbolic links resolved) that holds a `Package.swift`.
///
/// A folder counts when it exists. When none does, `locate()` throws, listing every place it looked.
public enum SharedDataDirectory {
    /// The places looked at, in order (duplicates removed).
    public static func candidates(environment: [String: String] = ProcessInfo.processInfo.environment,
                                  currentDirectory: URL = URL(fileURLWithPath: FileManager.default.currentDirectoryPath),
                                  executable: URL = URL(fileURLWithPath: "/proc/self/exe")) -> [URL] {
        var found: [URL] = []
        if let shared = environment["MLAN_SHARED"], !shared.isEmpty {
            found.append(URL(fileURLWithPath: shared).appendingPathComponent("data"))
        }
        found.append(currentDirectory.appendingPathComponent("../shared/data").standardizedFileURL)
        if let repository = repositoryRoot(containing: executable.resolvingSymlinksInPath()) {
            found.append(repository.appendingPathComponent("../shared/data").standardizedFileURL)
        }
        var seen = Set<String>()
        return found.filter { seen.insert($0.path).inserted }
    }

    /// The first candidate that is a folder.
    /// - Throws: `ExperimentError.dataDirectoryNotFound` naming every candidate when none exists.
    public static func locate(candidates places: [URL] = candidates()) throws -> URL {
        for place in places {
            var isDirectory: ObjCBool = false
            if FileManager.default.fileExists(atPath: place.path, isDirectory: &isDirectory), isDirectory.boolValue {
                return place
            }
        }
        throw ExperimentError.dataDirectoryNotFound(searched: places.map(\.path))
    }

    /// The nearest folder above `file` holding a `Package.swift`.
    public static func repositoryRoot(containing file: URL) -> URL? {
        var folder = file.deletingLastPathComponent()
        while folder.path != "/" {
            if FileManager.default.fileExists(atPath: folder.appendingPathComponent("Package.swift").path) { return folder }
            folder = folder.deletingLastPathComponent()
        }
        return nil
    }
}
