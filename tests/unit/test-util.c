/* Helpers shared by the unit tests (see test-util.h). */
#include "tests/unit/test-util.h"

char *test_artifact_path(const char *rel)
{
    const char *cache = g_getenv("PADDOCK_CACHE");

    if (cache && *cache) {
        return g_build_filename(cache, rel, NULL);
    }
    return g_build_filename(g_get_home_dir(), ".cache", "paddock", rel, NULL);
}

char *test_require_artifact(const char *rel)
{
    char *path = test_artifact_path(rel);

    if (g_file_test(path, G_FILE_TEST_IS_REGULAR)) {
        return path;
    }
    g_test_fail_printf("guest artifact %s is missing: run scripts/guest-artifacts "
                       "(or cmake --build BUILD --target guest-artifacts) first",
                       path);
    g_free(path);
    return NULL;
}
