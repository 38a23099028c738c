import Crypto
import FlagRuntime

/// Namespace of the snapshot-signing support (filled in by the binary snapshot work).
enum FlagSignaturesNamespace {}
