/*
 * api/openapi.yaml against the server's route table (`paddockd --print-routes`): every
 * route documented, nothing documented that the server lacks, and an operation public
 * (`security: []`) exactly when its route needs no token. The document keeps a regular
 * layout (see its header) so that a line reader of its `paths:` section suffices here.
 */
#include <string.h>
#include <sys/wait.h>

#include <glib.h>

#include "tests/server/server-harness.h"

/* "METHOD /path auth|public" for every operation under paths:, plus a check that each
 * operation has responses. */
static GPtrArray *openapi_routes(const char *text)
{
    GPtrArray *routes = g_ptr_array_new_with_free_func(g_free);
    g_auto(GStrv) lines = g_strsplit(text, "\n", -1);
    g_autofree char *path = NULL, *method = NULL;
    bool in_paths = false, public_op = false, responses = false;
    g_autoptr(GRegex) path_re = g_regex_new("^  (/\\S*):$", 0, 0, NULL);
    g_autoptr(GRegex) op_re = g_regex_new("^    (get|put|post|delete|head|patch):$", 0, 0, NULL);
    for (char **l = lines;; l++) {
        bool top = !*l || (**l && **l != ' ' && **l != '#');
        g_autoptr(GMatchInfo) m = NULL;
        bool new_path = *l && g_regex_match(path_re, *l, 0, &m);
        g_autoptr(GMatchInfo) o = NULL;
        bool new_op = *l && g_regex_match(op_re, *l, 0, &o);
        if (method && (top || new_path || new_op)) {
            if (!responses) {
                g_error("openapi.yaml: %s %s has no responses", method, path);
            }
            g_ptr_array_add(
                routes, g_strdup_printf("%s %s %s", method, path, public_op ? "public" : "auth"));
            g_clear_pointer(&method, g_free);
        }
        if (!*l || (in_paths && top)) {
            break;
        }
        if (!in_paths) {
            in_paths = !strcmp(*l, "paths:");
        } else if (new_path) {
            g_free(path);
            path = g_match_info_fetch(m, 1);
        } else if (new_op) {
            g_autofree char *lower = g_match_info_fetch(o, 1);
            method = g_ascii_strup(lower, -1);
            public_op = responses = false;
        } else if (method) {
            public_op |= !strcmp(*l, "      security: []");
            responses |= !strcmp(*l, "      responses:");
        }
    }
    return routes;
}

static gint compare_strings(gconstpointer a, gconstpointer b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Lines of a that b lacks, as one string ("" when none). */
static char *missing(GPtrArray *a, GPtrArray *b)
{
    GString *out = g_string_new(NULL);
    for (size_t i = 0; i < a->len; i++) {
        if (!g_ptr_array_find_with_equal_func(b, a->pdata[i], g_str_equal, NULL)) {
            g_string_append_printf(out, "  %s\n", (char *)a->pdata[i]);
        }
    }
    return g_string_free(out, FALSE);
}

static void test_routes_match(void)
{
    g_autofree char *yaml = NULL;
    g_autoptr(GError) err = NULL;
    g_assert_true(g_file_get_contents(g_getenv("PADDOCK_OPENAPI"), &yaml, NULL, &err));
    g_autoptr(GPtrArray) documented = openapi_routes(yaml);

    TestServer ts;
    ts_init(&ts);
    g_autofree char *out = NULL;
    const char *const args[] = {"--print-routes", NULL};
    int status = ts_run(&ts, args, &out);
    g_assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    ts_cleanup(&ts);
    g_auto(GStrv) lines = g_strsplit(g_strstrip(out), "\n", -1);
    g_autoptr(GPtrArray) served = g_ptr_array_new();
    for (char **l = lines; *l; l++) {
        g_ptr_array_add(served, *l);
    }

    g_autofree char *undocumented = missing(served, documented);
    g_autofree char *unserved = missing(documented, served);
    if (*undocumented || *unserved) {
        g_error("api/openapi.yaml and the server disagree.\nserved, not documented:\n%s"
                "documented, not served:\n%s",
                undocumented, unserved);
    }
    g_ptr_array_sort(documented, compare_strings);
    for (size_t i = 1; i < documented->len; i++) {
        g_assert_cmpstr(documented->pdata[i - 1], !=, documented->pdata[i]);
    }
    g_assert_cmpuint(documented->len, ==, served->len);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/server/openapi/routes-match", test_routes_match);
    return g_test_run();
}
