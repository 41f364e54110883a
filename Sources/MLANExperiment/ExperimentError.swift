/// Failures of the experiment layer: recipes, data-folder discovery, evaluation jobs.
public enum ExperimentError: Error, CustomStringConvertible {
    /// A recipe or job setting is out of range or malformed.
    case invalidSetting(field: String, reason: String)
    /// No evaluation data folder exists in any of the places looked at.
    case dataDirectoryNotFound(searched: [String])
    /// An evaluation produced no value for a metric the experiment reports.
    case missingMetric(task: String, metric: String)

    public var description: String {
        switch self {
        case .invalidSetting(let field, let reason): "\(field): \(reason)"
        case .dataDirectoryNotFound(let searched):
            "No evaluation data folder found; looked in \(searched.joined(separator: ", ")). "
                + "Pass --data-dir DIR or set MLAN_SHARED."
        case .missingMetric(let task, let metric): "\(task): the evaluation reported no '\(metric)'"
        }
    }
}
