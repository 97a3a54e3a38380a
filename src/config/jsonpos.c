#include "config/jsonpos.h"

#include <jansson.h>
#include <string.h>

/* The text is known to be valid JSON, so the scanner only has to tell tokens apart, never
 * reject anything; running off the end just ends every loop. */
typedef struct cursor {
    const char *s;
    size_t len;
    size_t pos;
    int line, column; /* of s[pos] */
} cursor_t;

static int peek(const cursor_t *c) { return c->pos < c->len ? (unsigned char)c->s[c->pos] : -1; }

static void advance(cursor_t *c)
{
    if (c->pos >= c->len)
        return;
    unsigned char ch = (unsigned char)c->s[c->pos++];
    if (ch == '\n') {
        c->line++;
        c->column = 1;
    } else if ((ch & 0xC0) != 0x80) { /* UTF-8 continuation bytes share their lead's column */
        c->column++;
    }
}

static void skip_ws(cursor_t *c)
{
    for (int ch = peek(c); ch == ' ' || ch == '\t' || ch == '\r' || ch == '\n'; ch = peek(c))
        advance(c);
}

static void skip_string(cursor_t *c)
{
    advance(c); /* opening quote */
    for (int ch = peek(c); ch != -1; ch = peek(c)) {
        advance(c);
        if (ch == '"')
            return;
        if (ch == '\\')
            advance(c); /* the escaped character, which may be a quote */
    }
}

static void skip_value(cursor_t *c)
{
    int ch = peek(c);
    if (ch == '"') {
        skip_string(c);
    } else if (ch == '{' || ch == '[') {
        int depth = 0;
        do {
            ch = peek(c);
            if (ch == '"') {
                skip_string(c);
                continue;
            }
            if (ch == '{' || ch == '[')
                depth++;
            else if (ch == '}' || ch == ']')
                depth--;
            advance(c);
        } while (depth > 0 && ch != -1);
    } else { /* number, true, false, null */
        while (ch != -1 && ch != ',' && ch != '}' && ch != ']' && ch != ' ' && ch != '\t' &&
               ch != '\r' && ch != '\n') {
            advance(c);
            ch = peek(c);
        }
    }
}

/* Compares a raw string token (with its quotes) to a decoded key. */
static bool token_equals(const char *token, size_t len, const char *key)
{
    if (len < 2)
        return false;
    if (!memchr(token, '\\', len))
        return len - 2 == strlen(key) && memcmp(token + 1, key, len - 2) == 0;
    /* Escapes are rare in keys: let jansson decode them rather than duplicate its rules. */
    json_t *s = json_loadb(token, len, JSON_DECODE_ANY, NULL);
    bool eq = s && json_is_string(s) && strcmp(json_string_value(s), key) == 0;
    json_decref(s);
    return eq;
}

/* Moves the cursor from an object's '{' to the value of member key (or to its key). */
static bool enter_member(cursor_t *c, const char *key, bool at_key)
{
    if (peek(c) != '{')
        return false;
    advance(c);
    for (;;) {
        skip_ws(c);
        if (peek(c) != '"')
            return false; /* '}' or end: no such member */
        cursor_t key_start = *c;
        skip_string(c);
        bool match = token_equals(c->s + key_start.pos, c->pos - key_start.pos, key);
        if (match && at_key) {
            *c = key_start;
            return true;
        }
        skip_ws(c);
        advance(c); /* ':' */
        skip_ws(c);
        if (match)
            return true;
        skip_value(c);
        skip_ws(c);
        if (peek(c) == ',')
            advance(c);
    }
}

/* Moves the cursor from an array's '[' to its index-th element. */
static bool enter_element(cursor_t *c, size_t index)
{
    if (peek(c) != '[')
        return false;
    advance(c);
    for (size_t k = 0;; k++) {
        skip_ws(c);
        int ch = peek(c);
        if (ch == ']' || ch == -1)
            return false;
        if (k == index)
            return true;
        skip_value(c);
        skip_ws(c);
        if (peek(c) == ',')
            advance(c);
    }
}

bool rig_json_locate(const char *text, size_t len, const rig_json_step_t *path, size_t depth,
                     bool at_key, int *line, int *column)
{
    cursor_t c = {.s = text, .len = len, .pos = 0, .line = 1, .column = 1};
    if (!text || (depth > 0 && !path))
        return false;
    skip_ws(&c);
    for (size_t i = 0; i < depth; i++) {
        bool last = i + 1 == depth;
        bool found = path[i].key ? enter_member(&c, path[i].key, at_key && last)
                                 : enter_element(&c, path[i].index);
        if (!found)
            return false;
    }
    if (line)
        *line = c.line;
    if (column)
        *column = c.column;
    return true;
}
