/*
 * The HTTP client of paddockd's REST API, on libcurl, for the `paddock` subcommands that
 * talk to a server (blob, exec). Where the server and the token come from, first found
 * wins:
 *   server: --server URL, $PADDOCK_SERVER, `server` in ~/.config/paddock/client.conf
 *           ([client] group), http://127.0.0.1:8470
 *   token:  --token-file FILE, $PADDOCK_TOKEN (the token itself), `token-file` in
 *           client.conf, ~/.config/paddock/token (where a local paddockd writes it)
 * Error replies ({"error":{"code","message"}}) become GErrors of CLIENT_ERROR_HTTP whose
 * message carries the server's code and message.
 *
 *     g_autoptr(PaddockClient) c = client_new(server_flag, token_flag, &err);
 *     client_blob_push(c, "prog", digest, NULL, &err);
 */
#ifndef CLI_CLIENT_H
#define CLI_CLIENT_H

#include <stdbool.h>

#include <glib.h>
#include <jansson.h>

#define CLIENT_ERROR client_error_quark()
GQuark client_error_quark(void);

typedef enum ClientError {
    CLIENT_ERROR_CONFIG,    /* no usable server URL or token */
    CLIENT_ERROR_TRANSPORT, /* could not reach the server, or the exchange broke */
    CLIENT_ERROR_HTTP,      /* the server answered with an error status */
    CLIENT_ERROR_PROTOCOL,  /* the server's answer was not what the API promises */
} ClientError;

typedef struct PaddockClient PaddockClient;

/* server and token_file are the command-line values, or NULL. */
PaddockClient *client_new(const char *server, const char *token_file, GError **errp);
void client_free(PaddockClient *c);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(PaddockClient, client_free)

/*
 * method path (e.g. "POST", "/v1/exec") with body (borrowed; NULL for none) as JSON.
 * A 2xx answer returns true with *reply its JSON (NULL when empty); any other status is a
 * CLIENT_ERROR_HTTP error. reply may be NULL when the answer does not matter.
 */
bool client_request_json(PaddockClient *c, const char *method, const char *path, json_t *body,
                         json_t **reply, GError **errp);

/* "sha256:<hex>" of a local file (g_free). */
char *client_file_digest(const char *path, GError **errp);
/* HEAD /v1/blobs/{digest}: whether the server has the blob. */
bool client_blob_exists(PaddockClient *c, const char *digest, bool *exists, GError **errp);
/*
 * Makes sure the server has the file: hashes it, asks with HEAD, uploads it (PUT
 * /v1/blobs) only when missing. Returns its digest (g_free); *uploaded (may be NULL) says
 * whether it was sent.
 */
char *client_blob_push(PaddockClient *c, const char *path, bool *uploaded, GError **errp);

#endif
