#ifndef FLAGC_THREAD_SLOTS_H
#define FLAGC_THREAD_SLOTS_H

/// Words each thread keeps for FlagRuntime's evaluation path, read with a thread-pointer-relative load rather than
/// a `pthread_getspecific` call. They only point at memory owned elsewhere (a pthread key's value, which also runs
/// the destructor when the thread exits); FlagRuntime clears them before that memory goes away.
typedef struct {
    /// The thread's `ThreadSnapshotCache` storage, or null before its first evaluation.
    void *_Nullable snapshot_cache;
    /// The `CounterTable` the thread counted into last, or null.
    void *_Nullable counter_table;
} flagc_thread_slots_t;

/// Initial-exec: the slots are in the static TLS block, reached from the thread pointer without a
/// `__tls_get_addr` call (16 bytes, within the surplus glibc keeps even for a library loaded later).
extern _Thread_local flagc_thread_slots_t flagc_thread_slots_storage __attribute__((tls_model("initial-exec")));

/// This thread's slots.
static inline flagc_thread_slots_t *_Nonnull flagc_thread_slots(void) {
    return &flagc_thread_slots_storage;
}

#endif
