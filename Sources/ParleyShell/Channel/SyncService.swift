import Foundation
import ParleyCore
import ParleyStore

/// `parley sync [--every DUR]`: syncs every connected channel, once or in a loop, for a service
/// manager. It acts as the system (no user): whoever can write the database holds it all.
package struct SyncService {
    package let session: Session
    package var every: TimeSpan?
    /// True once a stop was asked (SIGTERM, SIGINT): the current page finishes, then it ends.
    package var stopRequested: () -> Bool

    package init(session: Session, every: TimeSpan?, stopRequested: @escaping () -> Bool) {
        self.session = session
        self.every = every
        self.stopRequested = stopRequested
    }

    /// Returns the process exit status: 0 when the last round succeeded everywhere.
    package func run() -> Int32 {
        var status: Int32 = 0
        repeat {
            status = round()
            guard let every, !stopRequested() else { break }
            let until = Date().addingTimeInterval(TimeInterval(every.seconds))
            while Date() < until && !stopRequested() { usleep(100_000) }
        } while !stopRequested()
        return status
    }

    func round() -> Int32 {
        let channels: [Channel]
        do {
            channels = try session.database.withConnection { db in try ChannelRepository.list(db) }.filter(\.connected)
        } catch {
            session.io.err("parley sync: " + Shell.message(for: error))
            return 1
        }
        if channels.isEmpty {
            session.io.out("no connected channel to sync")
            return 0
        }
        var status: Int32 = 0
        for channel in channels where !stopRequested() {
            do {
                var sync = ChannelSync(
                    database: session.database, api: try session.api(for: channel), clock: session.systemClock)
                sync.shouldStop = stopRequested
                let s = try sync.run(channel: channel)
                session.io.out(TimeFormat.iso(session.systemClock.now()) + " " + s.line)
            } catch is SyncStopped {
                session.io.out("\(channel.atHandle): stopped between pages; the next sync goes on from there")
            } catch {
                session.io.err("\(channel.atHandle): " + Shell.message(for: error))
                status = 1
            }
        }
        return status
    }
}
