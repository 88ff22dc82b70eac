/*
 * paddockd's structured log: one JSON object per line on stderr, with time (RFC 3339,
 * UTC, milliseconds), level and msg, then the caller's fields. Fields are given as a
 * jansson json_pack() format and its arguments, so client-chosen strings (paths, names)
 * are escaped and cannot forge lines. Lines from different threads never interleave.
 *
 *     slog(SLOG_INFO, "listening", "{s:s}", "addr", address);
 *     slog(SLOG_WARN, "pool reconciled", NULL);
 */
#ifndef SERVER_SLOG_H
#define SERVER_SLOG_H

typedef enum SlogLevel {
    SLOG_DEBUG,
    SLOG_INFO,
    SLOG_WARN,
    SLOG_ERROR,
} SlogLevel;

/* fields: a json_pack() format building an object, or NULL for none. */
void slog(SlogLevel level, const char *msg, const char *fields, ...);

#endif
