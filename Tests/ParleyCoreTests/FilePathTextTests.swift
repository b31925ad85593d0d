import ParleyCore
import Testing

/// The folder of a path, read as text: one-character names included (Foundation's
/// `deletingLastPathComponent` traps on them on Linux).
@Suite struct FilePathTextTests {
    static let cases: [(path: String, folder: String)] = [
        ("a", ""), ("-", ""), ("ab.db", ""), ("", ""),
        ("/a", "/"), ("/", "/"), ("//", "/"), ("//a", "/"),
        ("x/a", "x"), ("x/y/a", "x/y"), ("x/y/a/", "x/y"), ("x//a", "x"), ("./a", "."), ("../a", ".."),
        ("/tmp/p.db", "/tmp"), ("a/b", "a"), ("é/ü.db", "é"), ("odd?name#100%/x", "odd?name#100%"),
    ]

    @Test(arguments: cases)
    func theFolderOfAPath(_ example: (path: String, folder: String)) {
        #expect(FilePathText.folder(of: example.path) == example.folder)
    }
}
