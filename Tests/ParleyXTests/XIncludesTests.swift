import Foundation
import Testing

@testable import ParleyX

@Suite struct XIncludesTests {
    func page(_ text: String) throws -> JSONValue {
        try JSONValue.parse(Data(text.utf8))
    }

    @Test func usernamesComeFromIncludesUsersOnly() throws {
        let json = try page(
            """
            {"data": [{"id": "9", "event_type": "MessageCreate", "sender_id": "1376998163739987969"},
                      {"id": "8", "event_type": "MessageCreate", "sender_id": "77"}],
             "includes": {"users": [{"id": "1376998163739987969", "name": "Carla", "username": "carla"},
                                    {"id": "5", "name": "No username", "username": ""}]},
             "errors": [{"title": "Not Found Error", "type": "https://api.twitter.com/2/problems/resource-not-found",
                         "resource_type": "user", "resource_id": "77", "parameter": "sender_id", "value": "77"}]}
            """)
        let names = XClient.usernames(json)
        #expect(names == ["1376998163739987969": "carla"])
        #expect(names["77"] == nil)
    }

    @Test func aPageWithoutIncludesNamesNobody() throws {
        #expect(XClient.usernames(try page(#"{"data": [{"id": "9", "sender_id": "7"}]}"#)).isEmpty)
    }
}
