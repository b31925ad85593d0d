import Testing

@testable import ParleyCore

@Suite struct ContactHandleTests {
    @Test func aUsernameFromThePlatformIsStoredAndReplacesTheOldOne() {
        #expect(ContactHandle.choose(given: "carla", stored: nil, platformID: "7") == "carla")
        #expect(ContactHandle.choose(given: "carla_new", stored: "carla", platformID: "7") == "carla_new")
        #expect(ContactHandle.choose(given: "carla", stored: "id:7", platformID: "7") == "carla")
    }

    @Test func noUsernameKeepsTheStoredHandle() {
        #expect(ContactHandle.choose(given: nil, stored: "carla", platformID: "1376998163739987969") == "carla")
        #expect(ContactHandle.choose(given: "", stored: "carla", platformID: "1376998163739987969") == "carla")
    }

    @Test func aNewContactWithoutUsernameGetsAPlaceholderThatIsNoHandle() {
        let name = ContactHandle.choose(given: nil, stored: nil, platformID: "1376998163739987969")
        #expect(name == "id:1376998163739987969")
        #expect(ContactHandle.isPlaceholder(name))
        #expect(!ContactHandle.isPlaceholder("carla"))
        #expect(!ContactHandle.isPlaceholder("1376998163739987969"))
    }
}
