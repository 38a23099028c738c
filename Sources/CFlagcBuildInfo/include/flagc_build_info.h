#ifndef FLAGC_BUILD_INFO_H
#define FLAGC_BUILD_INFO_H

/// The git commit flagc was built from: the FLAGC_COMMIT macro when the build defined it
/// (scripts/build-static-flagc.sh passes -Xcc -DFLAGC_COMMIT="<commit>"), else NULL. A C string, because a build
/// can hand C a string macro, and Swift none.
const char *flagc_build_commit(void);

#endif
