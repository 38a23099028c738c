/// Turns libyaml's error for a badly indented line into one that names the line and the indentation it needs.
///
/// libyaml reports where parsing broke, which is often a line after the wrong one: with `owner` dedented on line 13
/// of a flag, it is line 14 that breaks ("mapping values are not allowed in this context"), because `owner`'s
/// value swallowed line 14 as a continuation. This reads the raw lines up to libyaml's mark, with the mapping or
/// list libyaml was in, and decides which line's indentation is off. It handles a field dedented or indented too
/// far, and a list item out of line with its siblings; when the lines do not show which line is wrong, it returns
/// nil and the parser keeps libyaml's message.
struct IndentationDiagnosis {
    /// What was found: the line whose indentation is off and what it should be.
    struct Finding: Equatable {
        var location: SourceLocation
        var message: String
    }

    /// One line of the file, as far as indentation is concerned.
    struct Line {
        /// Leading spaces.
        var indent: Int
        /// A blank line, a comment, or the text of a block scalar (`|`, `>`): no structure.
        var isSignificant: Bool
        /// Starts with `- `: a list item, whose `-` is at `indent`.
        var isItem: Bool
        /// The key of `key: value` (after the `- ` of an item), if the line has one.
        var key: String?
        /// The 0-based column where the key starts.
        var keyColumn: Int
        /// The 0-based column of the key's `:`.
        var colonColumn: Int?
        /// The key has no value on this line (`key:`): what follows, indented further, is its value.
        var opensBlock: Bool

        /// The column this line's entry sits at: the `-` of an item, else the key.
        var levelColumn: Int { isItem ? indent : keyColumn }
    }

    let lines: [Line]

    init(_ bytes: [UInt8]) {
        var lines: [Line] = []
        var blockScalarColumn: Int?
        for text in bytes.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false) {
            var line = IndentationDiagnosis.read(String(decoding: text, as: UTF8.self))
            if let column = blockScalarColumn, line.isSignificant {
                if line.indent > column { line.isSignificant = false } else { blockScalarColumn = nil }
            }
            if line.isSignificant, line.opensBlock == false, line.key != nil, IndentationDiagnosis.startsBlockScalar(text) {
                blockScalarColumn = line.levelColumn
            }
            lines.append(line)
        }
        self.lines = lines
    }

    /// Explains libyaml's `problem` (at the 1-based `mark`) in the `context` that started at `contextMark`,
    /// when the lines show an indentation mistake.
    func explain(problem: String, context: String?, mark: SourceLocation, contextMark: SourceLocation?) -> Finding? {
        guard mark.line >= 1, mark.line <= lines.count, lines[mark.line - 1].isSignificant else { return nil }
        switch (problem, context) {
        case ("mapping values are not allowed in this context", _):
            return valueContinued(at: mark)
        case ("did not find expected key", "while parsing a block mapping"):
            guard let contextMark else { return nil }
            return outOfMapping(at: mark.line, mappingColumn: contextMark.column - 1, mappingLine: contextMark.line)
        case ("did not find expected '-' indicator", "while parsing a block collection"):
            guard let contextMark else { return nil }
            return outOfList(at: mark.line, itemColumn: contextMark.column - 1)
        default:
            return nil
        }
    }

    /// Whether the line at libyaml's mark is indented differently from the line before it: the evidence for
    /// naming indentation as the likely cause when `explain` could not tell more.
    func indentationChanges(at line: Int) -> Bool {
        guard line >= 1, line <= lines.count, let previous = previousSignificant(before: line) else { return false }
        return lines[line - 1].levelColumn != lines[previous - 1].levelColumn
    }

    // MARK: - The cases

    /// "mapping values are not allowed": a `:` where a key cannot start. Either the value itself holds `: `, or
    /// this line continued the previous line's value because it is indented further than that line's key.
    private func valueContinued(at mark: SourceLocation) -> Finding? {
        let line = lines[mark.line - 1]
        if let key = line.key, let colon = line.colonColumn, mark.column - 1 > colon {
            return Finding(location: mark, message: "the value of '\(key)' contains ': ', which YAML reads as the start of a mapping; quote the whole value (\(key): \"…\")")
        }
        guard let previousNumber = previousSignificant(before: mark.line) else { return nil }
        let previous = lines[previousNumber - 1]
        guard previous.key != nil, !previous.opensBlock, line.levelColumn > previous.keyColumn else { return nil }
        // The previous line was dedented, and this one goes back to where the lines before it were.
        if let beforeNumber = previousSignificant(before: previousNumber) {
            let before = lines[beforeNumber - 1]
            if !previous.isItem, previous.keyColumn < before.levelColumn, line.levelColumn == before.levelColumn, !before.opensBlock {
                return misplacedField(previousNumber, expected: before.levelColumn, of: beforeNumber)
            }
        }
        return misplacedField(mark.line, expected: previous.keyColumn, of: previousNumber)
    }

    /// "did not find expected key" in the mapping whose keys are at `mappingColumn`: the line at `number` is
    /// neither one of its keys nor where one of its parents continues.
    private func outOfMapping(at number: Int, mappingColumn: Int, mappingLine: Int) -> Finding? {
        let line = lines[number - 1]
        if line.isItem {
            return misplacedItem(number)
        }
        guard line.levelColumn != mappingColumn else { return nil }
        // Between two levels (3 spaces between fields at 2 and 4): libyaml is back in the outer mapping, but
        // the line may as well belong to the inner one, whose fields are just above it.
        if line.levelColumn > mappingColumn, let previousNumber = previousSignificant(before: number),
           lines[previousNumber - 1].levelColumn > line.levelColumn, !lines[previousNumber - 1].opensBlock {
            let inner = lines[previousNumber - 1].levelColumn
            return Finding(
                location: SourceLocation(line: number, column: line.indent + 1),
                message: "wrong indentation: line \(number) is indented by \(spaces(line.levelColumn)), which matches no level around it: \(fields(ofColumn: inner, at: previousNumber)) are indented by \(inner) and \(fields(ofColumn: mappingColumn, at: mappingLine)) by \(mappingColumn); indent it like the lines it belongs with"
            )
        }
        return misplacedField(number, expected: mappingColumn, of: mappingLine)
    }

    /// "did not find expected '-' indicator" in the list whose items are at `itemColumn`.
    private func outOfList(at number: Int, itemColumn: Int) -> Finding? {
        let line = lines[number - 1]
        if line.isItem {
            return line.indent == itemColumn ? nil : misplacedItem(number)
        }
        guard line.indent > itemColumn,
              let itemNumber = (1..<number).reversed().first(where: { lines[$0 - 1].isSignificant && lines[$0 - 1].isItem && lines[$0 - 1].indent == itemColumn }),
              lines[itemNumber - 1].key != nil,
              line.levelColumn != lines[itemNumber - 1].keyColumn
        else { return nil }
        return misplacedField(number, expected: lines[itemNumber - 1].keyColumn, of: itemNumber)
    }

    /// A field (or a line of any kind) at line `number` that should be at `expected`, the column of the fields
    /// that line `sibling` belongs to.
    private func misplacedField(_ number: Int, expected: Int, of sibling: Int) -> Finding? {
        let line = lines[number - 1]
        guard line.levelColumn != expected else { return nil }
        let kind = line.isItem ? "is a list item indented by" : "is indented by"
        return Finding(
            location: SourceLocation(line: number, column: line.indent + 1),
            message: "wrong indentation: line \(number) \(kind) \(spaces(line.levelColumn)), but \(fields(ofColumn: expected, at: sibling)) are indented by \(expected); indent it like the lines around it"
        )
    }

    /// A list item at line `number` out of line with the item before it.
    private func misplacedItem(_ number: Int) -> Finding? {
        let line = lines[number - 1]
        guard let siblingNumber = (1..<number).reversed().first(where: { lines[$0 - 1].isSignificant && lines[$0 - 1].isItem }) else { return nil }
        let sibling = lines[siblingNumber - 1]
        guard sibling.indent != line.indent else { return nil }
        let list = listName(ofItemAt: siblingNumber).map { "the items of '\($0)'" } ?? "the list items above it"
        return Finding(
            location: SourceLocation(line: number, column: line.indent + 1),
            message: "wrong indentation: line \(number) is a list item indented by \(spaces(line.indent)), but \(list) are indented by \(sibling.indent) (line \(siblingNumber)); line up its '-' with theirs"
        )
    }

    // MARK: - Reading the structure

    /// The fields at `column` that line `number` is one of, named by who owns them: "the fields of flag 'x'",
    /// "the fields of segment 'y'", "the fields of 'when'", "the fields of the item of 'rules' at line 6", "the
    /// flags", or "the top-level fields".
    private func fields(ofColumn column: Int, at number: Int) -> String {
        guard let parentNumber = parent(ofColumn: column, at: number) else { return "the top-level fields" }
        let parentLine = lines[parentNumber - 1]
        if parentLine.isItem && parentLine.indent < column {
            return listName(ofItemAt: parentNumber).map { "the fields of the item of '\($0)' at line \(parentNumber)" } ?? "the fields of the list item at line \(parentNumber)"
        }
        guard let key = parentLine.key else { return "the fields under line \(parentNumber)" }
        let grandparent = parent(ofColumn: parentLine.keyColumn, at: parentNumber).flatMap { lines[$0 - 1].key }
        switch (grandparent, key) {
        case (nil, "flags"): return "the flags"
        case (nil, "segments"): return "the segments"
        case ("flags", _): return "the fields of flag '\(key)'"
        case ("segments", _): return "the fields of segment '\(key)'"
        default: return "the fields of '\(key)'"
        }
    }

    /// The line holding what the entries at `column`, one of them on line `number`, belong to: the nearest line
    /// above at a smaller column (or the item on line `number` itself, when its key starts the mapping).
    private func parent(ofColumn column: Int, at number: Int) -> Int? {
        let line = lines[number - 1]
        if line.isItem, line.indent < column, line.keyColumn == column { return number }
        return (1..<number).reversed().first { candidate in
            let line = lines[candidate - 1]
            return line.isSignificant && line.levelColumn < column
        }
    }

    /// The key whose value is the list holding the item on line `number` (`rules`), if there is one.
    private func listName(ofItemAt number: Int) -> String? {
        let column = lines[number - 1].indent
        let owner = (1..<number).reversed().first { candidate in
            let line = lines[candidate - 1]
            guard line.isSignificant else { return false }
            // A list may sit at its key's own column (`rules:` then `- serve: true` below the `r`).
            return line.levelColumn < column || (!line.isItem && line.keyColumn == column && line.opensBlock)
        }
        return owner.flatMap { lines[$0 - 1].opensBlock ? lines[$0 - 1].key : nil }
    }

    private func previousSignificant(before number: Int) -> Int? {
        (1..<number).reversed().first { lines[$0 - 1].isSignificant }
    }

    private func spaces(_ count: Int) -> String {
        count == 1 ? "1 space" : "\(count) spaces"
    }

    // MARK: - Reading one line

    private static func read(_ text: String) -> Line {
        let characters = Array(text.hasSuffix("\r") ? String(text.dropLast()) : text)
        let indent = characters.prefix { $0 == " " }.count
        var line = Line(indent: indent, isSignificant: false, isItem: false, key: nil, keyColumn: indent, colonColumn: nil, opensBlock: false)
        var position = indent
        guard position < characters.count, characters[position] != "#", characters[position] != "\t" else { return line }
        line.isSignificant = true
        if characters[position] == "-", position + 1 == characters.count || characters[position + 1] == " " {
            line.isItem = true
            position += 1
            while position < characters.count, characters[position] == " " { position += 1 }
            line.keyColumn = position
            guard position < characters.count else {
                line.opensBlock = true
                return line
            }
        }
        guard let colon = keyColon(characters, from: position) else { return line }
        line.key = String(characters[position..<colon]).trimmingQuotes()
        line.colonColumn = colon
        var rest = colon + 1
        while rest < characters.count, characters[rest] == " " { rest += 1 }
        line.opensBlock = rest == characters.count || characters[rest] == "#"
        return line
    }

    /// The `:` that ends a key starting at `start`: followed by a space or the end of the line, outside quotes.
    private static func keyColon(_ characters: [Character], from start: Int) -> Int? {
        guard start < characters.count, !"[{|>&*!%@`".contains(characters[start]) else { return nil }
        var index = start
        if characters[start] == "\"" || characters[start] == "'" {
            let quote = characters[start]
            index += 1
            while index < characters.count, characters[index] != quote { index += 1 }
            index += 1
        }
        while index < characters.count {
            if characters[index] == "#", index > start, characters[index - 1] == " " { return nil }
            if characters[index] == ":", index + 1 == characters.count || characters[index + 1] == " " { return index }
            index += 1
        }
        return nil
    }

    /// Whether the value after the key's `:` is a block scalar indicator (`|`, `>`, `|-`, `>+2`).
    private static func startsBlockScalar(_ text: ArraySlice<UInt8>) -> Bool {
        guard let colon = text.firstIndex(of: UInt8(ascii: ":")) else { return false }
        let value = text[(colon + 1)...].drop { $0 == UInt8(ascii: " ") }
        guard let first = value.first, first == UInt8(ascii: "|") || first == UInt8(ascii: ">") else { return false }
        return value.dropFirst().prefix { $0 != UInt8(ascii: " ") && $0 != UInt8(ascii: "#") && $0 != UInt8(ascii: "\r") }
            .allSatisfy { $0 == UInt8(ascii: "-") || $0 == UInt8(ascii: "+") || ($0 >= UInt8(ascii: "1") && $0 <= UInt8(ascii: "9")) }
    }
}

private extension String {
    /// `"a key"` and `'a key'` without their quotes.
    func trimmingQuotes() -> String {
        guard count >= 2, let first, first == "\"" || first == "'", last == first else { return self }
        return String(dropFirst().dropLast())
    }
}
