import ParleyShell
import ParleyX

/// Wires the libcurl X client into the shell.
enum XClientFactory {
    static func provider(environment: [String: String], io: ShellIO) -> ChannelAPIProvider {
        XClientAdapter.provider(config: XConfig.load(environment: environment), io: io)
    }
}
