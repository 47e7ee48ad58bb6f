/* check_cfg.c - tests of the table-driven config loader (common/cfg.c).
 * A sample table with every type; fixture files in tests/data/cfg/ (good and bad cases). */
#include <check.h>
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cfg.h"
#include "testutil.h"

struct sample {
    char *name;
    char *motd;
    int64_t workers;
    int64_t offset;
    bool verbose;
    int64_t timeout_ms;
    int64_t grace_ms;
    int64_t cache_bytes;
    char *listen;
    char *tag;
};

static enum ocdn_err
check_lower(const void *field, char *err, size_t errlen)
{
    const char *s = *(char *const *)field;

    for (; *s; s++) {
        if (*s >= 'A' && *s <= 'Z') {
            snprintf(err, errlen, "must be lower case");
            return OCDN_EINVAL;
        }
    }
    return OCDN_OK;
}

#define OFF(f) offsetof(struct sample, f)

static const struct cfg_key sample_table[] = {
    {"name", CFG_STR, OFF(name), "ocdn", 1, 16, false, NULL, "instance name"},
    {"motd", CFG_STR, OFF(motd), NULL, 0, 0, true, NULL, "message of the day"},
    {"workers", CFG_INT, OFF(workers), "4", 1, 64, false, NULL, "worker threads"},
    {"offset", CFG_INT, OFF(offset), "-5", 0, 0, true, NULL, NULL},
    {"verbose", CFG_BOOL, OFF(verbose), "no", 0, 0, true, NULL, "log more"},
    {"timeout", CFG_DURATION, OFF(timeout_ms), "30s", 1, 86400000, true, NULL, "request timeout"},
    {"grace", CFG_DURATION, OFF(grace_ms), "0", 0, 0, false, NULL, "drain grace period"},
    {"cache", CFG_SIZE, OFF(cache_bytes), "64M", 0, INT64_C(1) << 30, true, NULL, "cache size"},
    {"listen", CFG_HOSTPORT, OFF(listen), "127.0.0.1:8080", 0, 0, false, NULL, "HTTP listener"},
    {"tag", CFG_STR, OFF(tag), "blue", 1, 32, true, check_lower, "colour tag"},
};
#define NSAMPLE (sizeof(sample_table) / sizeof(sample_table[0]))

static char errbuf[512];

static enum ocdn_err
load_text(const char *text, size_t len, struct sample *s)
{
    memset(s, 0, sizeof(*s));
    return cfg_load_buf(sample_table, NSAMPLE, "cp.conf", text, len, s, errbuf, sizeof(errbuf));
}

static enum ocdn_err
load(const char *text, struct sample *s)
{
    return load_text(text, strlen(text), s);
}

/* Malloc'd output of cfg_print() for the sample table. */
static char *
print_sample(const struct sample *s)
{
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);

    ck_assert_ptr_nonnull(f);
    cfg_print(sample_table, NSAMPLE, s, f);
    ck_assert_int_eq(fclose(f), 0);
    return text;
}

static void
assert_zeroed(const struct sample *s)
{
    ck_assert_ptr_null(s->name);
    ck_assert_ptr_null(s->motd);
    ck_assert_ptr_null(s->listen);
    ck_assert_ptr_null(s->tag);
    ck_assert_int_eq(s->workers, 0);
    ck_assert_int_eq(s->offset, 0);
    ck_assert(!s->verbose);
    ck_assert_int_eq(s->timeout_ms, 0);
    ck_assert_int_eq(s->grace_ms, 0);
    ck_assert_int_eq(s->cache_bytes, 0);
}

/* ---- defaults ------------------------------------------------------------------------------ */

START_TEST(defaults_only_with_null_path)
{
    struct sample s;

    memset(&s, 0, sizeof(s));
    ck_assert_int_eq(cfg_load(sample_table, NSAMPLE, NULL, &s, errbuf, sizeof(errbuf)), OCDN_OK);
    ck_assert_str_eq(errbuf, "");
    ck_assert_str_eq(s.name, "ocdn");
    ck_assert_ptr_null(s.motd);
    ck_assert_int_eq(s.workers, 4);
    ck_assert_int_eq(s.offset, -5);
    ck_assert(!s.verbose);
    ck_assert_int_eq(s.timeout_ms, 30000);
    ck_assert_int_eq(s.grace_ms, 0);
    ck_assert_int_eq(s.cache_bytes, 64 << 20);
    ck_assert_str_eq(s.listen, "127.0.0.1:8080");
    ck_assert_str_eq(s.tag, "blue");
    cfg_clear(sample_table, NSAMPLE, &s);
    ck_assert_ptr_null(s.name);
    ck_assert_ptr_null(s.listen);
    ck_assert_ptr_null(s.tag);
}
END_TEST

START_TEST(defaults_empty_buffer)
{
    struct sample s;

    ck_assert_int_eq(load_text(NULL, 0, &s), OCDN_OK);
    ck_assert_int_eq(s.workers, 4);
    cfg_clear(sample_table, NSAMPLE, &s);
    ck_assert_int_eq(load("", &s), OCDN_OK);
    ck_assert_str_eq(s.name, "ocdn");
    cfg_clear(sample_table, NSAMPLE, &s);
}
END_TEST

START_TEST(defaults_print_golden)
{
    struct sample s;
    char *want = fixture("cfg/defaults.out", NULL);
    char *got;

    ck_assert_int_eq(load("", &s), OCDN_OK);
    got = print_sample(&s);
    ck_assert_str_eq(got, want);
    free(got);
    free(want);
    cfg_clear(sample_table, NSAMPLE, &s);
}
END_TEST

START_TEST(defaults_null_buffer_with_length_rejected)
{
    struct sample s;

    ck_assert_int_eq(load_text(NULL, 5, &s), OCDN_EINVAL);
    ck_assert_str_eq(errbuf, "cp.conf: no text");
    assert_zeroed(&s);
}
END_TEST

/* ---- the table itself ---------------------------------------------------------------------- */

struct one {
    int64_t i;
    char *s;
    bool b;
};

struct bad_table {
    struct cfg_key key[2];
    size_t n;
    const char *msg;
};

static const struct bad_table bad_tables[] = {
    {{{NULL, CFG_INT, offsetof(struct one, i), "1", 0, 0, false, NULL, NULL}},
     1,
     "table: row 0: bad key name"},
    {{{"", CFG_INT, offsetof(struct one, i), "1", 0, 0, false, NULL, NULL}},
     1,
     "table: row 0: bad key name"},
    {{{"a b", CFG_INT, offsetof(struct one, i), "1", 0, 0, false, NULL, NULL}},
     1,
     "table: row 0: bad key name"},
    {{{"a", CFG_INT, offsetof(struct one, i), "1", 0, 0, false, NULL, NULL},
      {"a", CFG_STR, offsetof(struct one, s), NULL, 0, 0, false, NULL, NULL}},
     2,
     "table: a: listed twice"},
    {{{"a", (enum cfg_type)99, offsetof(struct one, i), "1", 0, 0, false, NULL, NULL}},
     1,
     "table: a: bad type"},
    {{{"a", CFG_INT, offsetof(struct one, i), "1", 5, 1, false, NULL, NULL}},
     1,
     "table: a: min is greater than max"},
    {{{"a", CFG_BOOL, offsetof(struct one, b), "no", 0, 1, false, NULL, NULL}},
     1,
     "table: a: bounds do not apply to this type"},
    {{{"a", CFG_HOSTPORT, offsetof(struct one, s), NULL, 1, 2, false, NULL, NULL}},
     1,
     "table: a: bounds do not apply to this type"},
    {{{"a", CFG_STR, offsetof(struct one, s), "x", -1, 5, false, NULL, NULL}},
     1,
     "table: a: negative lower bound"},
    {{{"a", CFG_DURATION, offsetof(struct one, i), "1s", -1000, 5000, false, NULL, NULL}},
     1,
     "table: a: negative lower bound"},
    {{{"a", CFG_INT, offsetof(struct one, i), NULL, 0, 0, false, NULL, NULL}},
     1,
     "table: a: no default"},
    {{{"a", CFG_BOOL, offsetof(struct one, b), NULL, 0, 0, false, NULL, NULL}},
     1,
     "table: a: no default"},
    {{{"a", CFG_INT, offsetof(struct one, i), "1", 0, 0, false, NULL, "two\nlines"}},
     1,
     "table: a: help is not one line"},
};

START_TEST(table_bad_rejected_untouched)
{
    const struct bad_table *t = &bad_tables[_i];
    struct one o, before;

    memset(&o, 0xab, sizeof(o));
    memcpy(&before, &o, sizeof(o));
    ck_assert_int_eq(cfg_load_buf(t->key, t->n, "x.conf", "", 0, &o, errbuf, sizeof(errbuf)),
                     OCDN_EINVAL);
    ck_assert_str_eq(errbuf, t->msg);
    ck_assert_mem_eq(&o, &before, sizeof(o));
    /* cfg_load() with a missing file still reports the table, not the file. */
    ck_assert_int_eq(cfg_load(t->key, t->n, NULL, &o, errbuf, sizeof(errbuf)), OCDN_EINVAL);
    ck_assert_str_eq(errbuf, t->msg);
}
END_TEST

START_TEST(table_null_with_rows_rejected)
{
    struct one o;

    ck_assert_int_eq(cfg_load_buf(NULL, 1, "x.conf", "", 0, &o, errbuf, sizeof(errbuf)),
                     OCDN_EINVAL);
    ck_assert_str_eq(errbuf, "table: missing");
}
END_TEST

START_TEST(table_empty_accepts_empty_file)
{
    struct one o;

    ck_assert_int_eq(cfg_load_buf(NULL, 0, "x.conf", "# nothing\n", 10, &o, errbuf, sizeof(errbuf)),
                     OCDN_OK);
    ck_assert_int_eq(cfg_load_buf(NULL, 0, "x.conf", "a = 1\n", 6, &o, errbuf, sizeof(errbuf)),
                     OCDN_EINVAL);
    ck_assert_str_eq(errbuf, "x.conf:1: a: unknown key");
}
END_TEST

struct bad_default {
    struct cfg_key key;
    const char *msg;
};

static const struct bad_default bad_defaults[] = {
    {{"a", CFG_INT, offsetof(struct one, i), "x", 0, 0, false, NULL, NULL},
     "(default): a: not an integer"},
    {{"a", CFG_INT, offsetof(struct one, i), "0", 1, 64, false, NULL, NULL},
     "(default): a: 0 is out of range 1..64"},
    {{"a", CFG_DURATION, offsetof(struct one, i), "30", 1, 1000, false, NULL, NULL},
     "(default): a: 30s is out of range 1ms..1s"},
    {{"a", CFG_SIZE, offsetof(struct one, i), "1x", 0, 0, false, NULL, NULL},
     "(default): a: not a size (e.g. 512, 64k, 16M, 2G)"},
    {{"a", CFG_BOOL, offsetof(struct one, b), "maybe", 0, 0, false, NULL, NULL},
     "(default): a: not a boolean (yes/no, true/false, on/off, 1/0)"},
    {{"a", CFG_HOSTPORT, offsetof(struct one, s), "localhost:80", 0, 0, false, NULL, NULL},
     "(default): a: not host:port"},
    {{"a", CFG_STR, offsetof(struct one, s), "", 1, 8, false, NULL, NULL},
     "(default): a: length 0 is out of range 1..8"},
    {{"a", CFG_STR, offsetof(struct one, s), "Blue", 0, 0, false, check_lower, NULL},
     "(default): a: must be lower case"},
    {{"a", CFG_STR, offsetof(struct one, s), "a\nb", 0, 0, false, NULL, NULL},
     "(default): a: control character in value"},
};

START_TEST(table_bad_default_rejected)
{
    const struct bad_default *t = &bad_defaults[_i];
    struct one o;

    memset(&o, 0, sizeof(o));
    ck_assert_int_eq(cfg_load_buf(&t->key, 1, "x.conf", "", 0, &o, errbuf, sizeof(errbuf)),
                     OCDN_EINVAL);
    ck_assert_str_eq(errbuf, t->msg);
    ck_assert_ptr_null(o.s);
    ck_assert_int_eq(o.i, 0);
}
END_TEST

/* A check function that leaves err empty still produces a reason. */
static enum ocdn_err
check_never(const void *field, char *err, size_t errlen)
{
    (void)field;
    (void)err;
    (void)errlen;
    return OCDN_EINVAL;
}

/* Receives the parsed value with the field's type. */
static enum ocdn_err
check_even(const void *field, char *err, size_t errlen)
{
    if (*(const int64_t *)field % 2 != 0) {
        snprintf(err, errlen, "must be even");
        return OCDN_EINVAL;
    }
    return OCDN_OK;
}

START_TEST(table_check_functions)
{
    const struct cfg_key t1[] = {
        {"a", CFG_INT, offsetof(struct one, i), "2", 0, 0, false, check_even, NULL},
    };
    const struct cfg_key t2[] = {
        {"a", CFG_STR, offsetof(struct one, s), NULL, 0, 0, false, check_never, NULL},
    };
    struct one o;

    memset(&o, 0, sizeof(o));
    ck_assert_int_eq(cfg_load_buf(t1, 1, "x.conf", "a = 8\n", 6, &o, errbuf, sizeof(errbuf)),
                     OCDN_OK);
    ck_assert_int_eq(o.i, 8);
    ck_assert_int_eq(cfg_load_buf(t1, 1, "x.conf", "a = 7\n", 6, &o, errbuf, sizeof(errbuf)),
                     OCDN_EINVAL);
    ck_assert_str_eq(errbuf, "x.conf:1: a: must be even");
    /* The NULL default is not checked (unset), a file value is. */
    ck_assert_int_eq(cfg_load_buf(t2, 1, "x.conf", "", 0, &o, errbuf, sizeof(errbuf)), OCDN_OK);
    ck_assert_ptr_null(o.s);
    ck_assert_int_eq(cfg_load_buf(t2, 1, "x.conf", "a = x", 5, &o, errbuf, sizeof(errbuf)),
                     OCDN_EINVAL);
    ck_assert_str_eq(errbuf, "x.conf:1: a: invalid value");
    ck_assert_ptr_null(o.s);
}
END_TEST

/* ---- good files ---------------------------------------------------------------------------- */

START_TEST(file_good_values)
{
    struct sample s;

    memset(&s, 0, sizeof(s));
    ck_assert_int_eq(
        cfg_load(sample_table, NSAMPLE, "tests/data/cfg/good.conf", &s, errbuf, sizeof(errbuf)),
        OCDN_OK);
    ck_assert_str_eq(s.name, "edge-1");
    ck_assert_str_eq(s.motd, "  welcome # to ocdn  ");
    ck_assert_int_eq(s.workers, 16);
    ck_assert_int_eq(s.offset, -42);
    ck_assert(s.verbose);
    ck_assert_int_eq(s.timeout_ms, 1500);
    ck_assert_int_eq(s.grace_ms, 2 * 3600 * 1000);
    ck_assert_int_eq(s.cache_bytes, 512 * 1024);
    ck_assert_str_eq(s.listen, "[2001:db8::1]:443");
    ck_assert_str_eq(s.tag, "red");
    cfg_clear(sample_table, NSAMPLE, &s);
}
END_TEST

START_TEST(file_good_print_golden)
{
    struct sample s;
    char *want = fixture("cfg/good.out", NULL);
    char *got;

    memset(&s, 0, sizeof(s));
    ck_assert_int_eq(
        cfg_load(sample_table, NSAMPLE, "tests/data/cfg/good.conf", &s, errbuf, sizeof(errbuf)),
        OCDN_OK);
    got = print_sample(&s);
    ck_assert_str_eq(got, want);
    free(got);
    free(want);
    cfg_clear(sample_table, NSAMPLE, &s);
}
END_TEST

START_TEST(file_crlf_and_no_final_newline)
{
    struct sample s;

    ck_assert_int_eq(load("workers = 5\r\nname = x\r\n# c\r\n\r\ntag = z", &s), OCDN_OK);
    ck_assert_int_eq(s.workers, 5);
    ck_assert_str_eq(s.name, "x");
    ck_assert_str_eq(s.tag, "z");
    cfg_clear(sample_table, NSAMPLE, &s);
}
END_TEST

START_TEST(file_whitespace_and_comments)
{
    struct sample s;

    ck_assert_int_eq(load("\t # comment = not a key\n   \n\t\tworkers\t=\t7\t# seven\n"
                          "motd=x#y\nname =a b\n",
                          &s),
                     OCDN_OK);
    ck_assert_int_eq(s.workers, 7);
    ck_assert_str_eq(s.motd, "x");
    ck_assert_str_eq(s.name, "a b");
    cfg_clear(sample_table, NSAMPLE, &s);
}
END_TEST

struct str_case {
    const char *line;
    const char *want;
};

static const struct str_case str_cases[] = {
    {"motd = \"  a # b \"", "  a # b "},
    {"motd = \"say \\\"hi\\\" \\\\o/\"", "say \"hi\" \\o/"},
    {"motd = \"\"", ""},
    {"motd = ", ""},
    {"motd = \"x\" # comment", "x"},
    {"motd = \"x\"\t ", "x"},
    {"motd = a \"b\" c", "a \"b\" c"},
    {"motd = C:\\dir\\", "C:\\dir\\"},
    {"motd = a\tb", "a\tb"},
    {"motd = value # comment", "value"},
    {"motd = a=b", "a=b"},
    {"motd = \"=\"", "="},
    {"motd = caf\xc3\xa9", "caf\xc3\xa9"},
};

START_TEST(value_strings_and_quotes)
{
    const struct str_case *c = &str_cases[_i];
    struct sample s;

    ck_assert_msg(load(c->line, &s) == OCDN_OK, "%s: %s", c->line, errbuf);
    ck_assert_str_eq(s.motd, c->want);
    cfg_clear(sample_table, NSAMPLE, &s);
}
END_TEST

struct num_case {
    const char *line;
    size_t field; /* offset of an int64_t in struct sample */
    int64_t want;
};

static const struct num_case num_cases[] = {
    {"timeout = 250ms", OFF(timeout_ms), 250},
    {"timeout = 30s", OFF(timeout_ms), 30000},
    {"timeout = 30", OFF(timeout_ms), 30000},
    {"timeout = 5m", OFF(timeout_ms), 300000},
    {"timeout = 2h", OFF(timeout_ms), 7200000},
    {"timeout = 1d", OFF(timeout_ms), 86400000},
    {"timeout = 1ms", OFF(timeout_ms), 1},
    {"grace = 0", OFF(grace_ms), 0},
    {"grace = 0ms", OFF(grace_ms), 0},
    {"grace = 007s", OFF(grace_ms), 7000},
    {"grace = 106751991167d", OFF(grace_ms), INT64_C(106751991167) * 86400000},
    {"grace = 9223372036854775807ms", OFF(grace_ms), INT64_MAX},
    {"grace = 9223372036854775s", OFF(grace_ms), INT64_C(9223372036854775000)},
    {"cache = 512", OFF(cache_bytes), 512},
    {"cache = 0", OFF(cache_bytes), 0},
    {"cache = 64k", OFF(cache_bytes), 65536},
    {"cache = 16M", OFF(cache_bytes), 16 << 20},
    {"cache = 1G", OFF(cache_bytes), 1 << 30},
    {"offset = -9223372036854775808", OFF(offset), INT64_MIN},
    {"offset = 9223372036854775807", OFF(offset), INT64_MAX},
    {"offset = -0", OFF(offset), 0},
    {"offset = 0042", OFF(offset), 42},
    {"workers = 1", OFF(workers), 1},
    {"workers = 64", OFF(workers), 64},
};

START_TEST(value_numbers)
{
    const struct num_case *c = &num_cases[_i];
    struct sample s;
    int64_t got;

    ck_assert_msg(load(c->line, &s) == OCDN_OK, "%s: %s", c->line, errbuf);
    memcpy(&got, (const char *)&s + c->field, sizeof(got));
    ck_assert_int_eq(got, c->want);
    cfg_clear(sample_table, NSAMPLE, &s);
}
END_TEST

START_TEST(value_booleans)
{
    static const char *const yes[] = {"yes", "true", "on", "1"};
    static const char *const no[] = {"no", "false", "off", "0"};
    char line[64];
    struct sample s;
    size_t i;

    for (i = 0; i < 4; i++) {
        snprintf(line, sizeof(line), "verbose = %s", yes[i]);
        ck_assert_int_eq(load(line, &s), OCDN_OK);
        ck_assert(s.verbose);
        cfg_clear(sample_table, NSAMPLE, &s);
        snprintf(line, sizeof(line), "verbose = %s", no[i]);
        ck_assert_int_eq(load(line, &s), OCDN_OK);
        ck_assert(!s.verbose);
        cfg_clear(sample_table, NSAMPLE, &s);
    }
}
END_TEST

static const char *const hostports_good[] = {
    "127.0.0.1:8080",
    "[::1]:8080",
    "0.0.0.0:1",
    "[::]:65535",
    "[2001:db8::1]:443",
    "[::ffff:192.0.2.1]:80",
    "10.1.2.3:65535",
    "\"127.0.0.1:8080\"",
    "[2001:db8:0:0:1:0:0:1]:1",
    "127.0.0.1:0",
    "[::1]:0",
};

START_TEST(value_hostport_accepted)
{
    char line[128];
    struct sample s;

    snprintf(line, sizeof(line), "listen = %s", hostports_good[_i]);
    ck_assert_msg(load(line, &s) == OCDN_OK, "%s: %s", line, errbuf);
    ck_assert_ptr_nonnull(s.listen);
    cfg_clear(sample_table, NSAMPLE, &s);
}
END_TEST

static const char *const hostports_bad[] = {
    "localhost:8080",
    "127.0.0.1",
    "127.0.0.1:",
    "127.0.0.1:65536",
    "127.0.0.1:08080",
    "127.0.0.1:+80",
    "127.0.0.1:-1",
    "127.0.0.1:80x",
    "127.0.0.1:80:80",
    "127.0.0.1:99999999999999999999",
    "\"127.0.0.1:80 \"",
    "\" 127.0.0.1:80\"",
    "::1:8080",
    "[::1]8080",
    "[::1]:",
    "[::1]",
    "[::1:8080",
    "[fe80::1%eth0]:80",
    "[127.0.0.1]:80",
    "[]:80",
    "[::1]:80x",
    ":80",
    "1.2.3:80",
    "01.2.3.4:80",
    "256.1.1.1:80",
    "1.2.3.4.5:80",
    "*:80",
    "example.net:443",
    "[0000:0000:0000:0000:0000:0000:0000:0000:0001]:80",
};

START_TEST(value_hostport_rejected)
{
    char line[128];
    struct sample s;

    snprintf(line, sizeof(line), "\n\nlisten = %s", hostports_bad[_i]);
    ck_assert_msg(load(line, &s) == OCDN_EINVAL, "accepted %s", hostports_bad[_i]);
    ck_assert_str_eq(errbuf, "cp.conf:3: listen: not host:port");
    assert_zeroed(&s);
}
END_TEST

/* ---- bad input ----------------------------------------------------------------------------- */

struct bad_case {
    const char *text;
    size_t len; /* 0: strlen(text) */
    const char *msg;
};

static const struct bad_case bad_cases[] = {
    {"lisen = 1\n", 0, "cp.conf:1: lisen: unknown key"},
    {"Workers = 1\n", 0, "cp.conf:1: Workers: unknown key"},
    {"\n\nlisten = localhost:80\n", 0, "cp.conf:3: listen: not host:port"},
    {"workers = 0", 0, "cp.conf:1: workers: 0 is out of range 1..64"},
    {"workers = 65", 0, "cp.conf:1: workers: 65 is out of range 1..64"},
    {"workers = -1", 0, "cp.conf:1: workers: -1 is out of range 1..64"},
    {"workers = 4\n# c\nworkers = 5\n", 0,
     "cp.conf:3: workers: duplicate key (first set on line 1)"},
    {"workers = 4\nworkers = 4\n", 0, "cp.conf:2: workers: duplicate key (first set on line 1)"},
    {"workers\n", 0, "cp.conf:1: expected key = value"},
    {"name = a\nworkers # = 4\n", 0, "cp.conf:2: bad character in key"},
    {" = 4", 0, "cp.conf:1: empty key"},
    {"=", 0, "cp.conf:1: empty key"},
    {"work ers = 4", 0, "cp.conf:1: bad character in key"},
    {"\"name\" = x", 0, "cp.conf:1: bad character in key"},
    {"workers = 4x", 0, "cp.conf:1: workers: not an integer"},
    {"workers = ", 0, "cp.conf:1: workers: not an integer"},
    {"workers = +4", 0, "cp.conf:1: workers: not an integer"},
    {"workers = 0x10", 0, "cp.conf:1: workers: not an integer"},
    {"workers = 1.5", 0, "cp.conf:1: workers: not an integer"},
    {"workers = 1e3", 0, "cp.conf:1: workers: not an integer"},
    {"workers = 4 4", 0, "cp.conf:1: workers: not an integer"},
    {"workers = -", 0, "cp.conf:1: workers: not an integer"},
    {"offset = 9223372036854775808", 0, "cp.conf:1: offset: integer does not fit in 64 bits"},
    {"offset = -9223372036854775809", 0, "cp.conf:1: offset: integer does not fit in 64 bits"},
    {"offset = 99999999999999999999999x", 0, "cp.conf:1: offset: not an integer"},
    {"verbose = maybe", 0, "cp.conf:1: verbose: not a boolean (yes/no, true/false, on/off, 1/0)"},
    {"verbose = YES", 0, "cp.conf:1: verbose: not a boolean (yes/no, true/false, on/off, 1/0)"},
    {"verbose = ", 0, "cp.conf:1: verbose: not a boolean (yes/no, true/false, on/off, 1/0)"},
    {"timeout = 5x", 0, "cp.conf:1: timeout: not a duration (e.g. 250ms, 30s, 5m, 2h, 1d)"},
    {"timeout = 5 s", 0, "cp.conf:1: timeout: not a duration (e.g. 250ms, 30s, 5m, 2h, 1d)"},
    {"timeout = -5s", 0, "cp.conf:1: timeout: not a duration (e.g. 250ms, 30s, 5m, 2h, 1d)"},
    {"timeout = 1.5s", 0, "cp.conf:1: timeout: not a duration (e.g. 250ms, 30s, 5m, 2h, 1d)"},
    {"timeout = s", 0, "cp.conf:1: timeout: not a duration (e.g. 250ms, 30s, 5m, 2h, 1d)"},
    {"timeout = 5S", 0, "cp.conf:1: timeout: not a duration (e.g. 250ms, 30s, 5m, 2h, 1d)"},
    {"timeout = 5sec", 0, "cp.conf:1: timeout: not a duration (e.g. 250ms, 30s, 5m, 2h, 1d)"},
    {"timeout = 0ms", 0, "cp.conf:1: timeout: 0s is out of range 1ms..1d"},
    {"timeout = 2d", 0, "cp.conf:1: timeout: 2d is out of range 1ms..1d"},
    {"timeout = 86400001ms", 0, "cp.conf:1: timeout: 86400001ms is out of range 1ms..1d"},
    {"grace = 106751991168d", 0, "cp.conf:1: grace: duration does not fit in 64 bits"},
    {"grace = 9223372036854775808ms", 0, "cp.conf:1: grace: duration does not fit in 64 bits"},
    {"grace = 99999999999999999999999", 0, "cp.conf:1: grace: duration does not fit in 64 bits"},
    {"cache = 1K", 0, "cp.conf:1: cache: not a size (e.g. 512, 64k, 16M, 2G)"},
    {"cache = 1m", 0, "cp.conf:1: cache: not a size (e.g. 512, 64k, 16M, 2G)"},
    {"cache = 1T", 0, "cp.conf:1: cache: not a size (e.g. 512, 64k, 16M, 2G)"},
    {"cache = -1", 0, "cp.conf:1: cache: not a size (e.g. 512, 64k, 16M, 2G)"},
    {"cache = 2G", 0, "cp.conf:1: cache: 2G is out of range 0..1G"},
    {"cache = 1073741825", 0, "cp.conf:1: cache: 1073741825 is out of range 0..1G"},
    {"cache = 8589934592G", 0, "cp.conf:1: cache: size does not fit in 64 bits"},
    {"name = \"\"", 0, "cp.conf:1: name: length 0 is out of range 1..16"},
    {"name = ", 0, "cp.conf:1: name: length 0 is out of range 1..16"},
    {"name = 0123456789abcdefg", 0, "cp.conf:1: name: length 17 is out of range 1..16"},
    {"tag = Blue", 0, "cp.conf:1: tag: must be lower case"},
    {"name = \"abc", 0, "cp.conf:1: name: unterminated quoted value"},
    {"name = \"ab\\\"", 0, "cp.conf:1: name: unterminated quoted value"},
    {"name = \"a\\nb\"", 0, "cp.conf:1: name: bad escape in quoted value (only \\\" and \\\\)"},
    {"name = \"a\\", 0, "cp.conf:1: name: bad escape in quoted value (only \\\" and \\\\)"},
    {"name = \"abc\" x", 0, "cp.conf:1: name: text after the closing quote"},
    {"name = \"abc\"\"d\"", 0, "cp.conf:1: name: text after the closing quote"},
    {"name = a\x01"
     "b",
     0, "cp.conf:1: control character"},
    {"# comment \x1b[31m\n", 0, "cp.conf:1: control character"},
    {"name = a\x7f", 0, "cp.conf:1: control character"},
    {"name = x\r\r\n", 0, "cp.conf:1: control character"},
    {"name = x\ry\n", 0, "cp.conf:1: control character"},
    {"workers = 4\nname = a\0b\n", 23, "cp.conf:2: NUL byte"},
    {"\0", 1, "cp.conf:1: NUL byte"},
};

START_TEST(bad_input_rejected)
{
    const struct bad_case *c = &bad_cases[_i];
    struct sample s;

    ck_assert_int_eq(load_text(c->text, c->len ? c->len : strlen(c->text), &s), OCDN_EINVAL);
    ck_assert_str_eq(errbuf, c->msg);
    assert_zeroed(&s);
}
END_TEST

struct bad_file {
    const char *path;
    const char *msg;
};

static const struct bad_file bad_files[] = {
    {"tests/data/cfg/bad_unknown.conf", "tests/data/cfg/bad_unknown.conf:3: lisen: unknown key"},
    {"tests/data/cfg/bad_listen.conf", "tests/data/cfg/bad_listen.conf:7: listen: not host:port"},
    {"tests/data/cfg/bad_workers.conf",
     "tests/data/cfg/bad_workers.conf:9: workers: 0 is out of range 1..64"},
    {"tests/data/cfg/bad_duplicate.conf",
     "tests/data/cfg/bad_duplicate.conf:5: timeout: duplicate key (first set on line 2)"},
    {"tests/data/cfg/bad_quote.conf",
     "tests/data/cfg/bad_quote.conf:4: tag: unterminated quoted value"},
    {"tests/data/cfg/bad_noeq.conf", "tests/data/cfg/bad_noeq.conf:1: expected key = value"},
    {"tests/data/cfg/bad_nul.conf", "tests/data/cfg/bad_nul.conf:2: NUL byte"},
    {"tests/data/cfg/bad_emptykey.conf", "tests/data/cfg/bad_emptykey.conf:2: empty key"},
};

START_TEST(bad_file_rejected)
{
    const struct bad_file *f = &bad_files[_i];
    struct sample s;

    memset(&s, 0, sizeof(s));
    ck_assert_int_eq(cfg_load(sample_table, NSAMPLE, f->path, &s, errbuf, sizeof(errbuf)),
                     OCDN_EINVAL);
    ck_assert_str_eq(errbuf, f->msg);
    assert_zeroed(&s);
}
END_TEST

START_TEST(bad_line_length_limit)
{
    size_t n = CFG_LINE_MAX + 1;
    char *text = malloc(n + 2);
    struct sample s;

    ck_assert_ptr_nonnull(text);
    /* Exactly CFG_LINE_MAX bytes, with or without the newline: accepted. */
    memcpy(text, "motd = ", 7);
    memset(text + 7, 'x', CFG_LINE_MAX - 7);
    text[CFG_LINE_MAX] = '\n';
    ck_assert_int_eq(load_text(text, CFG_LINE_MAX + 1, &s), OCDN_OK);
    ck_assert_uint_eq(strlen(s.motd), CFG_LINE_MAX - 7);
    cfg_clear(sample_table, NSAMPLE, &s);
    ck_assert_int_eq(load_text(text, CFG_LINE_MAX, &s), OCDN_OK);
    cfg_clear(sample_table, NSAMPLE, &s);
    /* One byte more: rejected, as a last line and as a comment too. */
    text[CFG_LINE_MAX] = 'x';
    text[CFG_LINE_MAX + 1] = '\n';
    ck_assert_int_eq(load_text(text, n + 1, &s), OCDN_EINVAL);
    ck_assert_str_eq(errbuf, "cp.conf:1: line longer than 4096 bytes");
    assert_zeroed(&s);
    ck_assert_int_eq(load_text(text, n, &s), OCDN_EINVAL);
    ck_assert_str_eq(errbuf, "cp.conf:1: line longer than 4096 bytes");
    text[0] = '#';
    ck_assert_int_eq(load_text(text, n, &s), OCDN_EINVAL);
    ck_assert_str_eq(errbuf, "cp.conf:1: line longer than 4096 bytes");
    free(text);
}
END_TEST

START_TEST(bad_buffer_over_file_max)
{
    char *text = malloc(CFG_FILE_MAX + 1);
    struct sample s;

    ck_assert_ptr_nonnull(text);
    memset(text, '\n', CFG_FILE_MAX + 1);
    ck_assert_int_eq(load_text(text, CFG_FILE_MAX, &s), OCDN_OK);
    cfg_clear(sample_table, NSAMPLE, &s);
    ck_assert_int_eq(load_text(text, CFG_FILE_MAX + 1, &s), OCDN_ETOOBIG);
    ck_assert_str_eq(errbuf, "cp.conf: larger than 1048576 bytes");
    assert_zeroed(&s);
    free(text);
}
END_TEST

/* A file whose first lines set strings and whose last line is bad: nothing is left behind
 * (ASan's leak check catches a missed free). */
START_TEST(bad_late_error_frees_everything)
{
    struct sample s;

    ck_assert_int_eq(load("name = a\nmotd = b\nlisten = [::1]:1\ntag = c\nworkers = 0\n", &s),
                     OCDN_EINVAL);
    ck_assert_str_eq(errbuf, "cp.conf:5: workers: 0 is out of range 1..64");
    assert_zeroed(&s);
}
END_TEST

START_TEST(bad_error_buffer_small_or_null)
{
    struct sample s;
    char small[8];

    memset(&s, 0, sizeof(s));
    ck_assert_int_eq(
        cfg_load_buf(sample_table, NSAMPLE, "cp.conf", "x = 1", 5, &s, small, sizeof(small)),
        OCDN_EINVAL);
    ck_assert_str_eq(small, "cp.conf");
    ck_assert_int_eq(cfg_load_buf(sample_table, NSAMPLE, "cp.conf", "x = 1", 5, &s, NULL, 0),
                     OCDN_EINVAL);
    ck_assert_int_eq(
        cfg_load_buf(sample_table, NSAMPLE, NULL, "x = 1", 5, &s, errbuf, sizeof(errbuf)),
        OCDN_EINVAL);
    ck_assert_str_eq(errbuf, "(config):1: x: unknown key");
}
END_TEST

/* ---- files on disk ------------------------------------------------------------------------- */

START_TEST(disk_missing_file)
{
    struct sample s;

    memset(&s, 0x5a, sizeof(s));
    ck_assert_int_eq(
        cfg_load(sample_table, NSAMPLE, "tests/data/cfg/no-such.conf", &s, errbuf, sizeof(errbuf)),
        OCDN_EIO);
    ck_assert_str_eq(errbuf, "tests/data/cfg/no-such.conf: No such file or directory");
    assert_zeroed(&s);
}
END_TEST

START_TEST(disk_not_regular)
{
    char *dir = tmpdir_new();
    char fifo[4096];
    struct sample s;

    memset(&s, 0, sizeof(s));
    ck_assert_int_eq(cfg_load(sample_table, NSAMPLE, dir, &s, errbuf, sizeof(errbuf)), OCDN_EIO);
    ck_assert_ptr_nonnull(strstr(errbuf, ": not a regular file"));
    snprintf(fifo, sizeof(fifo), "%s/fifo", dir);
    ck_assert_int_eq(mkfifo(fifo, 0600), 0);
    /* Must neither block on open nor read. */
    ck_assert_int_eq(cfg_load(sample_table, NSAMPLE, fifo, &s, errbuf, sizeof(errbuf)), OCDN_EIO);
    ck_assert_ptr_nonnull(strstr(errbuf, "/fifo: not a regular file"));
    assert_zeroed(&s);
    tmpdir_remove(dir);
}
END_TEST

START_TEST(disk_size_limit)
{
    char *dir = tmpdir_new();
    char path[4096], want[4200];
    char *text = malloc(CFG_FILE_MAX + 1);
    struct sample s;
    size_t i;

    ck_assert_ptr_nonnull(text);
    /* Exactly CFG_FILE_MAX bytes: comment lines, and a real key at the end. */
    for (i = 0; i < CFG_FILE_MAX; i += 64) {
        memset(text + i, '#', 63);
        text[i + 63] = '\n';
    }
    memset(text + CFG_FILE_MAX - 64, ' ', 63);
    memcpy(text + CFG_FILE_MAX - 64, "workers = 9", 11);
    snprintf(path, sizeof(path), "%s/big.conf", dir);
    write_file(path, text, CFG_FILE_MAX);
    memset(&s, 0, sizeof(s));
    ck_assert_int_eq(cfg_load(sample_table, NSAMPLE, path, &s, errbuf, sizeof(errbuf)), OCDN_OK);
    ck_assert_int_eq(s.workers, 9);
    cfg_clear(sample_table, NSAMPLE, &s);
    /* One byte more. */
    text[CFG_FILE_MAX] = '\n';
    write_file(path, text, CFG_FILE_MAX + 1);
    ck_assert_int_eq(cfg_load(sample_table, NSAMPLE, path, &s, errbuf, sizeof(errbuf)),
                     OCDN_ETOOBIG);
    snprintf(want, sizeof(want), "%s: larger than 1048576 bytes", path);
    ck_assert_str_eq(errbuf, want);
    assert_zeroed(&s);
    free(text);
    tmpdir_remove(dir);
}
END_TEST

/* ---- printing ------------------------------------------------------------------------------ */

struct unit_case {
    enum cfg_type type;
    int64_t v;
    const char *want;
};

static const struct unit_case unit_cases[] = {
    {CFG_DURATION, 300000, "5m"},
    {CFG_DURATION, 1500, "1500ms"},
    {CFG_DURATION, 86400000, "1d"},
    {CFG_DURATION, 90000, "90s"},
    {CFG_DURATION, 25 * 3600000, "25h"},
    {CFG_DURATION, 0, "0s"},
    {CFG_DURATION, 1000, "1s"},
    {CFG_DURATION, 1, "1ms"},
    {CFG_DURATION, INT64_MAX, "9223372036854775807ms"},
    {CFG_SIZE, 1024, "1k"},
    {CFG_SIZE, 1536, "1536"},
    {CFG_SIZE, 1 << 20, "1M"},
    {CFG_SIZE, INT64_C(3) << 30, "3G"},
    {CFG_SIZE, 0, "0"},
    {CFG_SIZE, 1023, "1023"},
    {CFG_SIZE, 1536 * 1024, "1536k"},
    {CFG_INT, -7, "-7"},
    {CFG_INT, 1024, "1024"},
};

START_TEST(print_canonical_units)
{
    const struct unit_case *c = &unit_cases[_i];
    const struct cfg_key t[] = {
        {"v", c->type, offsetof(struct one, i), "0", 0, 0, false, NULL, NULL}};
    struct one o, back;
    char *text = NULL, want[128];
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);

    ck_assert_ptr_nonnull(f);
    memset(&o, 0, sizeof(o));
    o.i = c->v;
    cfg_print(t, 1, &o, f);
    ck_assert_int_eq(fclose(f), 0);
    snprintf(want, sizeof(want), "v = %s\n", c->want);
    ck_assert_str_eq(text, want);
    /* And it reads back as the same value. */
    memset(&back, 0, sizeof(back));
    ck_assert_int_eq(cfg_load_buf(t, 1, "p", text, len, &back, errbuf, sizeof(errbuf)), OCDN_OK);
    ck_assert_int_eq(back.i, c->v);
    free(text);
}
END_TEST

START_TEST(print_round_trip)
{
    static const char *const texts[] = {
        "motd = \"  a # b \"\nname = \"x\\\"y\"\ntag = \"c:\\\\t\"\n",
        "motd = \"\"\nname = a b c\ntag = caf\xc3\xa9\n",
        "motd = a\tb\nname = \"\\\\\"\ntag = \"#\"\noffset = 3\ntimeout = 90000ms\n",
        "motd = \"\\\"quoted\\\"\"\ncache = 1048576\ngrace = 172800s\nverbose = on\n",
        "motd = \"\t\"\nlisten = \"[::]:1\"\n",
    };
    struct sample a, b;
    char *p1, *p2;

    ck_assert_msg(load(texts[_i], &a) == OCDN_OK, "%s", errbuf);
    p1 = print_sample(&a);
    ck_assert_msg(load(p1, &b) == OCDN_OK, "%s: %s", p1, errbuf);
    p2 = print_sample(&b);
    ck_assert_str_eq(p1, p2);
    ck_assert_str_eq(a.motd, b.motd);
    ck_assert_str_eq(a.name, b.name);
    ck_assert_str_eq(a.tag, b.tag);
    ck_assert_str_eq(a.listen, b.listen);
    ck_assert_int_eq(a.offset, b.offset);
    ck_assert_int_eq(a.timeout_ms, b.timeout_ms);
    ck_assert_int_eq(a.grace_ms, b.grace_ms);
    ck_assert_int_eq(a.cache_bytes, b.cache_bytes);
    ck_assert_int_eq(a.verbose, b.verbose);
    free(p1);
    free(p2);
    cfg_clear(sample_table, NSAMPLE, &a);
    cfg_clear(sample_table, NSAMPLE, &b);
}
END_TEST

START_TEST(print_quotes_only_when_needed)
{
    struct sample s;
    char *p;

    ck_assert_int_eq(load("motd = \" lead\"\nname = a b\ntag = \"x#y\"\n", &s), OCDN_OK);
    p = print_sample(&s);
    ck_assert_ptr_nonnull(strstr(p, "\nmotd = \" lead\"\n"));
    ck_assert_ptr_nonnull(strstr(p, "\nname = a b\n"));
    ck_assert_ptr_nonnull(strstr(p, "\ntag = \"x#y\"\n"));
    ck_assert_ptr_nonnull(strstr(p, "\nlisten = 127.0.0.1:8080\n"));
    free(p);
    cfg_clear(sample_table, NSAMPLE, &s);
}
END_TEST

/* ---- reload -------------------------------------------------------------------------------- */

START_TEST(reload_applies_only_reloadable)
{
    struct sample cur, next;

    ck_assert_int_eq(load("", &cur), OCDN_OK);
    ck_assert_int_eq(load("motd = hello\nverbose = yes\ntimeout = 5s\nworkers = 8\n"
                          "listen = [::1]:9000\ntag = blue\ncache = 64M\n",
                          &next),
                     OCDN_OK);
    ck_assert_str_eq(cfg_get_static_change(sample_table, NSAMPLE, &cur, &next), "workers");
    ck_assert_uint_eq(cfg_apply_reloadable(sample_table, NSAMPLE, &cur, &next), 3);
    ck_assert_str_eq(cur.motd, "hello");
    ck_assert_ptr_null(next.motd); /* swapped: next holds cur's old (unset) value */
    ck_assert(cur.verbose);
    ck_assert_int_eq(cur.timeout_ms, 5000);
    ck_assert_int_eq(cur.workers, 4);
    ck_assert_str_eq(cur.listen, "127.0.0.1:8080");
    ck_assert_str_eq(cur.tag, "blue");
    ck_assert_int_eq(cur.cache_bytes, 64 << 20);
    cfg_clear(sample_table, NSAMPLE, &next);
    cfg_clear(sample_table, NSAMPLE, &cur);
}
END_TEST

START_TEST(reload_string_replaced_old_freed_by_clear)
{
    struct sample cur, next;

    ck_assert_int_eq(load("motd = old\ntag = red\n", &cur), OCDN_OK);
    ck_assert_int_eq(load("motd = new\ntag = red\n", &next), OCDN_OK);
    ck_assert_ptr_null(cfg_get_static_change(sample_table, NSAMPLE, &cur, &next));
    ck_assert_uint_eq(cfg_apply_reloadable(sample_table, NSAMPLE, &cur, &next), 1);
    ck_assert_str_eq(cur.motd, "new");
    ck_assert_str_eq(next.motd, "old");
    ck_assert_str_eq(cur.tag, "red");
    cfg_clear(sample_table, NSAMPLE, &next);
    cfg_clear(sample_table, NSAMPLE, &cur);
}
END_TEST

START_TEST(reload_nothing_changed)
{
    struct sample cur, next;

    ck_assert_int_eq(load("motd = same\n", &cur), OCDN_OK);
    ck_assert_int_eq(load("motd = same\n", &next), OCDN_OK);
    ck_assert_uint_eq(cfg_apply_reloadable(sample_table, NSAMPLE, &cur, &next), 0);
    ck_assert_ptr_null(cfg_get_static_change(sample_table, NSAMPLE, &cur, &next));
    ck_assert_ptr_ne(cur.motd, next.motd);
    cfg_clear(sample_table, NSAMPLE, &next);
    cfg_clear(sample_table, NSAMPLE, &cur);
}
END_TEST

START_TEST(reload_string_to_unset_and_static_string)
{
    struct sample cur, next;

    ck_assert_int_eq(load("motd = x\n", &cur), OCDN_OK);
    ck_assert_int_eq(load("listen = [::1]:1\n", &next), OCDN_OK);
    ck_assert_str_eq(cfg_get_static_change(sample_table, NSAMPLE, &cur, &next), "listen");
    ck_assert_uint_eq(cfg_apply_reloadable(sample_table, NSAMPLE, &cur, &next), 1);
    ck_assert_ptr_null(cur.motd);
    ck_assert_str_eq(cur.listen, "127.0.0.1:8080");
    cfg_clear(sample_table, NSAMPLE, &next);
    cfg_clear(sample_table, NSAMPLE, &cur);
}
END_TEST

/* The documented pattern: a failed load into a fresh struct leaves the current one as is. */
START_TEST(reload_failure_keeps_current)
{
    struct sample cur, next;
    char *before;

    ck_assert_int_eq(load("motd = live\nworkers = 12\n", &cur), OCDN_OK);
    before = print_sample(&cur);
    ck_assert_int_eq(load("motd = other\nworkers = 100\n", &next), OCDN_EINVAL);
    assert_zeroed(&next);
    ck_assert_str_eq(cur.motd, "live");
    ck_assert_int_eq(cur.workers, 12);
    {
        char *after = print_sample(&cur);

        ck_assert_str_eq(before, after);
        free(after);
    }
    free(before);
    cfg_clear(sample_table, NSAMPLE, &cur);
}
END_TEST

static Suite *
cfg_suite(void)
{
    Suite *s = suite_create("cfg");
    TCase *tc;

#define NELEM(a) ((int)(sizeof(a) / sizeof((a)[0])))
    tc = tcase_create("defaults");
    tcase_add_test(tc, defaults_only_with_null_path);
    tcase_add_test(tc, defaults_empty_buffer);
    tcase_add_test(tc, defaults_print_golden);
    tcase_add_test(tc, defaults_null_buffer_with_length_rejected);
    suite_add_tcase(s, tc);

    tc = tcase_create("table");
    tcase_add_loop_test(tc, table_bad_rejected_untouched, 0, NELEM(bad_tables));
    tcase_add_test(tc, table_null_with_rows_rejected);
    tcase_add_test(tc, table_empty_accepts_empty_file);
    tcase_add_loop_test(tc, table_bad_default_rejected, 0, NELEM(bad_defaults));
    tcase_add_test(tc, table_check_functions);
    suite_add_tcase(s, tc);

    tc = tcase_create("file");
    tcase_add_test(tc, file_good_values);
    tcase_add_test(tc, file_good_print_golden);
    tcase_add_test(tc, file_crlf_and_no_final_newline);
    tcase_add_test(tc, file_whitespace_and_comments);
    suite_add_tcase(s, tc);

    tc = tcase_create("value");
    tcase_add_loop_test(tc, value_strings_and_quotes, 0, NELEM(str_cases));
    tcase_add_loop_test(tc, value_numbers, 0, NELEM(num_cases));
    tcase_add_test(tc, value_booleans);
    tcase_add_loop_test(tc, value_hostport_accepted, 0, NELEM(hostports_good));
    tcase_add_loop_test(tc, value_hostport_rejected, 0, NELEM(hostports_bad));
    suite_add_tcase(s, tc);

    tc = tcase_create("bad");
    tcase_add_loop_test(tc, bad_input_rejected, 0, NELEM(bad_cases));
    tcase_add_loop_test(tc, bad_file_rejected, 0, NELEM(bad_files));
    tcase_add_test(tc, bad_line_length_limit);
    tcase_add_test(tc, bad_buffer_over_file_max);
    tcase_add_test(tc, bad_late_error_frees_everything);
    tcase_add_test(tc, bad_error_buffer_small_or_null);
    suite_add_tcase(s, tc);

    tc = tcase_create("disk");
    tcase_add_test(tc, disk_missing_file);
    tcase_add_test(tc, disk_not_regular);
    tcase_add_test(tc, disk_size_limit);
    suite_add_tcase(s, tc);

    tc = tcase_create("print");
    tcase_add_loop_test(tc, print_canonical_units, 0, NELEM(unit_cases));
    tcase_add_loop_test(tc, print_round_trip, 0, 5);
    tcase_add_test(tc, print_quotes_only_when_needed);
    suite_add_tcase(s, tc);

    tc = tcase_create("reload");
    tcase_add_test(tc, reload_applies_only_reloadable);
    tcase_add_test(tc, reload_string_replaced_old_freed_by_clear);
    tcase_add_test(tc, reload_nothing_changed);
    tcase_add_test(tc, reload_string_to_unset_and_static_string);
    tcase_add_test(tc, reload_failure_keeps_current);
    suite_add_tcase(s, tc);
#undef NELEM
    return s;
}

int
main(void)
{
    return run_suite(cfg_suite());
}
