/* paddockd's defaults, config file, command line and token file; see config.h. */
#include "server/config.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

enum {
    SERVER_DEFAULT_MAX_UPLOAD = 1024 * 1024 * 1024, /* 1 GiB */
    SERVER_DEFAULT_MAX_JSON = 8 * 1024 * 1024,      /* 8 MiB */
    SERVER_DEFAULT_SHUTDOWN_TIMEOUT = 10,           /* seconds */
    SERVER_TOKEN_BYTES = 32,
    SERVER_MAX_WORKERS = 1024,
};

static const char *const config_keys[] = {
    "listen", "pool", "token-file", "workers", "max-upload", "max-json", "shutdown-timeout",
};

char *server_config_default_path(void)
{
    return g_build_filename(g_get_user_config_dir(), "paddock", "paddockd.conf", NULL);
}

char *server_default_token_file(void)
{
    return g_build_filename(g_get_user_config_dir(), "paddock", "token", NULL);
}

bool server_parse_size(const char *text, uint64_t *out)
{
    static const char units[] = "KMGT";
    char *end;
    if (!g_ascii_isdigit(*text)) {
        return false;
    }
    errno = 0;
    guint64 n = g_ascii_strtoull(text, &end, 10);
    const char *unit = *end ? strchr(units, g_ascii_toupper(*end)) : NULL;
    unsigned shift = unit ? 10 * (unsigned)(unit - units + 1) : 0;
    end += unit ? 1 + (end[1] == 'i') : 0;
    end += *end == 'B';
    if (errno || *end || n > (G_MAXUINT64 >> shift)) {
        return false;
    }
    *out = n << shift;
    return true;
}

static void config_defaults(ServerConfig *cfg)
{
    cfg->listen = g_strdup(SERVER_DEFAULT_LISTEN);
    cfg->pool_dir = g_build_filename(g_get_user_data_dir(), "paddock", NULL);
    cfg->token_file = server_default_token_file();
    cfg->workers = MAX(g_get_num_processors(), 2u);
    cfg->max_upload = SERVER_DEFAULT_MAX_UPLOAD;
    cfg->max_json = SERVER_DEFAULT_MAX_JSON;
    cfg->shutdown_timeout = SERVER_DEFAULT_SHUTDOWN_TIMEOUT;
}

static bool config_bad(GError **errp, const char *where, const char *key, const char *value)
{
    g_set_error(errp, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE, "%s %s: bad value '%s'", where, key,
                value);
    return false;
}

/* Applies one setting given as text, from the file or the command line. */
static bool config_set(ServerConfig *cfg, const char *where, const char *key, const char *value,
                       GError **errp)
{
    guint64 n;
    if (!strcmp(key, "listen") || !strcmp(key, "pool") || !strcmp(key, "token-file")) {
        char **slot = key[0] == 'l'   ? &cfg->listen
                      : key[0] == 'p' ? &cfg->pool_dir
                                      : &cfg->token_file;
        if (!*value) {
            return config_bad(errp, where, key, value);
        }
        g_free(*slot);
        *slot = g_strdup(value);
    } else if (!strcmp(key, "workers")) {
        if (!g_ascii_string_to_unsigned(value, 10, 1, SERVER_MAX_WORKERS, &n, NULL)) {
            return config_bad(errp, where, key, value);
        }
        cfg->workers = (unsigned)n;
    } else if (!strcmp(key, "shutdown-timeout")) {
        if (!g_ascii_string_to_unsigned(value, 10, 0, 3600, &n, NULL)) {
            return config_bad(errp, where, key, value);
        }
        cfg->shutdown_timeout = (unsigned)n;
    } else {
        uint64_t *slot = !strcmp(key, "max-upload") ? &cfg->max_upload : &cfg->max_json;
        if (!server_parse_size(value, slot) || *slot == 0) {
            return config_bad(errp, where, key, value);
        }
    }
    return true;
}

static bool config_known_key(const char *key)
{
    for (size_t i = 0; i < G_N_ELEMENTS(config_keys); i++) {
        if (!strcmp(key, config_keys[i])) {
            return true;
        }
    }
    return false;
}

/* Reads [paddockd] from path; a missing default file (required = false) is no error. */
static bool config_read_file(ServerConfig *cfg, const char *path, bool required, GError **errp)
{
    g_autoptr(GKeyFile) kf = g_key_file_new();
    g_autoptr(GError) err = NULL;
    if (!g_key_file_load_from_file(kf, path, G_KEY_FILE_NONE, &err)) {
        if (!required && g_error_matches(err, G_FILE_ERROR, G_FILE_ERROR_NOENT)) {
            return true;
        }
        g_propagate_prefixed_error(errp, g_steal_pointer(&err), "config file %s: ", path);
        return false;
    }
    g_auto(GStrv) keys = g_key_file_get_keys(kf, "paddockd", NULL, NULL);
    for (char **k = keys; k && *k; k++) {
        g_autofree char *value = g_key_file_get_string(kf, "paddockd", *k, &err);
        if (!value || !config_known_key(*k)) {
            g_set_error(errp, G_KEY_FILE_ERROR, G_KEY_FILE_ERROR_KEY_NOT_FOUND,
                        "config file %s: %s key '%s'", path, value ? "unknown" : "unreadable", *k);
            return false;
        }
        if (!config_set(cfg, path, *k, value, errp)) {
            return false;
        }
    }
    return true;
}

static bool config_apply_options(ServerConfig *cfg, const ServerOptions *o, GError **errp)
{
    const char *texts[][2] = {
        {"listen", o->listen},         {"pool", o->pool},         {"token-file", o->token_file},
        {"max-upload", o->max_upload}, {"max-json", o->max_json},
    };
    for (size_t i = 0; i < G_N_ELEMENTS(texts); i++) {
        if (texts[i][1] && !config_set(cfg, "--", texts[i][0], texts[i][1], errp)) {
            return false;
        }
    }
    g_autofree char *workers = o->workers >= 0 ? g_strdup_printf("%d", o->workers) : NULL;
    g_autofree char *timeout =
        o->shutdown_timeout >= 0 ? g_strdup_printf("%d", o->shutdown_timeout) : NULL;
    return (!workers || config_set(cfg, "--", "workers", workers, errp)) &&
           (!timeout || config_set(cfg, "--", "shutdown-timeout", timeout, errp));
}

bool server_config_load(ServerConfig *cfg, const ServerOptions *opts, GError **errp)
{
    config_defaults(cfg);
    g_autofree char *path = opts->config ? g_strdup(opts->config) : server_config_default_path();
    return config_read_file(cfg, path, opts->config != NULL, errp) &&
           config_apply_options(cfg, opts, errp);
}

void server_config_clear(ServerConfig *cfg)
{
    g_free(cfg->listen);
    g_free(cfg->pool_dir);
    g_free(cfg->token_file);
    memset(cfg, 0, sizeof(*cfg));
}

/* ---- the token ---- */

static char *token_read(const char *path, GError **errp)
{
    struct stat sb;
    if (stat(path, &sb)) {
        g_set_error(errp, G_FILE_ERROR, g_file_error_from_errno(errno), "token file %s: %s", path,
                    g_strerror(errno));
        return NULL;
    }
    if (sb.st_mode & 077) {
        g_set_error(errp, G_FILE_ERROR, G_FILE_ERROR_PERM,
                    "token file %s is readable by others (mode %04o): chmod 600 it", path,
                    (unsigned)(sb.st_mode & 07777));
        return NULL;
    }
    char *text = NULL;
    if (!g_file_get_contents(path, &text, NULL, errp)) {
        return NULL;
    }
    g_strstrip(text);
    if (strlen(text) < 16) {
        g_set_error(errp, G_FILE_ERROR, G_FILE_ERROR_INVAL,
                    "token file %s: the token must be at least 16 characters", path);
        g_free(text);
        return NULL;
    }
    return text;
}

static bool token_write(const char *path, const char *token, GError **errp)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    bool ok = fd >= 0;
    size_t len = strlen(token);
    ok = ok && write(fd, token, len) == (ssize_t)len && write(fd, "\n", 1) == 1 && !fsync(fd);
    int err = errno;
    if (fd >= 0 && close(fd) && ok) {
        ok = false;
        err = errno;
    }
    if (!ok) {
        g_set_error(errp, G_FILE_ERROR, g_file_error_from_errno(err),
                    "cannot write the token file %s: %s", path, g_strerror(err));
    }
    return ok;
}

static char *token_generate(const char *path, GError **errp)
{
    guint8 bytes[SERVER_TOKEN_BYTES];
    if (getrandom(bytes, sizeof(bytes), 0) != (ssize_t)sizeof(bytes)) {
        g_set_error(errp, G_FILE_ERROR, g_file_error_from_errno(errno), "getrandom: %s",
                    g_strerror(errno));
        return NULL;
    }
    GString *hex = g_string_sized_new(2 * sizeof(bytes));
    for (size_t i = 0; i < sizeof(bytes); i++) {
        g_string_append_printf(hex, "%02x", bytes[i]);
    }
    g_autofree char *dir = g_path_get_dirname(path);
    if (g_mkdir_with_parents(dir, 0700)) {
        g_set_error(errp, G_FILE_ERROR, g_file_error_from_errno(errno), "cannot create %s: %s", dir,
                    g_strerror(errno));
        g_string_free(hex, TRUE);
        return NULL;
    }
    if (!token_write(path, hex->str, errp)) {
        g_string_free(hex, TRUE);
        return NULL;
    }
    return g_string_free(hex, FALSE);
}

char *server_token_load(const char *path, bool *generated, GError **errp)
{
    *generated = !g_file_test(path, G_FILE_TEST_EXISTS);
    return *generated ? token_generate(path, errp) : token_read(path, errp);
}
