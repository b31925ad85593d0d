/// Paths taken apart as text, without asking the file system.
///
/// Foundation's `NSString.deletingLastPathComponent` traps on a one-character path ("a", "-")
/// on Linux, and parley takes folders of paths users type (a database file, a sourced script).
package enum FilePathText {
    /// The folder part of `path`, as `dirname` reads it except for a bare name: "" for "a"
    /// (the current folder), "/" for "/a", "x/y" for "x/y/a" and "x/y/a/". Repeated and trailing
    /// slashes of the folder are dropped.
    package static func folder(of path: String) -> String {
        var bytes = Array(path.utf8)
        let slash = UInt8(ascii: "/")
        while bytes.count > 1 && bytes.last == slash { bytes.removeLast() }
        guard let last = bytes.lastIndex(of: slash) else { return "" }
        var end = last
        while end > 0 && bytes[end - 1] == slash { end -= 1 }
        if end == 0 { return "/" }
        return String(decoding: bytes[..<end], as: UTF8.self)
    }
}
