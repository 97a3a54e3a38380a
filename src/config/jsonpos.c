#include "config/jsonpos.h"

#include <jansson.h>
#include <stdint.h>
#include <stdlib.h>
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

/* ------------------------------------------------------------------------------------------ */
/* The index: per container (keyed by the offset of its '{' or '['), where each child starts.  */

typedef struct child {
    cursor_t key;   /* objects: the key's opening quote */
    size_t key_len; /* its raw token length, quotes included */
    cursor_t value;
} child_t;

typedef struct node {
    size_t pos; /* offset of the container's bracket; SIZE_MAX = free slot */
    bool object;
    child_t *children;
    size_t count;
} node_t;

struct rig_json_index {
    const char *text;
    size_t len;
    node_t *slots; /* open addressing, linear probing */
    size_t cap;    /* a power of two */
    size_t used;
};

rig_json_index_t *rig_json_index_create(const char *text, size_t len)
{
    rig_json_index_t *ix = calloc(1, sizeof *ix);
    if (!ix)
        return NULL;
    ix->text = text;
    ix->len = len;
    ix->cap = 64;
    ix->slots = malloc(ix->cap * sizeof *ix->slots);
    if (!ix->slots) {
        free(ix);
        return NULL;
    }
    for (size_t i = 0; i < ix->cap; i++)
        ix->slots[i].pos = SIZE_MAX;
    return ix;
}

void rig_json_index_destroy(rig_json_index_t *ix)
{
    if (!ix)
        return;
    for (size_t i = 0; i < ix->cap; i++)
        if (ix->slots[i].pos != SIZE_MAX)
            free(ix->slots[i].children);
    free(ix->slots);
    free(ix);
}

static size_t slot_of(const node_t *slots, size_t cap, size_t pos)
{
    size_t h = (pos * (size_t)0x9E3779B97F4A7C15ull) & (cap - 1);
    while (slots[h].pos != SIZE_MAX && slots[h].pos != pos)
        h = (h + 1) & (cap - 1);
    return h;
}

static bool grow(rig_json_index_t *ix)
{
    size_t cap = ix->cap * 2;
    node_t *slots = malloc(cap * sizeof *slots);
    if (!slots)
        return false;
    for (size_t i = 0; i < cap; i++)
        slots[i].pos = SIZE_MAX;
    for (size_t i = 0; i < ix->cap; i++)
        if (ix->slots[i].pos != SIZE_MAX)
            slots[slot_of(slots, cap, ix->slots[i].pos)] = ix->slots[i];
    free(ix->slots);
    ix->slots = slots;
    ix->cap = cap;
    return true;
}

static bool push_child(child_t **children, size_t *count, size_t *cap, const child_t *ch)
{
    if (*count == *cap) {
        size_t n = *cap ? *cap * 2 : 8;
        child_t *more = realloc(*children, n * sizeof *more);
        if (!more)
            return false;
        *children = more;
        *cap = n;
    }
    (*children)[(*count)++] = *ch;
    return true;
}

/* Scans the container at c (its '{' or '['), the way enter_member / enter_element walk it. */
static bool scan_node(cursor_t c, node_t *node)
{
    int open = peek(&c);
    node->object = open == '{';
    node->children = NULL;
    node->count = 0;
    size_t cap = 0;
    advance(&c);
    for (;;) {
        skip_ws(&c);
        child_t ch = {.key_len = 0};
        if (node->object) {
            if (peek(&c) != '"')
                return true;
            ch.key = c;
            skip_string(&c);
            ch.key_len = c.pos - ch.key.pos;
            skip_ws(&c);
            advance(&c); /* ':' */
            skip_ws(&c);
        } else {
            int next = peek(&c);
            if (next == ']' || next == -1)
                return true;
        }
        ch.value = c;
        if (!push_child(&node->children, &node->count, &cap, &ch)) {
            free(node->children);
            return false;
        }
        skip_value(&c);
        skip_ws(&c);
        if (peek(&c) == ',')
            advance(&c);
        else if (peek(&c) == -1)
            return true;
    }
}

/* The node of the container at c, scanned on first use; NULL when out of memory. */
static const node_t *node_at(rig_json_index_t *ix, const cursor_t *c)
{
    size_t h = slot_of(ix->slots, ix->cap, c->pos);
    if (ix->slots[h].pos == c->pos)
        return &ix->slots[h];
    if ((ix->used + 1) * 2 > ix->cap) {
        if (!grow(ix))
            return NULL;
        h = slot_of(ix->slots, ix->cap, c->pos);
    }
    node_t node;
    if (!scan_node(*c, &node))
        return NULL;
    node.pos = c->pos;
    ix->slots[h] = node;
    ix->used++;
    return &ix->slots[h];
}

bool rig_json_index_locate(rig_json_index_t *ix, const char *text, size_t len,
                           const rig_json_step_t *path, size_t depth, bool at_key, int *line,
                           int *column)
{
    if (!ix || ix->text != text || ix->len != len)
        return rig_json_locate(text, len, path, depth, at_key, line, column);
    if (!text || (depth > 0 && !path))
        return false;
    cursor_t c = {.s = text, .len = len, .pos = 0, .line = 1, .column = 1};
    skip_ws(&c);
    for (size_t i = 0; i < depth; i++) {
        int open = peek(&c);
        if (open != (path[i].key ? '{' : '['))
            return false;
        const node_t *node = node_at(ix, &c);
        if (!node) /* out of memory: the plain scan still answers */
            return rig_json_locate(text, len, path, depth, at_key, line, column);
        const child_t *found = NULL;
        if (!path[i].key) {
            found = path[i].index < node->count ? &node->children[path[i].index] : NULL;
        } else {
            for (size_t k = 0; k < node->count && !found; k++)
                if (token_equals(text + node->children[k].key.pos, node->children[k].key_len,
                                 path[i].key))
                    found = &node->children[k];
        }
        if (!found)
            return false;
        c = at_key && path[i].key && i + 1 == depth ? found->key : found->value;
    }
    if (line)
        *line = c.line;
    if (column)
        *column = c.column;
    return true;
}
