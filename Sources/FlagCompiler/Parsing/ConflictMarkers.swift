/// `yaml-conflict-marker`: git's merge-conflict markers left in a file.
///
/// A marker is 7 of the same character (`<`, `|`, `=`, `>`) at the start of a line, alone or followed by a space
/// and a label (`<<<<<<< HEAD`, `>>>>>>> feature`; `|||||||` opens the common ancestor with
/// `merge.conflictStyle=diff3`). libyaml's error on them is unrelated to the cause, so the markers are looked
/// for before parsing, and a file that has them is not parsed.
///
/// One error per conflict block, at its `<<<<<<<` line, with notes at the block's other markers; a marker outside
/// any block (the opening one deleted by hand) is an error of its own.
enum ConflictMarkers {
    /// One marker line.
    struct Marker {
        enum Kind: UInt8 {
            case ours = 60 // "<"
            case base = 124 // "|"
            case separator = 61 // "="
            case theirs = 62 // ">"
        }

        var kind: Kind
        var line: Int
        /// The text after the marker and its space (`HEAD`, a branch name), empty when there is none.
        var label: String
    }

    /// Reports every conflict block; returns true when there was one (and the file should not be parsed).
    static func report(_ bytes: [UInt8], diagnostics: inout FileDiagnostics) -> Bool {
        let markers = find(bytes)
        guard !markers.isEmpty else { return false }
        var index = 0
        while index < markers.count {
            let first = markers[index]
            var block = [first]
            index += 1
            if first.kind == .ours {
                // The block runs to its `>>>>>>>`; a new `<<<<<<<` before it starts a block of its own.
                while index < markers.count, markers[index].kind != .ours {
                    block.append(markers[index])
                    index += 1
                    if block.last?.kind == .theirs { break }
                }
            }
            report(block, diagnostics: &diagnostics)
        }
        return true
    }

    private static func report(_ block: [Marker], diagnostics: inout FileDiagnostics) {
        let first = block[0]
        let location = SourceLocation(line: first.line, column: 1)
        let what = "resolve the merge conflict: keep one side and delete the markers"
        let related = block.dropFirst().map { marker in
            Diagnostic.Related(file: diagnostics.file, location: SourceLocation(line: marker.line, column: 1), message: description(marker))
        }
        if first.kind == .ours {
            let theirs = block.last { $0.kind == .theirs }?.label ?? ""
            let sides = first.label.isEmpty || theirs.isEmpty ? "" : " between '\(first.label)' and '\(theirs)'"
            diagnostics.report(.yamlConflictMarker, at: location, "an unresolved git merge conflict\(sides) starts here; \(what)", related: related)
        } else {
            diagnostics.report(.yamlConflictMarker, at: location, "a leftover git merge-conflict marker ('\(String(repeating: Character(Unicode.Scalar(first.kind.rawValue)), count: 7))'); \(what)", related: related)
        }
    }

    private static func description(_ marker: Marker) -> String {
        switch marker.kind {
        case .ours: "the conflict starts here"
        case .base: "the common ancestor's version starts here"
        case .separator: "the other side starts here"
        case .theirs: "the conflict ends here"
        }
    }

    /// The marker lines, in order.
    static func find(_ bytes: [UInt8]) -> [Marker] {
        var markers: [Marker] = []
        var line = 1
        var start = 0
        while start < bytes.count {
            var end = start
            while end < bytes.count, bytes[end] != UInt8(ascii: "\n") { end += 1 }
            if let marker = marker(bytes[start..<end], line: line) { markers.append(marker) }
            line += 1
            start = end + 1
        }
        return markers
    }

    private static func marker(_ text: ArraySlice<UInt8>, line: Int) -> Marker? {
        guard text.count >= 7, let first = text.first, let kind = Marker.Kind(rawValue: first) else { return nil }
        let start = text.startIndex
        guard text[start..<start + 7].allSatisfy({ $0 == first }) else { return nil }
        var rest = text[(start + 7)...]
        if rest.last == UInt8(ascii: "\r") { rest = rest.dropLast() }
        guard rest.isEmpty || rest.first == UInt8(ascii: " ") else { return nil }
        let label = String(decoding: rest.dropFirst(), as: UTF8.self).trimmingCharacters(in: " ")
        return Marker(kind: kind, line: line, label: label)
    }
}

private extension String {
    func trimmingCharacters(in character: Character) -> String {
        String(drop { $0 == character }.reversed().drop { $0 == character }.reversed())
    }
}
