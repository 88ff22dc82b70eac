/*
 * `paddock exec [OPTIONS] FILE [ARGS...]`: runs a local guest program on a paddockd, in
 * its sandbox, as if here: the file is uploaded unless the server has it already
 * (cli/client.h), POST /v1/exec runs it with argv[0] the file's name, and its stdout and
 * stderr come out on ours, then its exit status is ours (128+N for signal N). Options end
 * at FILE, so the program's own options pass through untouched.
 *
 * Exit statuses when the program did not simply end: 124 timeout, 125 another limit
 * (memory, output) or the server stopping, 126 the program could not start there, 1 the
 * server could not be used, 2 usage.
 */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <glib.h>
#include <jansson.h>

#include "cli/client.h"
#include "cli/commands.h"

enum {
    EXEC_EXIT_CLIENT = 1,
    EXEC_EXIT_USAGE = 2,
    EXEC_EXIT_TIMEOUT = 124,
    EXEC_EXIT_LIMIT = 125,
    EXEC_EXIT_NOSTART = 126,
    EXEC_EXIT_SIGNAL_BASE = 128,
};

typedef struct ExecArgs {
    char *server, *token_file, *arch, *stdin_file;
    char **env;
    gint wall_ms, memory_mib;
} ExecArgs;

static void exec_usage(FILE *out)
{
    fprintf(out, "usage: paddock exec [--server URL] [--token-file FILE] [--arch ARCH]\n"
                 "                    [--env NAME=VALUE]... [--stdin FILE|-] [--wall-ms N]\n"
                 "                    [--memory-mib N] FILE [ARGS...]\n\n"
                 "Runs the guest program FILE on a paddockd, in its sandbox, uploading it first\n"
                 "if the server lacks it; prints the program's stdout and stderr and exits with\n"
                 "its status (128+N for signal N; 124 timeout, 125 another limit, 126 it could\n"
                 "not start there, 1 the server could not be used). The environment is only\n"
                 "what --env gives, plus a PATH. The server and token resolve as for\n"
                 "`paddock blob push`.\n");
}

static void exec_args_clear(ExecArgs *a)
{
    g_free(a->server);
    g_free(a->token_file);
    g_free(a->arch);
    g_free(a->stdin_file);
    g_strfreev(a->env);
}

/* Parses options up to FILE; returns -1 to go on, else an exit status. */
static int exec_parse(ExecArgs *a, int *argc, char ***argv)
{
    gboolean help = FALSE;
    const GOptionEntry entries[] = {
        {"server", 's', 0, G_OPTION_ARG_STRING, &a->server, "paddockd URL", "URL"},
        {"token-file", 't', 0, G_OPTION_ARG_FILENAME, &a->token_file, "Token file", "FILE"},
        {"arch", 0, 0, G_OPTION_ARG_STRING, &a->arch, "The program's architecture", "ARCH"},
        {"env", 'e', 0, G_OPTION_ARG_STRING_ARRAY, &a->env, "An environment variable",
         "NAME=VALUE"},
        {"stdin", 'i', 0, G_OPTION_ARG_FILENAME, &a->stdin_file, "The program's stdin", "FILE"},
        {"wall-ms", 0, 0, G_OPTION_ARG_INT, &a->wall_ms, "Wall-clock limit", "N"},
        {"memory-mib", 0, 0, G_OPTION_ARG_INT, &a->memory_mib, "Memory limit", "N"},
        {"help", 'h', 0, G_OPTION_ARG_NONE, &help, "Show this help", NULL},
        G_OPTION_ENTRY_NULL,
    };
    g_autoptr(GOptionContext) ctx = g_option_context_new(NULL);
    g_autoptr(GError) err = NULL;
    g_option_context_set_help_enabled(ctx, FALSE);
    g_option_context_set_strict_posix(ctx, TRUE);
    g_option_context_add_main_entries(ctx, entries, NULL);
    if (!g_option_context_parse(ctx, argc, argv, &err) || help || *argc < 2) {
        if (err) {
            fprintf(stderr, "paddock exec: %s\n", err->message);
        }
        exec_usage(help ? stdout : stderr);
        return help ? 0 : EXEC_EXIT_USAGE;
    }
    return -1;
}

/* "stdin": the file's (or our stdin's, for "-") bytes, as base64. */
static bool exec_add_stdin(json_t *body, const char *file, GError **errp)
{
    g_autofree char *data = NULL;
    gsize len = 0;
    if (!strcmp(file, "-")) {
        g_autoptr(GIOChannel) in = g_io_channel_unix_new(STDIN_FILENO);
        if (g_io_channel_set_encoding(in, NULL, errp) != G_IO_STATUS_NORMAL ||
            g_io_channel_read_to_end(in, &data, &len, errp) != G_IO_STATUS_NORMAL) {
            g_prefix_error(errp, "reading stdin: ");
            return false;
        }
    } else if (!g_file_get_contents(file, &data, &len, errp)) {
        return false;
    }
    g_autofree char *b64 = g_base64_encode((const guchar *)data, len);
    json_object_set_new(body, "stdin", json_pack("{s:s}", "base64", b64));
    return true;
}

static bool exec_add_env(json_t *body, char **env, GError **errp)
{
    json_t *obj = json_object();
    json_object_set_new(body, "env", obj);
    for (char **e = env; e && *e; e++) {
        const char *eq = strchr(*e, '=');
        if (!eq || eq == *e) {
            g_set_error(errp, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                        "--env %s: expected NAME=VALUE", *e);
            return false;
        }
        g_autofree char *name = g_strndup(*e, (gsize)(eq - *e));
        json_object_set_new(obj, name, json_string(eq + 1));
    }
    return true;
}

/* The request for program digest run as argv[0] (FILE) with argv[1...]. */
static json_t *exec_request(const ExecArgs *a, const char *digest, int argc, char **argv,
                            GError **errp)
{
    g_autofree char *argv0 = g_path_get_basename(argv[0]);
    json_t *body = json_pack("{s:s,s:s,s:[]}", "program", digest, "argv0", argv0, "args");
    json_t *args = json_object_get(body, "args");
    for (int i = 1; i < argc; i++) {
        json_array_append_new(args, json_string(argv[i]));
    }
    if (a->arch) {
        json_object_set_new(body, "arch", json_string(a->arch));
    }
    if (a->wall_ms > 0 || a->memory_mib > 0) {
        json_t *limits = json_object();
        if (a->wall_ms > 0) {
            json_object_set_new(limits, "wall_ms", json_integer(a->wall_ms));
        }
        if (a->memory_mib > 0) {
            json_object_set_new(limits, "memory_mib", json_integer(a->memory_mib));
        }
        json_object_set_new(body, "limits", limits);
    }
    if (!exec_add_env(body, a->env, errp) ||
        (a->stdin_file && !exec_add_stdin(body, a->stdin_file, errp))) {
        json_decref(body);
        return NULL;
    }
    return body;
}

/* Writes the result's stream name (text, or base64 when flagged) to out. */
static bool exec_write_stream(const json_t *res, const char *name, FILE *out)
{
    g_autofree char *flag = g_strdup_printf("%s_base64", name);
    const json_t *v = json_object_get(res, name);
    if (!json_is_string(v)) {
        return false;
    }
    if (json_is_true(json_object_get(res, flag))) {
        gsize n;
        g_autofree guchar *bytes = g_base64_decode(json_string_value(v), &n);
        return fwrite(bytes, 1, n, out) == n;
    }
    size_t n = json_string_length(v);
    return fwrite(json_string_value(v), 1, n, out) == n;
}

/* The exit status for the result, with a line on stderr when it is not the program's. */
static int exec_status(const json_t *res)
{
    const char *status = json_string_value(json_object_get(res, "status"));
    const char *message = json_string_value(json_object_get(res, "message"));
    if (status && !strcmp(status, "exited")) {
        return (int)json_integer_value(json_object_get(res, "exit_code"));
    }
    if (status && !strcmp(status, "signaled")) {
        return EXEC_EXIT_SIGNAL_BASE + (int)json_integer_value(json_object_get(res, "signal"));
    }
    fprintf(stderr, "paddock exec: %s%s%s\n", status ? status : "no status", message ? ": " : "",
            message ? message : "");
    if (status && !strcmp(status, "timeout")) {
        return EXEC_EXIT_TIMEOUT;
    }
    return status && strcmp(status, "error") != 0 ? EXEC_EXIT_LIMIT : EXEC_EXIT_NOSTART;
}

static int exec_run(const ExecArgs *a, int argc, char **argv)
{
    g_autoptr(GError) err = NULL;
    g_autoptr(PaddockClient) c = client_new(a->server, a->token_file, &err);
    g_autofree char *digest = c ? client_blob_push(c, argv[0], NULL, &err) : NULL;
    json_t *body = digest ? exec_request(a, digest, argc, argv, &err) : NULL;
    json_t *res = NULL;
    bool ok = body && client_request_json(c, "POST", "/v1/exec", body, &res, &err);
    json_decref(body);
    if (!ok) {
        fprintf(stderr, "paddock exec: %s: %s\n", argv[0], err->message);
        return err->domain == G_OPTION_ERROR ? EXEC_EXIT_USAGE : EXEC_EXIT_CLIENT;
    }
    int status = EXEC_EXIT_CLIENT;
    if (!exec_write_stream(res, "stdout", stdout) || fflush(stdout) != 0 ||
        !exec_write_stream(res, "stderr", stderr)) {
        fprintf(stderr, "paddock exec: the server's result is not readable, or stdout failed\n");
    } else {
        status = exec_status(res);
    }
    json_decref(res);
    return status;
}

int cli_cmd_exec(int argc, char **argv)
{
    ExecArgs a = {0};
    int status = exec_parse(&a, &argc, &argv);
    if (status < 0) {
        status = exec_run(&a, argc - 1, argv + 1);
    }
    exec_args_clear(&a);
    return status;
}
