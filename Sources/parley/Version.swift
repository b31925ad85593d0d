/// parley's version: `parley --version` prints it.
enum ParleyVersion {
    static let current = "0.9.0"
}
