import Testing

@testable import ParleyCore

@Suite struct QueueRuleTests {
    let settings = AutoResolveSettings(newAfter: .hours(2), pendingAfter: .days(3))
    let t0: Timestamp = 1_700_000_000_000

    @Test func inboundCreatesANewConversationWithADeadline() {
        let (s, effect) = ConversationQueue.inbound(nil, settings: settings, now: t0)
        #expect(effect == .created && s.queue == .new && s.ownerID == nil)
        #expect(s.deadline == t0 + TimeSpan.hours(2).milliseconds && s.limitSeconds == 7200)
    }

    @Test func inboundMovesPendingToNewAndReopensResolvedWithNoOwner() {
        let pending = ConversationState(queue: .pending, ownerID: 7, deadline: t0, limitSeconds: 259_200)
        let (p, pe) = ConversationQueue.inbound(pending, settings: settings, now: t0 + 10)
        #expect(pe == .returnedToNew && p.queue == .new && p.ownerID == 7 && p.deadline == t0 + 10 + 7_200_000)
        let resolved = ConversationState(queue: .resolved, ownerID: 7)
        let (r, re) = ConversationQueue.inbound(resolved, settings: settings, now: t0)
        #expect(re == .reopened && r.queue == .new && r.ownerID == nil)
        let fresh = ConversationState(queue: .new, ownerID: 3, deadline: t0, limitSeconds: 600)
        let (n, ne) = ConversationQueue.inbound(fresh, settings: settings, now: t0 + 5000)
        #expect(ne == .stayed && n.queue == .new && n.ownerID == 3 && n.deadline == t0 + 5000 + 600_000)
    }

    @Test func resolvingClearsOwnerAndDeadline() {
        let s = ConversationState(queue: .pending, ownerID: 7, deadline: t0, limitSeconds: 60)
        let r = ConversationQueue.move(s, to: .resolved, settings: settings, now: t0)
        #expect(r == ConversationState(queue: .resolved, ownerID: nil, deadline: nil, limitSeconds: nil))
        #expect(ConversationQueue.move(s, to: .pending, settings: settings, now: t0 + 99) == s)
    }

    @Test func aSettingsChangeDoesNotMoveAWaitingDeadline() {
        let entered = ConversationQueue.move(ConversationState(queue: .new), to: .pending, settings: settings, now: t0)
        #expect(entered.deadline == t0 + TimeSpan.days(3).milliseconds)
        // The channel now says 10 days: the waiting conversation keeps its 3 days, even when
        // a reply moves its deadline.
        let changed = AutoResolveSettings(newAfter: .hours(2), pendingAfter: .days(10))
        let replied = ConversationQueue.outbound(entered, replier: 1, autoOwnership: true, now: t0 + 1000)
        #expect(replied.deadline == t0 + 1000 + TimeSpan.days(3).milliseconds)
        // A conversation entering Pending from now on gets the new limit.
        let later = ConversationQueue.move(ConversationState(queue: .new), to: .pending, settings: changed, now: t0)
        #expect(later.deadline == t0 + TimeSpan.days(10).milliseconds)
    }

    @Test func autoResolveOffMeansNoDeadline() {
        let off = AutoResolveSettings(newAfter: nil, pendingAfter: nil)
        let (s, _) = ConversationQueue.inbound(nil, settings: off, now: t0)
        #expect(s.deadline == nil && s.limitSeconds == nil)
        #expect(!ConversationQueue.isDue(s, now: .max))
    }

    @Test func autoOwnership() {
        let s = ConversationState(queue: .new, deadline: t0, limitSeconds: 60)
        #expect(ConversationQueue.outbound(s, replier: 4, autoOwnership: true, now: t0).ownerID == 4)
        #expect(ConversationQueue.outbound(s, replier: 4, autoOwnership: false, now: t0).ownerID == nil)
        var owned = s
        owned.ownerID = 9
        #expect(ConversationQueue.outbound(owned, replier: 4, autoOwnership: true, now: t0).ownerID == 9)
        // An outbound reply does not move the queue.
        #expect(ConversationQueue.outbound(s, replier: 4, autoOwnership: true, now: t0).queue == .new)
    }

    @Test func dueAtTheDeadline() {
        let s = ConversationState(queue: .new, deadline: t0, limitSeconds: 60)
        #expect(!ConversationQueue.isDue(s, now: t0 - 1))
        #expect(ConversationQueue.isDue(s, now: t0))
        #expect(!ConversationQueue.isDue(ConversationState(queue: .resolved, deadline: t0), now: t0))
    }
}

@Suite struct ValuesTests {
    @Test(arguments: [
        ("90s", 90), ("15m", 900), ("12h", 43_200), ("30d", 2_592_000), ("1s", 1), ("36500d", 3_153_600_000),
    ])
    func durations(text: String, seconds: Int64) throws {
        #expect(try TimeSpan.parse(text).seconds == seconds)
        #expect(try TimeSpan.parse(TimeSpan(seconds: seconds).description).seconds == seconds)
    }

    @Test(arguments: [
        "0s", "5x", "d", "", "-5m", "1.5h", "31x", "9999999999999d", "m5", " 5m", "999999999999d", "36501d",
        "3153600001s",
    ])
    func badDurations(text: String) {
        #expect(throws: ParleyError.self) { try TimeSpan.parse(text) }
    }

    @Test func autoResolveLimits() throws {
        #expect(try AutoResolveLimits.parse("off", option: "--x") == nil)
        #expect(try AutoResolveLimits.parse("1m", option: "--x") == .minutes(1))
        #expect(try AutoResolveLimits.parse("30d", option: "--x") == .days(30))
        #expect(throws: ParleyError.self) { try AutoResolveLimits.parse("59s", option: "--x") }
        #expect(throws: ParleyError.self) { try AutoResolveLimits.parse("31d", option: "--x") }
        #expect(throws: ParleyError.self) { try AutoResolveLimits.parse("0s", option: "--x") }
    }

    @Test func displayNames() throws {
        #expect(throws: ParleyError.self) { try Validation.displayName("") }
        #expect(try Validation.displayName("A") == "A")
        #expect(try Validation.displayName(String(repeating: "x", count: 255)).count == 255)
        #expect(throws: ParleyError.self) { try Validation.displayName(String(repeating: "x", count: 256)) }
        #expect(try Validation.displayName(String(repeating: "🙂", count: 255)).count == 255)
        #expect(throws: ParleyError.self) { try Validation.displayName(String(repeating: "🙂", count: 256)) }
        #expect(throws: ParleyError.self) { try Validation.displayName("tab\there") }
    }

    @Test func notesEmailsHandlesTags() throws {
        #expect(try Validation.note(String(repeating: "n", count: 2000)).count == 2000)
        #expect(throws: ParleyError.self) { try Validation.note(String(repeating: "n", count: 2001)) }
        #expect(throws: ParleyError.self) { try Validation.note("   ") }
        for ok in ["ada@acme.example", "a.b+c@x.co", "o'brien@acme.example", "zoë@exämple.de", "x@sub-1.acme.example"] {
            #expect(try Validation.email(ok) == ok)
        }
        for bad in [
            "ada", "@x.example", "a@", "a@b", "a b@x.example", "a@@x.example", "a@x.example.",
            "x@acme.example;drop", "x@-acme.example", "x@acme-.example", "x.@acme.example", ".x@acme.example",
            "x..y@acme.example", "x@acme..example", "x@1.2.3.4", "x\"y@acme.example", "x@acme_example.com",
            String(repeating: "l", count: 65) + "@acme.example", "x@" + String(repeating: "d", count: 64) + ".example",
        ] {
            #expect(throws: ParleyError.self) { try Validation.email(bad) }
        }
        #expect(try Validation.handle("@acme_help") == "acme_help")
        #expect(throws: ParleyError.self) { try Validation.handle("@this_is_far_too_long") }
        #expect(throws: ParleyError.self) { try Validation.handle("@bad-dash") }
        #expect(throws: ParleyError.self) { try Validation.tag("two words") }
    }

    @Test func rolesQueuesActionsSuggest() {
        #expect(
            throws: ParleyError.invalidValue(
                "'veiwer' is not a channel role: use viewer, contributor or supervisor (did you mean 'viewer'?)")
        ) {
            try ChannelRole.parse("veiwer")
        }
        #expect((try? Queue.parse("Pending")) == .pending)
        #expect((try? Action.parse("own")) == .assign)
        #expect(Suggest.closest("conversaton", among: ["conversation", "channel", "clock"]) == ["conversation"])
        #expect(Suggest.closest("zzzz", among: ["conversation", "channel"]).isEmpty)
        #expect(ChannelRole.viewer < .contributor && ChannelRole.contributor < .supervisor)
    }

    @Test func percentiles() {
        #expect(Percentiles.median([4, 1, 3, 2]) == 2)
        #expect(Percentiles.p90([1, 2, 3, 4]) == 4)
        #expect(Percentiles.median([600, 1800, 1200]) == 1200)
        #expect(Percentiles.median([]) == nil)
    }
}

@Suite struct PasswordTests {
    let cheap = PasswordHasher(rounds: 1024, blockSize: 8, parallelism: 1)

    @Test func hashAndVerify() throws {
        let h = try cheap.hash("correct horse")
        #expect(h.hasPrefix("scrypt$1024$8$1$"))
        #expect(PasswordHasher.verify("correct horse", against: h))
        #expect(!PasswordHasher.verify("correct horsE", against: h))
        #expect(try cheap.hash("correct horse") != h)  // salted
        #expect(!h.contains("correct"))
    }

    @Test(arguments: [
        "", "scrypt", "scrypt$1024$8$1$$", "bcrypt$x$y$z$a$b", "scrypt$99999999$8$1$AAAA$AAAA",
        "scrypt$1024$8$1$!!!$@@@",
    ])
    func malformedHashesNeverMatch(stored: String) {
        #expect(!PasswordHasher.verify("", against: stored))
        #expect(!PasswordHasher.verify("x", against: stored))
    }

    @Test func standardCost() throws {
        let h = try PasswordHasher.standard.hash("pw-standard-1")
        #expect(h.hasPrefix("scrypt$32768$8$1$") && PasswordHasher.verify("pw-standard-1", against: h))
    }
}
