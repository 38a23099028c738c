import CYAML

/// Limits that keep a hostile or accidental input from exhausting memory or the stack.
public struct InputLimits: Sendable, Hashable {
    /// The largest flag file accepted, in bytes.
    public var maximumFileSize: Int
    /// The deepest nesting of lists and mappings accepted.
    public var maximumDepth: Int
    /// The longest list or mapping accepted.
    public var maximumCollectionCount: Int

    /// Creates limits.
    public init(maximumFileSize: Int = 16 << 20, maximumDepth: Int = 32, maximumCollectionCount: Int = 100_000) {
        self.maximumFileSize = maximumFileSize
        self.maximumDepth = maximumDepth
        self.maximumCollectionCount = maximumCollectionCount
    }
}

/// Builds a `YAMLNode` tree from libyaml's event stream, reporting what the flag format forbids
/// (anchors, aliases, merge keys, tags, duplicate keys, several documents, tab indentation) with positions.
struct YAMLParser {
    var limits: InputLimits

    /// Parses one file. Returns the root node (nil when the file is empty or unreadable as YAML)
    /// and adds every problem to `diagnostics`.
    func parse(_ bytes: [UInt8], diagnostics: inout FileDiagnostics) -> YAMLNode? {
        if bytes.count > limits.maximumFileSize {
            diagnostics.report(.inputLimit, at: SourceLocation(line: 1, column: 1), "the file is \(bytes.count) bytes, more than the limit of \(limits.maximumFileSize) bytes; split it into several files")
            return nil
        }

        var parser = yaml_parser_t()
        guard yaml_parser_initialize(&parser) == 1 else {
            diagnostics.report(.yamlSyntax, at: nil, "libyaml could not be initialised (out of memory)")
            return nil
        }
        defer { yaml_parser_delete(&parser) }

        // libyaml's error on a conflict marker says nothing about the conflict.
        if ConflictMarkers.report(bytes, diagnostics: &diagnostics) { return nil }

        return bytes.withUnsafeBufferPointer { buffer -> YAMLNode? in
            yaml_parser_set_input_string(&parser, buffer.baseAddress, buffer.count)
            var builder = TreeBuilder(limits: limits, bytes: buffer)
            var event = yaml_event_t()
            while true {
                guard yaml_parser_parse(&parser, &event) == 1 else {
                    reportSyntaxError(parser, bytes, diagnostics: &diagnostics)
                    return nil
                }
                defer { yaml_event_delete(&event) }
                if event.type == YAML_STREAM_END_EVENT { break }
                if !builder.handle(&event, diagnostics: &diagnostics) { return nil }
            }
            // Content hidden behind aliases or merge keys is missing from the tree; decoding it would only
            // report knock-on errors, so the file stops here.
            return builder.droppedContent ? nil : builder.root
        }
    }

    /// Reports libyaml's error: as an indentation mistake on the line that is off when the lines show one
    /// (`IndentationDiagnosis`), else in libyaml's words, with its context as a note.
    private func reportSyntaxError(_ parser: yaml_parser_t, _ bytes: [UInt8], diagnostics: inout FileDiagnostics) {
        // Tabs inside block scalars are valid, so tab indentation is reported only when it broke parsing.
        let tabLines = reportTabIndentation(bytes, diagnostics: &diagnostics)
        let location = SourceLocation(line: Int(parser.problem_mark.line) + 1, column: Int(parser.problem_mark.column) + 1)
        guard !tabLines.contains(location.line) else { return }
        let problem = parser.problem.map { String(cString: $0) } ?? "unknown problem"
        let contextText = parser.context.map { String(cString: $0) }
        let contextLocation = contextText.map { _ in SourceLocation(line: Int(parser.context_mark.line) + 1, column: Int(parser.context_mark.column) + 1) }
        let indentation = IndentationDiagnosis(bytes)
        if let finding = indentation.explain(problem: problem, context: contextText, mark: location, contextMark: contextLocation) {
            var related: [Diagnostic.Related] = []
            if finding.location.line != location.line {
                related.append(Diagnostic.Related(file: diagnostics.file, location: location, message: "the YAML parser stopped here: \(problem)"))
            }
            diagnostics.report(.yamlSyntax, at: finding.location, finding.message, related: related)
            return
        }
        var related: [Diagnostic.Related] = []
        var context = ""
        if let contextText, let contextLocation {
            context = contextText + ": "
            if contextLocation != location {
                related.append(Diagnostic.Related(file: diagnostics.file, location: contextLocation, message: "\(contextText) that starts here"))
            }
        }
        // These three problems nearly always come from indentation; say so when this line's indentation differs
        // from the line before it, so that the reader looks there first.
        let indentationProblems = ["mapping values are not allowed in this context", "did not find expected key", "did not find expected '-' indicator"]
        let hint = indentationProblems.contains(problem) && indentation.indentationChanges(at: location.line)
            ? "; check the indentation of this line and the line above it, which is the usual cause"
            : "; fix the YAML syntax here"
        diagnostics.report(.yamlSyntax, at: location, "\(context)\(problem)\(hint)", related: related)
    }

    /// Reports every line whose indentation contains a tab; returns those line numbers so that libyaml's
    /// own, vaguer error on the same line is not reported twice.
    private func reportTabIndentation(_ bytes: [UInt8], diagnostics: inout FileDiagnostics) -> Set<Int> {
        var lines = Set<Int>()
        var line = 1
        var column = 1
        var inIndentation = true
        for byte in bytes {
            if byte == UInt8(ascii: "\n") {
                line += 1
                column = 1
                inIndentation = true
                continue
            }
            if inIndentation {
                if byte == UInt8(ascii: "\t") {
                    diagnostics.report(.yamlTab, at: SourceLocation(line: line, column: column), "a tab is used for indentation; YAML allows only spaces there, so replace it with spaces")
                    lines.insert(line)
                    inIndentation = false
                } else if byte != UInt8(ascii: " ") {
                    inIndentation = false
                }
            }
            if byte & 0xC0 != 0x80 { column += 1 }
        }
        return lines
    }
}

/// Turns events into nodes with an explicit stack (no recursion, so depth is bounded by `limits`, not the stack).
private struct TreeBuilder {
    let limits: InputLimits
    /// The file's bytes, to see what follows an empty value on its line.
    let bytes: UnsafeBufferPointer<UInt8>
    var root: YAMLNode?
    var documentCount = 0
    /// Set when an alias or merge key was left out, so the tree lacks content the author wrote.
    var droppedContent = false
    private var stack: [Frame] = []

    init(limits: InputLimits, bytes: UnsafeBufferPointer<UInt8>) {
        self.limits = limits
        self.bytes = bytes
    }

    private struct Frame {
        /// Mappings with more keys than this index them in `keyIndex`; smaller ones (nearly all) find
        /// duplicate keys by a linear search, which is cheaper than hashing every key.
        static let linearSearchLimit = 16

        var location: SourceLocation
        var isMapping: Bool
        var items: [YAMLNode] = []
        var pairs: [YAMLPair] = []
        var pendingKey: YAMLNode?
        /// The position in `pairs` of each key, once there are more than `linearSearchLimit` pairs.
        var keyIndex: [String: Int]?
        var overflowReported = false

        /// Where `name` was first defined in this mapping, if it was.
        func firstDefinition(of name: String) -> SourceLocation? {
            if let keyIndex {
                return keyIndex[name].map { pairs[$0].key.location }
            }
            return pairs.first { $0.name == name }?.key.location
        }

        mutating func append(_ pair: YAMLPair) {
            pairs.append(pair)
            if keyIndex != nil {
                keyIndex?[pair.name] = pairs.count - 1
            } else if pairs.count > Frame.linearSearchLimit {
                keyIndex = Dictionary(uniqueKeysWithValues: pairs.enumerated().map { ($0.element.name, $0.offset) })
            }
        }
    }

    /// Handles one event; returns false to stop parsing.
    mutating func handle(_ event: inout yaml_event_t, diagnostics: inout FileDiagnostics) -> Bool {
        let location = SourceLocation(line: Int(event.start_mark.line) + 1, column: Int(event.start_mark.column) + 1)
        switch event.type {
        case YAML_DOCUMENT_START_EVENT:
            documentCount += 1
            if documentCount > 1 {
                diagnostics.report(.yamlMultipleDocuments, at: location, "a flag file holds one YAML document; move this document (after '---') into its own file")
                return false
            }
        case YAML_SCALAR_EVENT:
            let scalar = event.data.scalar
            checkAnchorAndTag(anchor: scalar.anchor, tag: scalar.tag, at: location, diagnostics: &diagnostics)
            let text = String(decoding: UnsafeBufferPointer(start: scalar.value, count: scalar.length), as: UTF8.self)
            let isPlain = scalar.style == YAML_PLAIN_SCALAR_STYLE
            if isPlain, let problem = ResolvedScalar.unrepresentableNumber(text) {
                diagnostics.report(.numberOutOfRange, at: location, problem)
            }
            var node = YAMLNode(content: .scalar(YAMLScalar(value: text, isPlain: isPlain)), location: location)
            if isPlain, scalar.length == 0, scalar.tag == nil, let comment = comment(after: event.start_mark, at: location) {
                // `white: #ffffff` is an empty value and a comment. The node is placed at the `#`, so that
                // whatever the decoder reports about the empty value lands there, explained (`FileDiagnostics`).
                node.location = comment.location
                let key = stack.last.flatMap { $0.isMapping ? $0.pendingKey?.scalar?.value : nil }
                diagnostics.commentValues[comment.location] = FileDiagnostics.CommentValue(key: key, comment: comment.text)
            }
            add(node, diagnostics: &diagnostics)
        case YAML_ALIAS_EVENT:
            let name = event.data.alias.anchor.map { String(cString: $0) } ?? ""
            droppedContent = true
            diagnostics.report(.yamlAnchor, at: location, "alias '*\(name)' hides content from a reviewer; write the value out, or share conditions through a segment")
            add(YAMLNode(content: .scalar(YAMLScalar(value: "", isPlain: true)), location: location), diagnostics: &diagnostics)
        case YAML_SEQUENCE_START_EVENT, YAML_MAPPING_START_EVENT:
            let isMapping = event.type == YAML_MAPPING_START_EVENT
            if isMapping {
                checkAnchorAndTag(anchor: event.data.mapping_start.anchor, tag: event.data.mapping_start.tag, at: location, diagnostics: &diagnostics)
            } else {
                checkAnchorAndTag(anchor: event.data.sequence_start.anchor, tag: event.data.sequence_start.tag, at: location, diagnostics: &diagnostics)
            }
            if stack.count >= limits.maximumDepth {
                diagnostics.report(.inputLimit, at: location, "nesting deeper than \(limits.maximumDepth) levels; flag files never need this much, so flatten the structure")
                return false
            }
            stack.append(Frame(location: location, isMapping: isMapping))
        case YAML_SEQUENCE_END_EVENT, YAML_MAPPING_END_EVENT:
            guard let frame = stack.popLast() else { return true }
            let node = frame.isMapping
                ? YAMLNode(content: .mapping(frame.pairs), location: frame.location)
                : YAMLNode(content: .sequence(frame.items), location: frame.location)
            add(node, diagnostics: &diagnostics)
        default:
            break
        }
        return true
    }

    private mutating func add(_ node: YAMLNode, diagnostics: inout FileDiagnostics) {
        guard !stack.isEmpty else {
            root = node
            return
        }
        // The frame is changed in place: popping and pushing it back copied it for every node.
        TreeBuilder.add(node, to: &stack[stack.count - 1], droppedContent: &droppedContent, limits: limits, diagnostics: &diagnostics)
    }

    private static func add(_ node: YAMLNode, to frame: inout Frame, droppedContent: inout Bool, limits: InputLimits, diagnostics: inout FileDiagnostics) {
        let count = frame.isMapping ? frame.pairs.count : frame.items.count
        if count >= limits.maximumCollectionCount {
            if !frame.overflowReported {
                frame.overflowReported = true
                diagnostics.report(.inputLimit, at: node.location, "more than \(limits.maximumCollectionCount) entries in one list or mapping; split it (for example into segments)")
            }
            if frame.isMapping && frame.pendingKey == nil { frame.pendingKey = node } else { frame.pendingKey = nil }
            return
        }
        guard frame.isMapping else {
            frame.items.append(node)
            return
        }
        guard let key = frame.pendingKey else {
            frame.pendingKey = node
            return
        }
        frame.pendingKey = nil
        guard let keyScalar = key.scalar else {
            diagnostics.report(.wrongType, at: key.location, "a mapping key must be a plain name, not \(key.kindDescription)")
            return
        }
        if keyScalar.isPlain && keyScalar.value == "<<" {
            droppedContent = true
            diagnostics.report(.yamlMergeKey, at: key.location, "merge keys ('<<') hide content from a reviewer; write the fields out, or share conditions through a segment")
            return
        }
        if let first = frame.firstDefinition(of: keyScalar.value) {
            diagnostics.report(
                .yamlDuplicateKey, at: key.location,
                "'\(keyScalar.value)' is already defined at line \(first.line); YAML readers disagree on which one wins, so remove or rename one",
                related: [Diagnostic.Related(file: diagnostics.file, location: first, message: "first defined here")]
            )
            return
        }
        frame.append(YAMLPair(key: key, value: node))
    }

    /// The comment that follows an empty value on its line (`white: #ffffff`), with where its `#` is.
    private func comment(after mark: yaml_mark_t, at location: SourceLocation) -> (location: SourceLocation, text: String)? {
        var index = Int(mark.index)
        var skipped = 0
        while index < bytes.count, bytes[index] == UInt8(ascii: " ") {
            index += 1
            skipped += 1
        }
        guard skipped > 0, index < bytes.count, bytes[index] == UInt8(ascii: "#") else { return nil }
        var end = index
        while end < bytes.count, bytes[end] != UInt8(ascii: "\n"), bytes[end] != UInt8(ascii: "\r") { end += 1 }
        while end > index, bytes[end - 1] == UInt8(ascii: " ") { end -= 1 }
        let text = String(decoding: UnsafeBufferPointer(rebasing: bytes[index..<end]), as: UTF8.self)
        return (SourceLocation(line: location.line, column: location.column + skipped), text)
    }

    private func checkAnchorAndTag(anchor: UnsafeMutablePointer<yaml_char_t>?, tag: UnsafeMutablePointer<yaml_char_t>?, at location: SourceLocation, diagnostics: inout FileDiagnostics) {
        if let anchor {
            let name = String(cString: anchor)
            diagnostics.report(.yamlAnchor, at: location, "anchor '&\(name)' lets other places copy this content out of a reviewer's sight; remove it and share conditions through a segment")
        }
        if let tag {
            let name = String(cString: tag)
            diagnostics.report(.yamlTag, at: location, "explicit tag '\(name)' is not supported; remove it (quote the value if you meant a string)")
        }
    }
}
