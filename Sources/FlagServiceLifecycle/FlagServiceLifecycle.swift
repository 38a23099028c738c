import FlagRuntime
import ServiceLifecycle

/// Namespace of the service-lifecycle integration (filled in by the live-reload work).
enum FlagServiceLifecycleNamespace {}
