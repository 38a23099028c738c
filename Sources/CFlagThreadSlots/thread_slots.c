#include "flagc_thread_slots.h"

_Thread_local flagc_thread_slots_t flagc_thread_slots_storage __attribute__((tls_model("initial-exec"))) = { 0, 0 };
