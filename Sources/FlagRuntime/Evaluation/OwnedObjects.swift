/// Objects held through unmanaged references, each retained once when the list is made and released with it: the
/// evaluation loop walks them without reference counting, and the list is one array.
///
/// The compiled forms (`CompiledFlag`'s rules, `CompiledRule`'s conditions, a `SegmentsCheck`'s segments, now one
/// list for all of them; a snapshot's flags are `LazyCompiledFlags`) held an array of the objects to keep them alive and a second array of unretained
/// references to walk: two allocations per list, about 22,000 of the 230,000 that compiling 10,000 flags made.
struct OwnedObjects<Element: AnyObject>: ~Copyable {
    /// The objects, each retained once by this list.
    let references: [Unmanaged<Element>]

    /// Makes one object per element of `source`, in order.
    @inline(__always)
    init<Source: Collection>(_ source: Source, _ make: (Source.Element) -> Element) {
        var references: [Unmanaged<Element>] = []
        references.reserveCapacity(source.count)
        for element in source {
            references.append(Unmanaged.passRetained(make(element)))
        }
        self.references = references
    }

    deinit {
        for reference in references {
            reference.release()
        }
    }

    /// The number of objects.
    var count: Int { references.count }

    /// Whether the list is empty.
    var isEmpty: Bool { references.isEmpty }

    /// The positions of the objects.
    var indices: Range<Int> { references.indices }

    /// The object at `index` (a strong reference: for the paths that are not evaluations).
    subscript(index: Int) -> Element {
        references[index].takeUnretainedValue()
    }

    /// Whether any object satisfies `predicate`.
    func contains(where predicate: (Element) -> Bool) -> Bool {
        references.contains { $0._withUnsafeGuaranteedRef(predicate) }
    }
}

// The references are only read after the list is made, and the objects are released once, when it ends.
extension OwnedObjects: @unchecked Sendable where Element: Sendable {}
