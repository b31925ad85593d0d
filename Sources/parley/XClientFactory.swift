import ParleyShell

/// Wires the libcurl X client into the shell.
enum XClientFactory {
    static func provider(environment: [String: String]) -> ChannelAPIProvider? {
        nil
    }
}
