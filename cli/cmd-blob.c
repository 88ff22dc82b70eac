/*
 * `paddock blob push [--server URL] [--token-file FILE] FILE...`: makes sure a paddockd
 * has each file, uploading only those it lacks, and prints their digests (one per line,
 * in order) for use in API requests. Server and token resolve as cli/client.h says.
 */
#include <stdio.h>
#include <string.h>

#include <glib.h>

#include "cli/client.h"
#include "cli/commands.h"

static void blob_usage(FILE *out)
{
    fprintf(out, "usage: paddock blob push [--server URL] [--token-file FILE] FILE...\n\n"
                 "Uploads each FILE to a paddockd unless it already has it, and prints its\n"
                 "digest (sha256:...). The server and token come from the options, else\n"
                 "PADDOCK_SERVER and PADDOCK_TOKEN, else ~/.config/paddock/client.conf,\n"
                 "else http://127.0.0.1:8470 and ~/.config/paddock/token.\n");
}

static int blob_push(int argc, char **argv)
{
    g_autofree char *server = NULL, *token_file = NULL;
    gboolean help = FALSE;
    const GOptionEntry entries[] = {
        {"server", 's', 0, G_OPTION_ARG_STRING, &server, "paddockd URL", "URL"},
        {"token-file", 't', 0, G_OPTION_ARG_FILENAME, &token_file, "Token file", "FILE"},
        {"help", 'h', 0, G_OPTION_ARG_NONE, &help, "Show this help", NULL},
        G_OPTION_ENTRY_NULL,
    };
    g_autoptr(GOptionContext) ctx = g_option_context_new(NULL);
    g_autoptr(GError) err = NULL;
    g_option_context_set_help_enabled(ctx, FALSE);
    g_option_context_add_main_entries(ctx, entries, NULL);
    if (!g_option_context_parse(ctx, &argc, &argv, &err) || help || argc < 2) {
        if (err) {
            fprintf(stderr, "paddock blob push: %s\n", err->message);
        }
        blob_usage(help ? stdout : stderr);
        return help ? 0 : 2;
    }
    g_autoptr(PaddockClient) c = client_new(server, token_file, &err);
    if (!c) {
        fprintf(stderr, "paddock blob push: %s\n", err->message);
        return 1;
    }
    for (int i = 1; i < argc; i++) {
        g_autofree char *digest = client_blob_push(c, argv[i], NULL, &err);
        if (!digest) {
            fprintf(stderr, "paddock blob push: %s: %s\n", argv[i], err->message);
            return 1;
        }
        printf("%s\n", digest);
    }
    return fflush(stdout) ? 1 : 0;
}

int cli_cmd_blob(int argc, char **argv)
{
    if (argc >= 2 && !strcmp(argv[1], "push")) {
        return blob_push(argc - 1, argv + 1);
    }
    if (argc >= 2 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
        blob_usage(stdout);
        return 0;
    }
    blob_usage(stderr);
    return 2;
}
