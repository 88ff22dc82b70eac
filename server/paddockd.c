/*
 * paddockd, the farm server. At this stage it only parses its command line; the REST
 * listener, pool and scheduler join as their issues land (see DESIGN.md).
 */
#include <glib.h>
#include <stdio.h>

#include "paddock-version.h"

int main(int argc, char **argv)
{
    gboolean version = FALSE;
    const GOptionEntry entries[] = {
        {"version", 'V', 0, G_OPTION_ARG_NONE, &version, "Print the version and exit", NULL},
        G_OPTION_ENTRY_NULL,
    };
    g_autoptr(GOptionContext) ctx = g_option_context_new("- the Paddock emulation farm server");
    g_autoptr(GError) err = NULL;

    g_option_context_add_main_entries(ctx, entries, NULL);
    if (!g_option_context_parse(ctx, &argc, &argv, &err)) {
        fprintf(stderr, "paddockd: %s\n", err->message);
        return 2;
    }
    if (version) {
        printf("paddockd %s\n", PADDOCK_VERSION);
        return 0;
    }
    fprintf(stderr, "paddockd: the server is not built yet; only --help and --version work\n");
    return 1;
}
