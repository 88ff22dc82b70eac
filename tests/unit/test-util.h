/*
 * Helpers shared by the unit tests.
 *
 * Guest artifacts (Debian busybox-static, cross-compiled test programs, kernels) are fetched
 * by scripts/guest-artifacts into ${PADDOCK_CACHE:-~/.cache/paddock}; ctest sets
 * PADDOCK_CACHE. A test that needs one fails, never skips, when it is missing: CI always
 * fetches them first, so a missing artifact is a setup error worth seeing.
 */
#ifndef PADDOCK_TESTS_UNIT_TEST_UTIL_H
#define PADDOCK_TESTS_UNIT_TEST_UTIL_H

#include <stdbool.h>

#include <glib.h>

/* $PADDOCK_CACHE/rel, or ~/.cache/paddock/rel when PADDOCK_CACHE is unset or empty. */
char *test_artifact_path(const char *rel);

/* test_artifact_path(rel) if that file exists; otherwise marks the current test failed
 * with a message naming the file and scripts/guest-artifacts, and returns NULL. */
char *test_require_artifact(const char *rel);

#endif /* PADDOCK_TESTS_UNIT_TEST_UTIL_H */
