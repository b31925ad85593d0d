import ParleyShell
import ParleyX

/// Wires the libcurl X client into the shell.
enum XClientFactory {
    /// The X settings (environment, then `x.conf`) are read when a command first needs a client,
    /// not at every start: most runs never reach X.
    static func provider(environment: [String: String], io: ShellIO) -> ChannelAPIProvider {
        var loaded: ChannelAPIProvider?
        return { channel, credentials, onRefresh in
            let provider = loaded ?? XClientAdapter.provider(config: XConfig.load(environment: environment), io: io)
            loaded = provider
            return try provider(channel, credentials, onRefresh)
        }
    }
}
