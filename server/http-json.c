/*
 * JSON from clients: strict parsing (one document, no duplicate keys, no NUL in strings)
 * and a table-driven shape check, so that a resource turns an untrusted body into its
 * typed request with one call and every error names the offending field.
 */
#include <string.h>

#include "server/http.h"

json_t *http_json_parse(const char *data, size_t len, GError **errp)
{
    json_error_t jerr;
    if (len == 0) {
        g_set_error(errp, HTTP_ERROR, HTTP_ERROR_INVALID_JSON, "the body is empty");
        return NULL;
    }
    json_t *doc = json_loadb(data, len, JSON_REJECT_DUPLICATES, &jerr);
    if (!doc) {
        g_set_error(errp, HTTP_ERROR, HTTP_ERROR_INVALID_JSON,
                    "invalid JSON at line %d, column %d: %s", jerr.line, jerr.column, jerr.text);
    }
    return doc;
}

static const char *http_json_type_name(HttpJsonType t)
{
    switch (t) {
    case HTTP_JSON_STRING: return "a string";
    case HTTP_JSON_INTEGER: return "an integer";
    case HTTP_JSON_BOOLEAN: return "a boolean";
    case HTTP_JSON_OBJECT: return "an object";
    case HTTP_JSON_ARRAY: return "an array";
    case HTTP_JSON_STRING_OR_OBJECT: return "a string or an object";
    }
    return "?";
}

static bool http_json_type_ok(const HttpJsonField *f, const json_t *v)
{
    switch (f->type) {
    case HTTP_JSON_STRING: return json_is_string(v);
    case HTTP_JSON_INTEGER: return json_is_integer(v);
    case HTTP_JSON_BOOLEAN: return json_is_boolean(v);
    case HTTP_JSON_OBJECT: return json_is_object(v);
    case HTTP_JSON_ARRAY: return json_is_array(v);
    case HTTP_JSON_STRING_OR_OBJECT: return json_is_string(v) || json_is_object(v);
    }
    return false;
}

/* "where.name", or "name" at the top level. */
static char *http_json_path(const char *where, const char *name)
{
    return where ? g_strdup_printf("%s.%s", where, name) : g_strdup(name);
}

static bool http_json_check_field(const HttpJsonField *f, const json_t *v, const char *where,
                                  GError **errp)
{
    g_autofree char *path = http_json_path(where, f->name);
    if (!http_json_type_ok(f, v)) {
        g_set_error(errp, HTTP_ERROR, HTTP_ERROR_INVALID_FIELD, "%s: expected %s", path,
                    http_json_type_name(f->type));
        return false;
    }
    if (f->type != HTTP_JSON_INTEGER) {
        return true;
    }
    json_int_t n = json_integer_value(v);
    json_int_t min = f->min, max = f->max;
    if (!min && !max) {
        max = INT64_MAX;
    }
    if (n < min || n > max) {
        g_set_error(errp, HTTP_ERROR, HTTP_ERROR_INVALID_FIELD,
                    "%s: %" JSON_INTEGER_FORMAT " is outside [%" JSON_INTEGER_FORMAT
                    ", %" JSON_INTEGER_FORMAT "]",
                    path, n, min, max);
        return false;
    }
    return true;
}

static const HttpJsonField *http_json_field(const HttpJsonField *fields, size_t n, const char *name)
{
    for (size_t i = 0; i < n; i++) {
        if (!strcmp(fields[i].name, name)) {
            return &fields[i];
        }
    }
    return NULL;
}

bool http_json_check(const json_t *obj, const char *where, const HttpJsonField *fields,
                     size_t n_fields, GError **errp)
{
    if (!json_is_object(obj)) {
        g_set_error(errp, HTTP_ERROR, HTTP_ERROR_INVALID_FIELD, "%s: expected an object",
                    where ? where : "the body");
        return false;
    }
    const char *key;
    json_t *v;
    json_object_foreach((json_t *)obj, key, v)
    {
        const HttpJsonField *f = http_json_field(fields, n_fields, key);
        if (!f) {
            g_autofree char *path = http_json_path(where, key);
            g_set_error(errp, HTTP_ERROR, HTTP_ERROR_INVALID_FIELD, "%s: unknown field", path);
            return false;
        }
        if (!http_json_check_field(f, v, where, errp)) {
            return false;
        }
    }
    for (size_t i = 0; i < n_fields; i++) {
        if (fields[i].required && !json_object_get(obj, fields[i].name)) {
            g_autofree char *path = http_json_path(where, fields[i].name);
            g_set_error(errp, HTTP_ERROR, HTTP_ERROR_INVALID_FIELD, "%s: required", path);
            return false;
        }
    }
    return true;
}
