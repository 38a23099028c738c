import FlagRuntime

/// What the checkout page shows for a request: each value read through a handle that the FlagAccessors plugin
/// generated from flags/ at build time.
public struct CheckoutPage: Equatable, Sendable {
    public var expressPay: Bool
    public var buttonColor: String
    public var legacyCart: Bool

    /// The page for `context`, from the flags in `store`.
    public init(store: FlagStore, context: EvaluationContext) {
        expressPay = store.isEnabled(Flags.checkout.expressPay, context: context)
        let color: Flags.checkout.ButtonColor = store.value(Flags.checkout.buttonColor, context: context)
        buttonColor = color.rawValue
        legacyCart = store.isEnabled(Flags.checkout.legacyCart, context: context)   // expired: a deprecation warning
    }
}
