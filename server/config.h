/*
 * paddockd's configuration: built-in defaults, then the config file (GKeyFile, group
 * [paddockd], keys named like the long options), then the command line, each overriding
 * the one before. Defaults suit a new user on one machine: loopback only, the pool in
 * ${XDG_DATA_HOME:-~/.local/share}/paddock, the token in ${XDG_CONFIG_HOME:-~/.config}/
 * paddock/token (generated on first start).
 */
#ifndef SERVER_CONFIG_H
#define SERVER_CONFIG_H

#include <stdbool.h>
#include <stdint.h>

#include <glib.h>

#include "server/server.h"

#define SERVER_DEFAULT_LISTEN "127.0.0.1:8470"

/* The command line as parsed: NULL / -1 for options not given. */
typedef struct ServerOptions {
    char *config;
    char *listen;
    char *pool;
    char *token_file;
    int workers;
    char *max_upload;
    char *max_json;
    int shutdown_timeout;
} ServerOptions;

/* The config file read when --config is not given (it need not exist; g_free). */
char *server_config_default_path(void);
/* The token file used when none is configured (g_free); clients look there too. */
char *server_default_token_file(void);

/* Fills cfg from the defaults, the config file and opts. */
bool server_config_load(ServerConfig *cfg, const ServerOptions *opts, GError **errp);
void server_config_clear(ServerConfig *cfg);

/* "1073741824", "64K", "512MiB", "1G" (binary multiples) → bytes. */
bool server_parse_size(const char *text, uint64_t *out);

/*
 * The bearer token from path: read it (the file must not be readable by group or others)
 * or, when the file does not exist, generate 32 random bytes as hex and write them with
 * mode 0600 (*generated set). g_free the result.
 */
char *server_token_load(const char *path, bool *generated, GError **errp);

#endif
