@testable import FlagRuntime
import Testing

@Suite struct AttributeSlotAssignerTests {
    /// Slots number attributes in first-read order, searched while few and hashed once many, with the same answers.
    @Test func slotsAreStableAcrossTheSwitchToADictionary() {
        var slots = AttributeSlotAssigner()
        let names = (0..<40).map { "attribute\($0 % 25)" }
        let assigned = names.map { slots.slot(for: $0) }
        #expect(assigned == (0..<40).map { $0 % 25 })
        #expect(slots.names == (0..<25).map { "attribute\($0)" })
        #expect(slots.slot(for: Condition.targetingKey) == AttributeReader.targetingKeySlot)
        #expect(slots.slot(for: "attribute3") == 3 && slots.slot(for: "attribute24") == 24 && slots.slot(for: "new") == 25)
    }
}
