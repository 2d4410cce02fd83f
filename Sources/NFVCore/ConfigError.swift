/// A problem with a configuration file or a command-line value. Its
/// description names the file and line when there is one:
/// `chain.yaml:7: service 70 is out of range (1...63)`.
public struct ConfigError: Error, Equatable, CustomStringConvertible, Sendable {
    public var file: String?
    public var line: Int?
    public var problem: String

    public init(file: String? = nil, line: Int? = nil, problem: String) {
        self.file = file
        self.line = line
        self.problem = problem
    }

    public var description: String {
        switch (file, line) {
        case let (f?, l?): "\(f):\(l): \(problem)"
        case let (f?, nil): "\(f): \(problem)"
        case let (nil, l?): "line \(l): \(problem)"
        case (nil, nil): problem
        }
    }
}
