import Dispatch
import Synchronization

/// Slots that concurrent workers fill by index.
final class ResultSlots<Value: Sendable>: Sendable {
    private let slots: Mutex<[Value?]>

    init(count: Int) {
        slots = Mutex([Value?](repeating: nil, count: count))
    }

    func store(_ value: Value, at index: Int) {
        slots.withLock { $0[index] = value }
    }

    func values() -> [Value] {
        slots.withLock { $0.map { $0! } }
    }
}

enum DispatchApply {
    static func concurrentPerform(iterations: Int, _ work: @Sendable (Int) -> Void) {
        DispatchQueue.concurrentPerform(iterations: iterations, execute: work)
    }
}
