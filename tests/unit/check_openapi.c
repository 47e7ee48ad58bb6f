/* check_openapi.c - docs/api/openapi.yaml against the route table (controlplane/routes.c).
 * Fails, naming the route, when a route of the table is missing from the document, when the
 * document has a path/method the table lacks, when a query parameter the table allows is not
 * documented for its route (or the document lists one the table would refuse with 400), and
 * when an operation's x-scopes differs from the table row's scopes.
 *
 * The document is read line by line, not by a YAML parser: it relies on the layout
 * conventions written at the top of openapi.yaml (two-space indent, path keys at two spaces,
 * methods at four, operation parameters at six with items at eight, x-scopes at six). Block
 * scalars and flow collections spanning lines are skipped, so text inside descriptions never
 * counts as structure. Anything that breaks the conventions is a structural error naming the
 * line, rather than a silently missed route. The parser is tested on small documents first. */
#include <check.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "auth.h"
#include "routes.h"
#include "testutil.h"

#define DOC_PATH       "docs/api/openapi.yaml"
#define DOC_MAX_OPS    256
#define DOC_MAX_PARAMS 16
#define DOC_MAX_COMPS  64
#define DOC_NAME_MAX   64
#define DOC_PATH_MAX   256
#define DOC_LINE_MAX   4096
#define DOC_ERR_MAX    512

/* A parameter item of an operation (inline or $ref) or a components parameter. */
struct doc_param {
    char name[DOC_NAME_MAX];
    char in[16];
    char ref[DOC_NAME_MAX]; /* $ref items: the components key; components: their own key */
    int line;
};

/* An operation; method "" holds the path-level parameters of path. */
struct doc_op {
    char method[8]; /* lower case */
    char path[DOC_PATH_MAX];
    int line;
    struct doc_param params[DOC_MAX_PARAMS];
    size_t nparams;
    bool has_scopes;
    unsigned scopes;
};

struct doc {
    struct doc_op ops[DOC_MAX_OPS];
    size_t nops;
    struct doc_param comps[DOC_MAX_COMPS];
    size_t ncomps;
    char err[DOC_ERR_MAX]; /* the first structural problem; "" when none */
};

static const char *const http_methods[] = {"get",     "put",   "post",  "delete", "head",
                                           "options", "patch", "trace", NULL};

static const struct {
    const char *name;
    unsigned bit;
} scope_names[] = {
    {"admin", SCOPE_ADMIN},
    {"frontend", SCOPE_FRONTEND},
    {"partner", SCOPE_PARTNER},
    {"appliance", SCOPE_APPLIANCE},
};
#define NSCOPES (sizeof(scope_names) / sizeof(scope_names[0]))

/* ---- the line reader --------------------------------------------------------------------- */

static bool __attribute__((format(printf, 3, 4)))
doc_fail(struct doc *d, int line, const char *fmt, ...)
{
    va_list ap;
    int n;

    if (d->err[0])
        return false;
    n = snprintf(d->err, sizeof(d->err), DOC_PATH " line %d: ", line);
    va_start(ap, fmt);
    vsnprintf(d->err + n, sizeof(d->err) - (size_t)n, fmt, ap);
    va_end(ap);
    return false;
}

static void
copy(char *dst, size_t cap, const char *src, size_t len)
{
    if (len >= cap)
        len = cap - 1;
    memcpy(dst, src, len);
    dst[len] = '\0';
}

/* copy() of a whole string. */
static void
set_str(char *dst, size_t cap, const char *src)
{
    copy(dst, cap, src, strlen(src));
}

/* Split content "key: value" (or "key:") at the first ':' outside quotes that ends the line
 * or is followed by a space. key and value are trimmed, unquoted and stripped of a trailing
 * comment. False when content is no mapping entry. */
static bool
split_kv(const char *content, char *key, size_t keycap, char *val, size_t valcap)
{
    const char *p = content, *colon = NULL, *v, *end;
    char quote = 0;
    size_t n;

    for (; *p; p++) {
        if (quote) {
            if (*p == quote)
                quote = 0;
        } else if ((*p == '\'' || *p == '"') && (p == content || p[-1] == ' ')) {
            quote = *p;
        } else if (*p == ':' && (p[1] == '\0' || p[1] == ' ')) {
            colon = p;
            break;
        }
    }
    if (!colon)
        return false;
    n = (size_t)(colon - content);
    if (n >= 2 && (content[0] == '\'' || content[0] == '"') && content[n - 1] == content[0])
        copy(key, keycap, content + 1, n - 2);
    else
        copy(key, keycap, content, n);
    v = colon + 1;
    while (*v == ' ')
        v++;
    /* A comment starts at " #" outside quotes. */
    quote = 0;
    for (end = v; *end; end++) {
        if (quote) {
            if (*end == quote)
                quote = 0;
        } else if (*end == '\'' || *end == '"') {
            quote = *end;
        } else if (*end == '#' && end > v && end[-1] == ' ') {
            break;
        }
    }
    while (end > v && end[-1] == ' ')
        end--;
    n = (size_t)(end - v);
    if (n >= 2 && (v[0] == '\'' || v[0] == '"') && v[n - 1] == v[0])
        copy(val, valcap, v + 1, n - 2);
    else
        copy(val, valcap, v, n);
    return true;
}

/* True when a value opens a block scalar: | or > with optional chomping and indent digits. */
static bool
is_block_scalar(const char *val)
{
    if (*val != '|' && *val != '>')
        return false;
    for (val++; *val; val++) {
        if (*val != '-' && *val != '+' && !(*val >= '1' && *val <= '9'))
            return false;
    }
    return true;
}

/* Bracket depth a line adds ('[' '{' minus ']' '}' outside quotes). */
static int
flow_depth(const char *s)
{
    char quote = 0;
    int depth = 0;

    for (; *s; s++) {
        if (quote) {
            if (*s == quote)
                quote = 0;
        } else if (*s == '\'' || *s == '"') {
            quote = *s;
        } else if (*s == '[' || *s == '{') {
            depth++;
        } else if (*s == ']' || *s == '}') {
            depth--;
        }
    }
    return depth;
}

/* ---- the document model ------------------------------------------------------------------ */

static struct doc_op *
find_op(struct doc *d, const char *method, const char *path)
{
    size_t i;

    for (i = 0; i < d->nops; i++) {
        if (strcmp(d->ops[i].method, method) == 0 && strcmp(d->ops[i].path, path) == 0)
            return &d->ops[i];
    }
    return NULL;
}

static struct doc_op *
new_op(struct doc *d, int line, const char *method, const char *path)
{
    struct doc_op *op;

    if (d->nops == DOC_MAX_OPS) {
        doc_fail(d, line, "more than %d operations", DOC_MAX_OPS);
        return NULL;
    }
    op = &d->ops[d->nops++];
    memset(op, 0, sizeof(*op));
    set_str(op->method, sizeof(op->method), method);
    set_str(op->path, sizeof(op->path), path);
    op->line = line;
    return op;
}

static bool
is_method(const char *s)
{
    size_t i;

    for (i = 0; http_methods[i]; i++) {
        if (strcmp(http_methods[i], s) == 0)
            return true;
    }
    return false;
}

/* Parse "[admin, partner]" into scope bits. */
static bool
parse_scopes(struct doc *d, int line, const char *val, unsigned *out)
{
    char buf[256], *p, *tok, *save = NULL;
    size_t n = strlen(val), i;

    *out = 0;
    if (n < 2 || val[0] != '[' || val[n - 1] != ']' || n >= sizeof(buf))
        return doc_fail(d, line, "x-scopes: a one-line list such as [admin, partner]");
    copy(buf, sizeof(buf), val + 1, n - 2);
    for (p = buf; (tok = strtok_r(p, ",", &save)) != NULL; p = NULL) {
        char *end;

        while (*tok == ' ')
            tok++;
        end = tok + strlen(tok);
        while (end > tok && end[-1] == ' ')
            *--end = '\0';
        if (*tok == '\0')
            continue;
        for (i = 0; i < NSCOPES && strcmp(scope_names[i].name, tok) != 0; i++)
            ;
        if (i == NSCOPES)
            return doc_fail(d, line, "x-scopes: unknown scope '%s'", tok);
        *out |= scope_names[i].bit;
    }
    return true;
}

static void
set_param_field(struct doc *d, int line, struct doc_param *p, const char *key, const char *val)
{
    static const char prefix[] = "#/components/parameters/";

    if (strcmp(key, "name") == 0) {
        set_str(p->name, sizeof(p->name), val);
    } else if (strcmp(key, "in") == 0) {
        set_str(p->in, sizeof(p->in), val);
    } else if (strcmp(key, "$ref") == 0) {
        if (strncmp(val, prefix, sizeof(prefix) - 1) != 0)
            doc_fail(d, line, "a parameter $ref must point into %s", prefix);
        else
            set_str(p->ref, sizeof(p->ref), val + sizeof(prefix) - 1);
    }
}

/* Resolve $ref items and check that every parameter has a name and a location. */
static bool
resolve(struct doc *d)
{
    size_t i, j, k;

    for (i = 0; i < d->nops; i++) {
        for (j = 0; j < d->ops[i].nparams; j++) {
            struct doc_param *p = &d->ops[i].params[j];

            if (p->ref[0]) {
                for (k = 0; k < d->ncomps && strcmp(d->comps[k].ref, p->ref) != 0; k++)
                    ;
                if (k == d->ncomps)
                    return doc_fail(d, p->line, "$ref to unknown components parameter '%s'",
                                    p->ref);
                set_str(p->name, sizeof(p->name), d->comps[k].name);
                set_str(p->in, sizeof(p->in), d->comps[k].in);
            }
            if (!p->name[0] || !p->in[0])
                return doc_fail(d, p->line, "a parameter needs 'name:' and 'in:' (or a $ref)");
        }
    }
    for (k = 0; k < d->ncomps; k++) {
        if (!d->comps[k].name[0] || !d->comps[k].in[0])
            return doc_fail(d, d->comps[k].line,
                            "components parameter '%s' needs 'name:' and 'in:' at six spaces",
                            d->comps[k].ref);
    }
    return true;
}

enum section { SEC_OTHER, SEC_PATHS, SEC_COMPONENTS };

/* Parse text into d; false with d->err set on a structural error. */
static bool
doc_parse(const char *text, struct doc *d)
{
    char line[DOC_LINE_MAX], key[DOC_PATH_MAX], val[DOC_LINE_MAX];
    char path[DOC_PATH_MAX] = "";
    const char *p = text, *nl, *content;
    enum section sec = SEC_OTHER;
    struct doc_op *op = NULL;      /* the operation (or path-level block) being read */
    struct doc_param *item = NULL; /* the parameter item being read */
    struct doc_param *comp = NULL; /* the components parameter being read */
    bool in_comp_params = false;
    int params_indent = -1; /* indent of the "parameters:" being read, -1 = none */
    int block_indent = -1;  /* lines deeper than this belong to a block scalar */
    int flow = 0;           /* open brackets of a flow collection spanning lines */
    int lineno = 0, indent;
    size_t len;

    memset(d, 0, sizeof(*d));
    for (; *p; p = nl ? nl + 1 : p + strlen(p)) {
        bool is_item;

        lineno++;
        nl = strchr(p, '\n');
        copy(line, sizeof(line), p, nl ? (size_t)(nl - p) : strlen(p));
        len = strlen(line);
        while (len > 0 && (line[len - 1] == ' ' || line[len - 1] == '\r'))
            line[--len] = '\0';
        for (indent = 0; line[indent] == ' '; indent++)
            ;
        content = line + indent;
        if (*content == '\0')
            continue;
        if (block_indent >= 0 && indent > block_indent)
            continue;
        block_indent = -1;
        if (flow > 0) {
            flow += flow_depth(content);
            continue;
        }
        if (*content == '\t')
            return doc_fail(d, lineno, "a tab in the indentation");
        if (*content == '#')
            continue;
        if (indent % 2 != 0)
            return doc_fail(d, lineno, "indentation of %d spaces (use multiples of two)", indent);

        is_item = content[0] == '-' && (content[1] == ' ' || content[1] == '\0');
        key[0] = val[0] = '\0';
        if (!split_kv(is_item ? content + (content[1] ? 2 : 1) : content, key, sizeof(key), val,
                      sizeof(val)))
            key[0] = '\0';
        if (key[0] && is_block_scalar(val))
            block_indent = indent + (is_item ? 2 : 0);
        else if (key[0] && (val[0] == '[' || val[0] == '{'))
            flow = flow_depth(val) > 0 ? flow_depth(val) : 0;

        if (indent == 0) {
            sec = strcmp(key, "paths") == 0        ? SEC_PATHS
                  : strcmp(key, "components") == 0 ? SEC_COMPONENTS
                                                   : SEC_OTHER;
            op = NULL;
            item = comp = NULL;
            params_indent = -1;
            in_comp_params = false;
            continue;
        }

        if (sec == SEC_COMPONENTS) {
            if (indent == 2) {
                in_comp_params = strcmp(key, "parameters") == 0;
                comp = NULL;
            } else if (indent == 4 && in_comp_params) {
                if (!key[0] || val[0])
                    return doc_fail(d, lineno, "components parameters: a key such as 'Limit:'");
                if (d->ncomps == DOC_MAX_COMPS)
                    return doc_fail(d, lineno, "more than %d components parameters", DOC_MAX_COMPS);
                comp = &d->comps[d->ncomps++];
                memset(comp, 0, sizeof(*comp));
                set_str(comp->ref, sizeof(comp->ref), key);
                comp->line = lineno;
            } else if (indent == 6 && comp) {
                set_param_field(d, lineno, comp, key, val);
                if (d->err[0])
                    return false;
            }
            continue;
        }
        if (sec != SEC_PATHS)
            continue;

        /* Inside a "parameters:" block: items two spaces deeper, their keys four. */
        if (params_indent >= 0 && indent > params_indent) {
            if (indent == params_indent + 2 && is_item && content[2] == '{')
                return doc_fail(d, lineno, "write parameter items in block style");
            if (indent == params_indent + 2 && is_item) {
                if (op->nparams == DOC_MAX_PARAMS)
                    return doc_fail(d, lineno, "more than %d parameters", DOC_MAX_PARAMS);
                item = &op->params[op->nparams++];
                memset(item, 0, sizeof(*item));
                item->line = lineno;
                set_param_field(d, lineno, item, key, val);
            } else if (indent == params_indent + 2) {
                return doc_fail(d, lineno, "a parameter item starts with '- ' here");
            } else if (indent == params_indent + 4 && item) {
                set_param_field(d, lineno, item, key, val);
            }
            if (d->err[0])
                return false;
            continue;
        }
        if (params_indent >= 0 && indent == params_indent && is_item)
            return doc_fail(d, lineno, "parameter items go two spaces deeper than 'parameters:'");
        params_indent = -1;
        item = NULL;

        if (indent == 2) {
            if (content[0] != '/' || content[len - indent - 1] != ':')
                return doc_fail(d, lineno,
                                "under paths:, only unquoted path keys ('/...:') at "
                                "two spaces");
            copy(path, sizeof(path), content, len - (size_t)indent - 1);
            if (find_op(d, "", path))
                return doc_fail(d, lineno, "path %s appears twice", path);
            op = new_op(d, lineno, "", path); /* its path-level parameters */
            if (!op)
                return false;
        } else if (indent == 4) {
            if (!path[0])
                return doc_fail(d, lineno, "an operation outside a path");
            if (is_method(key)) {
                if (val[0])
                    return doc_fail(d, lineno, "'%s:' must open a block", key);
                if (find_op(d, key, path))
                    return doc_fail(d, lineno, "%s %s appears twice", key, path);
                op = new_op(d, lineno, key, path);
                if (!op)
                    return false;
            } else if (strcmp(key, "parameters") == 0) {
                op = find_op(d, "", path);
                params_indent = 4;
            } else {
                op = NULL; /* summary, description, servers of the path item */
            }
        } else if (indent == 6 && op && op->method[0]) {
            if (strcmp(key, "parameters") == 0) {
                params_indent = 6;
            } else if (strcmp(key, "x-scopes") == 0) {
                if (op->has_scopes)
                    return doc_fail(d, lineno, "x-scopes appears twice");
                op->has_scopes = true;
                if (!parse_scopes(d, lineno, val, &op->scopes))
                    return false;
                flow = 0;
            }
        }
    }
    return resolve(d);
}

/* ---- queries on the model ------------------------------------------------------------------ */

/* Query parameters documented for op: its own and its path's. */
static bool
doc_has_query(struct doc *d, const struct doc_op *op, const char *name)
{
    const struct doc_op *ops[2] = {op, find_op(d, "", op->path)};
    size_t i, j;

    for (i = 0; i < 2; i++) {
        for (j = 0; ops[i] && j < ops[i]->nparams; j++) {
            if (strcmp(ops[i]->params[j].in, "query") == 0 &&
                strcmp(ops[i]->params[j].name, name) == 0)
                return true;
        }
    }
    return false;
}

static bool
route_allows(const struct api_route *rt, const char *name)
{
    const char *const *q;

    for (q = rt->query; q && *q; q++) {
        if (strcmp(*q, name) == 0)
            return true;
    }
    return false;
}

static const char *
scopes_text(unsigned bits, char *buf, size_t cap)
{
    size_t i;

    snprintf(buf, cap, "[");
    for (i = 0; i < NSCOPES; i++) {
        if (bits & scope_names[i].bit)
            snprintf(buf + strlen(buf), cap - strlen(buf), "%s%s", buf[1] ? ", " : "",
                     scope_names[i].name);
    }
    snprintf(buf + strlen(buf), cap - strlen(buf), "]");
    return buf;
}

static void
lower(char *dst, size_t cap, const char *src)
{
    size_t i;

    for (i = 0; src[i] && i + 1 < cap; i++)
        dst[i] = (src[i] >= 'A' && src[i] <= 'Z') ? (char)(src[i] + 32) : src[i];
    dst[i] = '\0';
}

/* The document, read and parsed once per process (each forked test re-reads it). */
static struct doc *
the_doc(void)
{
    static struct doc *d;
    char *text;
    FILE *f;
    long n;

    if (d)
        return d;
    f = fopen(DOC_PATH, "rb");
    ck_assert_msg(f != NULL, "cannot open %s (tests run from the project root)", DOC_PATH);
    ck_assert_int_eq(fseek(f, 0, SEEK_END), 0);
    n = ftell(f);
    ck_assert_int_gt(n, 0);
    rewind(f);
    text = malloc((size_t)n + 1);
    ck_assert_ptr_nonnull(text);
    ck_assert_uint_eq(fread(text, 1, (size_t)n, f), (size_t)n);
    text[n] = '\0';
    fclose(f);
    d = malloc(sizeof(*d));
    ck_assert_ptr_nonnull(d);
    doc_parse(text, d);
    free(text);
    return d;
}

/* The document's operation for route i; fails the test naming the route when there is none. */
static struct doc_op *
route_op(int i)
{
    const struct api_route *rt = &api_routes[i];
    struct doc *d = the_doc();
    struct doc_op *op;
    char m[8];

    ck_assert_msg(d->err[0] == '\0', "%s", d->err);
    lower(m, sizeof(m), rt->method);
    op = find_op(d, m, rt->pattern);
    ck_assert_msg(op != NULL,
                  "route %s %s (%s) of controlplane/routes.c is not in %s: add the path key "
                  "'  %s:' under paths: with '    %s:' under it",
                  rt->method, rt->pattern, rt->summary, DOC_PATH, rt->pattern, m);
    return op;
}

/* ---- tests of the parser on small documents ------------------------------------------------ */

static const char sample[] = "openapi: 3.0.3\n"
                             "info:\n"
                             "  description: |\n"
                             "    paths:\n"
                             "      /not/a/path:\n"
                             "        get:\n"
                             "paths:\n"
                             "  /v1/things/{thing}:\n"
                             "    parameters:\n"
                             "      - name: thing\n"
                             "        in: path\n"
                             "      - name: pretty\n"
                             "        in: query\n"
                             "    get:\n"
                             "      summary: 'a thing: shown'\n"
                             "      description: >-\n"
                             "        text that looks like structure:\n"
                             "    post:\n"
                             "        - name: nope\n"
                             "      x-scopes: [admin, partner]  # a comment\n"
                             "      tags: [a,\n"
                             "             b]\n"
                             "      parameters:\n"
                             "        - $ref: '#/components/parameters/Limit'\n"
                             "        - description: |\n"
                             "            - name: bogus\n"
                             "              in: query\n"
                             "          name: fields\n"
                             "          in: query\n"
                             "          schema:\n"
                             "            type: string\n"
                             "      responses:\n"
                             "        \"200\":\n"
                             "          description: ok\n"
                             "    delete:\n"
                             "      x-scopes: []\n"
                             "  /healthz:\n"
                             "    get:\n"
                             "      x-scopes: []\n"
                             "components:\n"
                             "  parameters:\n"
                             "    Limit:\n"
                             "      name: limit\n"
                             "      in: query\n"
                             "      schema:\n"
                             "        type: integer\n";

static struct doc *
parse_text(const char *text)
{
    struct doc *d = malloc(sizeof(*d));

    ck_assert_ptr_nonnull(d);
    doc_parse(text, d);
    return d;
}

START_TEST(parser_reads_sample)
{
    struct doc *d = parse_text(sample);
    struct doc_op *get, *post, *del;

    ck_assert_msg(d->err[0] == '\0', "%s", d->err);
    get = find_op(d, "get", "/v1/things/{thing}");
    post = find_op(d, "post", "/v1/things/{thing}");
    del = find_op(d, "delete", "/v1/things/{thing}");
    ck_assert_ptr_nonnull(get);
    ck_assert_ptr_nonnull(post);
    ck_assert_ptr_nonnull(del);
    ck_assert_ptr_nonnull(find_op(d, "get", "/healthz"));
    ck_assert_ptr_null(find_op(d, "get", "/not/a/path"));
    ck_assert_uint_eq(d->nops, 6); /* 4 operations + 2 path-level blocks */
    ck_assert(!get->has_scopes);
    ck_assert(post->has_scopes);
    ck_assert_uint_eq(post->scopes, SCOPE_ADMIN | SCOPE_PARTNER);
    ck_assert(del->has_scopes);
    ck_assert_uint_eq(del->scopes, 0);
    ck_assert_uint_eq(post->nparams, 2);
    ck_assert(doc_has_query(d, post, "limit"));
    ck_assert(doc_has_query(d, post, "fields"));
    ck_assert(doc_has_query(d, post, "pretty")); /* path level */
    ck_assert(doc_has_query(d, get, "pretty"));
    ck_assert(!doc_has_query(d, post, "bogus"));
    ck_assert(!doc_has_query(d, post, "nope"));
    ck_assert(!doc_has_query(d, get, "thing")); /* a path parameter */
    free(d);
}
END_TEST

static const struct {
    const char *text;
    const char *err; /* a part of the expected message */
} bad_docs[] = {
    {"paths:\n  /a:\n    get:\n    get:\n", "get /a appears twice"},
    {"paths:\n  /a:\n    get:\n  /a:\n", "path /a appears twice"},
    {"paths:\n  '/a':\n    get:\n", "only unquoted path keys"},
    {"paths:\n  /a:\n\t  get:\n", "line 3"},
    {"paths:\n   /a:\n", "indentation of 3"},
    {"paths:\n  /a:\n    get:\n      x-scopes: [admin, root]\n", "unknown scope 'root'"},
    {"paths:\n  /a:\n    get:\n      x-scopes: admin\n", "one-line list"},
    {"paths:\n  /a:\n    get:\n      x-scopes: []\n      x-scopes: []\n", "twice"},
    {"paths:\n  /a:\n    get:\n      parameters:\n      - name: x\n", "two spaces deeper"},
    {"paths:\n  /a:\n    get:\n      parameters:\n        name: x\n", "starts with '- '"},
    {"paths:\n  /a:\n    get:\n      parameters:\n        - name: x\n", "needs 'name:' and 'in:'"},
    {"paths:\n  /a:\n    get:\n      parameters:\n        - $ref: '#/components/parameters/"
     "Nope'\n",
     "unknown components parameter 'Nope'"},
    {"paths:\n  /a:\n    get:\n      parameters:\n        - $ref: '#/components/schemas/X'\n",
     "must point into"},
    {"paths:\n  /a:\n    get: {}\n", "must open a block"},
    {"paths:\n  /a:\n    get:\n      parameters:\n        - {name: x, in: query}\n", "block style"},
    {"components:\n  parameters:\n    Limit:\n      name: limit\n", "needs 'name:' and 'in:'"},
};

START_TEST(parser_rejects_bad_layout)
{
    struct doc *d = parse_text(bad_docs[_i].text);

    ck_assert_msg(d->err[0] != '\0', "case %d: no error", _i);
    ck_assert_msg(strstr(d->err, bad_docs[_i].err) != NULL, "case %d: '%s' lacks '%s'", _i, d->err,
                  bad_docs[_i].err);
    free(d);
}
END_TEST

/* ---- the document against the route table --------------------------------------------------- */

START_TEST(doc_parses)
{
    struct doc *d = the_doc();

    ck_assert_msg(d->err[0] == '\0', "%s", d->err);
    ck_assert_uint_gt(d->nops, 0);
}
END_TEST

START_TEST(route_is_documented)
{
    const struct api_route *rt = &api_routes[_i];
    struct doc_op *op = route_op(_i);

    ck_assert_msg(op->has_scopes, "route %s %s: the operation (%s line %d) has no x-scopes",
                  rt->method, rt->pattern, DOC_PATH, op->line);
}
END_TEST

START_TEST(route_scopes_match)
{
    const struct api_route *rt = &api_routes[_i];
    struct doc_op *op = route_op(_i);
    char want[96], have[96];

    ck_assert_msg(op->scopes == rt->scopes,
                  "route %s %s: the table allows %s, x-scopes (%s line %d) says %s", rt->method,
                  rt->pattern, scopes_text(rt->scopes, want, sizeof(want)), DOC_PATH, op->line,
                  scopes_text(op->scopes, have, sizeof(have)));
}
END_TEST

START_TEST(route_query_parameters_documented)
{
    const struct api_route *rt = &api_routes[_i];
    struct doc_op *op = route_op(_i);
    const char *const *q;

    for (q = rt->query; q && *q; q++)
        ck_assert_msg(doc_has_query(the_doc(), op, *q),
                      "route %s %s: query parameter '%s' is allowed by the table but not "
                      "documented (%s line %d)",
                      rt->method, rt->pattern, *q, DOC_PATH, op->line);
}
END_TEST

START_TEST(route_documents_only_allowed_query_parameters)
{
    const struct api_route *rt = &api_routes[_i];
    struct doc_op *op = route_op(_i);
    struct doc *d = the_doc();
    const struct doc_op *ops[2] = {op, find_op(d, "", op->path)};
    size_t i, j;

    for (i = 0; i < 2; i++) {
        for (j = 0; ops[i] && j < ops[i]->nparams; j++) {
            const struct doc_param *p = &ops[i]->params[j];

            if (strcmp(p->in, "query") != 0)
                continue;
            ck_assert_msg(route_allows(rt, p->name),
                          "route %s %s: query parameter '%s' is documented (%s line %d) but "
                          "the table does not allow it (the server answers 400)",
                          rt->method, rt->pattern, p->name, DOC_PATH, p->line);
        }
    }
}
END_TEST

START_TEST(doc_has_no_route_the_table_lacks)
{
    struct doc *d = the_doc();
    char extra[2048] = "", m[8];
    size_t i, r;

    ck_assert_msg(d->err[0] == '\0', "%s", d->err);
    for (i = 0; i < d->nops; i++) {
        const struct doc_op *op = &d->ops[i];

        if (!op->method[0])
            continue;
        for (r = 0; r < api_nroutes; r++) {
            lower(m, sizeof(m), api_routes[r].method);
            if (strcmp(m, op->method) == 0 && strcmp(api_routes[r].pattern, op->path) == 0)
                break;
        }
        if (r == api_nroutes)
            snprintf(extra + strlen(extra), sizeof(extra) - strlen(extra), " %s %s (line %d);",
                     op->method, op->path, op->line);
    }
    ck_assert_msg(extra[0] == '\0', "%s documents routes that controlplane/routes.c lacks:%s",
                  DOC_PATH, extra);
}
END_TEST

static Suite *
openapi_suite(void)
{
    Suite *s = suite_create("openapi");
    TCase *tc;

    tc = tcase_create("parser");
    tcase_add_test(tc, parser_reads_sample);
    tcase_add_loop_test(tc, parser_rejects_bad_layout, 0,
                        (int)(sizeof(bad_docs) / sizeof(bad_docs[0])));
    suite_add_tcase(s, tc);

    tc = tcase_create("routes");
    tcase_add_test(tc, doc_parses);
    tcase_add_loop_test(tc, route_is_documented, 0, (int)api_nroutes);
    tcase_add_loop_test(tc, route_scopes_match, 0, (int)api_nroutes);
    tcase_add_loop_test(tc, route_query_parameters_documented, 0, (int)api_nroutes);
    tcase_add_loop_test(tc, route_documents_only_allowed_query_parameters, 0, (int)api_nroutes);
    tcase_add_test(tc, doc_has_no_route_the_table_lacks);
    suite_add_tcase(s, tc);
    return s;
}

int
main(void)
{
    return run_suite(openapi_suite());
}
