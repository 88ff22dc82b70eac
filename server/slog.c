/* JSON-lines log on stderr; see slog.h. */
#include "server/slog.h"

#include <stdarg.h>
#include <stdio.h>

#include <glib.h>
#include <jansson.h>

static const char *const slog_level_names[] = {
    [SLOG_DEBUG] = "debug",
    [SLOG_INFO] = "info",
    [SLOG_WARN] = "warn",
    [SLOG_ERROR] = "error",
};

/* RFC 3339 in UTC with milliseconds (g_free). */
static char *slog_time(void)
{
    g_autoptr(GDateTime) now = g_date_time_new_now_utc();
    g_autofree char *base = g_date_time_format(now, "%Y-%m-%dT%H:%M:%S");
    return g_strdup_printf("%s.%03dZ", base, g_date_time_get_microsecond(now) / 1000);
}

/* The caller's fields, or an "slog_error" field naming a bad format (a bug to see). */
static json_t *slog_fields(const char *fields, va_list ap)
{
    if (!fields) {
        return json_object();
    }
    json_error_t jerr;
    json_t *obj = json_vpack_ex(&jerr, 0, fields, ap);
    if (!obj || !json_is_object(obj)) {
        json_decref(obj);
        return json_pack("{s:s}", "slog_error", jerr.text);
    }
    return obj;
}

void slog(SlogLevel level, const char *msg, const char *fields, ...)
{
    g_autofree char *time = slog_time();
    json_t *line =
        json_pack("{s:s,s:s,s:s}", "time", time, "level", slog_level_names[level], "msg", msg);
    va_list ap;
    va_start(ap, fields);
    json_t *extra = slog_fields(fields, ap);
    va_end(ap);
    json_object_update_missing(line, extra);
    json_decref(extra);

    char *text = json_dumps(line, JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(6));
    json_decref(line);
    if (text) {
        flockfile(stderr);
        fputs(text, stderr);
        fputc('\n', stderr);
        funlockfile(stderr);
        free(text);
    }
}
