#include "flagc_build_info.h"
#include <stddef.h>

const char *flagc_build_commit(void) {
#ifdef FLAGC_COMMIT
    return FLAGC_COMMIT;
#else
    return NULL;
#endif
}
