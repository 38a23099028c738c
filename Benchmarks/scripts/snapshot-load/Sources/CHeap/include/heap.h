#include <stddef.h>

/// Bytes currently allocated with malloc (glibc `mallinfo2().uordblks`; 0 elsewhere).
size_t heap_in_use(void);
