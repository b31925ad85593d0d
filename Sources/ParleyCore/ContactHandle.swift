/// The name parley shows for a customer's account.
///
/// The platform's username is the only source of a handle. A username the platform gives replaces
/// the stored one (accounts rename); when it gives none, the stored handle stays. A contact seen for
/// the first time without a username is named `id:` and its platform id: a `:` never appears in a
/// username, so the name is never taken for a handle, and the first username that comes replaces it.
package enum ContactHandle {
    /// The prefix of the name of a contact whose username is not known yet.
    package static let placeholderPrefix = "id:"

    /// The name of a contact whose username is not known yet.
    package static func placeholder(platformID: String) -> String {
        placeholderPrefix + platformID
    }

    /// Is this stored name a placeholder rather than a username?
    package static func isPlaceholder(_ handle: String) -> Bool {
        handle.hasPrefix(placeholderPrefix)
    }

    /// The handle to store: the username given now, else the stored name, else the placeholder.
    /// An empty username counts as none.
    package static func choose(given: String?, stored: String?, platformID: String) -> String {
        if let given, !given.isEmpty {
            return given
        }
        if let stored {
            return stored
        }
        return placeholder(platformID: platformID)
    }
}
