import FlagRuntime

// The service's flags as typed handles. `flagc generate swift` writes a file like this one from flags/; it is
// written by hand here so that the example builds on its own.
enum Flags {
    enum billing {
        /// Generate invoices automatically when a billing period closes (flags/billing.yaml).
        static let invoiceAutoGenerate = FlagHandle<Bool>("billing.invoice_auto_generate", default: false)
        /// Credit notes, hidden (404) from tenants that do not have them yet.
        static let creditNotes = FlagHandle<Bool>("billing.credit_notes", default: false)
    }
}
