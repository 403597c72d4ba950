/* SPDX-License-Identifier: MIT */
/* test_gen.c -- unit tests of the organisation simulator (mt_gen_run).
 *
 * Generates small organisations into temporary directories and checks the
 * files as a reader would: headers per Exchange version against the field
 * lists in the reference (typed here independently of the generator), column
 * counts with a small CSV splitter, time order, BOM and CRLF, rotation at
 * 10 MB, determinism, and that ground-truth.jsonl lines look like JSON
 * objects. The deep semantic check is tests/gen/check_ground_truth.py. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <dirent.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <mailtrail/gen.h>
#include <mailtrail/writer.h>
#include "sim/fmt.h"

#define LIMIT (10u * 1024 * 1024)

static const char f2007[] =
    "date-time,client-ip,client-hostname,server-ip,server-hostname,source-context,connector-id,source,"
    "event-id,internal-message-id,message-id,recipient-address,recipient-status,total-bytes,"
    "recipient-count,related-recipient-address,reference,message-subject,sender-address,return-path,"
    "message-info";
static const char f2010[] =
    "date-time,client-ip,client-hostname,server-ip,server-hostname,source-context,connector-id,source,"
    "event-id,internal-message-id,message-id,recipient-address,recipient-status,total-bytes,"
    "recipient-count,related-recipient-address,reference,message-subject,sender-address,return-path,"
    "message-info,directionality,tenant-id,original-client-ip,original-server-ip,custom-data";
static const char f2013[] =
    "date-time,client-ip,client-hostname,server-ip,server-hostname,source-context,connector-id,source,"
    "event-id,internal-message-id,message-id,network-message-id,recipient-address,recipient-status,"
    "total-bytes,recipient-count,related-recipient-address,reference,message-subject,sender-address,"
    "return-path,message-info,directionality,tenant-id,original-client-ip,original-server-ip,custom-data";
static const char f2016[] =
    "date-time,client-ip,client-hostname,server-ip,server-hostname,source-context,connector-id,source,"
    "event-id,internal-message-id,message-id,network-message-id,recipient-address,recipient-status,"
    "total-bytes,recipient-count,related-recipient-address,reference,message-subject,sender-address,"
    "return-path,message-info,directionality,tenant-id,original-client-ip,original-server-ip,custom-data,"
    "transport-traffic-type,log-id,schema-version";
static const char fsmtp[] =
    "date-time,connector-id,session-id,sequence-number,local-endpoint,remote-endpoint,event,data,context";

struct version_case {
    int year;
    const char *build;
    const char *fields;
    int nfields;
};

static const struct version_case versions[] = {
    { 2007, "8.3.83.006", f2007, 21 },
    { 2010, "14.03.0123.003", f2010, 26 },
    { 2013, "15.00.1497.002", f2013, 27 },
    { 2016, "15.01.2507.039", f2016, 30 },
    { 2019, "15.02.1118.040", f2016, 30 },
};

/* ---- helpers ---- */

static int rm_cb(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st;
    (void)flag;
    (void)ftw;
    return remove(path);
}

static void rm_rf(const char *dir)
{
    nftw(dir, rm_cb, 16, FTW_DEPTH | FTW_PHYS);
}

static char *make_tmp(void)
{
    char tmpl[] = "/tmp/mt_test_gen_XXXXXX";
    char *d = mkdtemp(tmpl);
    assert_non_null(d);
    return strdup(d);
}

static void gen(const char *out, int year, unsigned servers, uint64_t mpd, uint64_t size, uint64_t seed)
{
    struct mt_gen_opts o;
    memset(&o, 0, sizeof o);
    o.out_dir = out;
    o.servers = servers;
    o.days = 1;
    o.messages_per_day = mpd;
    o.size_bytes = size;
    o.version = year;
    o.seed = seed;
    char err[256];
    mt_status st = mt_gen_run(&o, err, sizeof err);
    if (st != MT_OK)
        fprintf(stderr, "mt_gen_run: %s\n", err);
    assert_int_equal(st, MT_OK);
}

static char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *b = malloc((size_t)n + 1);
    assert_non_null(b);
    assert_int_equal(fread(b, 1, (size_t)n, f), (size_t)n);
    b[n] = 0;
    fclose(f);
    *len = (size_t)n;
    return b;
}

/* Files of a directory matching a prefix, sorted; NULL-terminated. */
static char **list_files(const char *dir, const char *prefix)
{
    DIR *d = opendir(dir);
    assert_non_null(d);
    char **v = calloc(256, sizeof *v);
    size_t n = 0;
    struct dirent *e;
    while ((e = readdir(d)) && n < 255) {
        if (strncmp(e->d_name, prefix, strlen(prefix)))
            continue;
        size_t l = strlen(dir) + strlen(e->d_name) + 2;
        v[n] = malloc(l);
        snprintf(v[n], l, "%s/%s", dir, e->d_name);
        n++;
    }
    closedir(d);
    for (size_t i = 1; i < n; i++)
        for (size_t k = i; k > 0 && strcmp(v[k], v[k - 1]) < 0; k--) {
            char *t = v[k];
            v[k] = v[k - 1];
            v[k - 1] = t;
        }
    return v;
}

static void free_list(char **v)
{
    for (size_t i = 0; v[i]; i++)
        free(v[i]);
    free(v);
}

/* Columns of one CSV record (quotes doubled inside quoted fields). */
static int csv_columns(const char *s, const char *end)
{
    int n = 1, q = 0;
    for (const char *p = s; p < end; p++) {
        if (*p == '"')
            q = !q;     /* a doubled quote toggles twice */
        else if (*p == ',' && !q)
            n++;
    }
    assert_false(q);
    return n;
}

/* Check an Exchange CSV log: BOM, header, CRLF, columns, time order.
 * Returns the number of data rows. */
static size_t check_csv_log(const char *path, const char *logtype, const char *build, const char *fields,
                            int nfields)
{
    size_t len;
    char *b = slurp(path, &len);
    assert_true(len <= LIMIT);
    assert_memory_equal(b, "\xEF\xBB\xBF", 3);
    char head[1024];
    snprintf(head, sizeof head,
             "#Software: Microsoft Exchange Server\r\n#Version: %s\r\n#Log-type: %s\r\n#Date: ", build,
             logtype);
    assert_memory_equal(b + 3, head, strlen(head));
    const char *p = b + 3 + strlen(head);
    /* #Date: 2016-08-27T00:00:05.965Z */
    assert_int_equal(p[4], '-');
    assert_int_equal(p[10], 'T');
    assert_int_equal(p[23], 'Z');
    assert_memory_equal(p + 24, "\r\n#Fields: ", 11);
    p += 35;
    assert_memory_equal(p, fields, strlen(fields));
    p += strlen(fields);
    assert_memory_equal(p, "\r\n", 2);
    p += 2;
    size_t rows = 0;
    char last[32] = "";
    const char *end = b + len;
    while (p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        assert_non_null(nl);
        assert_true(nl > p && nl[-1] == '\r');
        assert_int_equal(csv_columns(p, nl - 1), nfields);
        assert_true(nl - p > 25);
        assert_true(memcmp(p, last, 24) >= 0);
        memcpy(last, p, 24);
        rows++;
        p = nl + 1;
    }
    free(b);
    return rows;
}

static void path3(char *out, size_t cap, const char *a, const char *b, const char *c)
{
    snprintf(out, cap, "%s/%s/%s", a, b, c);
}

/* ---- tests ---- */

static void test_versions(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof versions / sizeof versions[0]; i++) {
        const struct version_case *vc = &versions[i];
        char *dir = make_tmp();
        gen(dir, vc->year, 2, 400, 0, 42);
        size_t rows = 0;
        for (int s = 1; s <= 2; s++) {
            char srv[16], d[512];
            snprintf(srv, sizeof srv, "EX13-%d", s);
            path3(d, sizeof d, dir, srv, "TransportRoles/Logs/MessageTracking");
            char **files = list_files(d, "MSGTRK");
            assert_non_null(files[0]);
            for (size_t k = 0; files[k]; k++) {
                const char *base = strrchr(files[k], '/') + 1;
                /* 2007/2010 have only MSGTRKyyyymmdd-N.LOG. */
                if (vc->year <= 2010)
                    assert_true(base[6] >= '0' && base[6] <= '9');
                rows += check_csv_log(files[k], "Message Tracking Log", vc->build, vc->fields, vc->nfields);
            }
            free_list(files);
            const char *kinds[2][3] = { { "SmtpReceive", "RECV", "SMTP Receive Protocol Log" },
                                        { "SmtpSend", "SEND", "SMTP Send Protocol Log" } };
            for (int k = 0; k < 2; k++) {
                char sub[128];
                snprintf(sub, sizeof sub, "TransportRoles/Logs/ProtocolLog/%s", kinds[k][0]);
                path3(d, sizeof d, dir, srv, sub);
                char **pf = list_files(d, kinds[k][1]);
                assert_non_null(pf[0]);
                for (size_t j = 0; pf[j]; j++)
                    check_csv_log(pf[j], kinds[k][2], vc->build, fsmtp, 9);
                free_list(pf);
            }
            path3(d, sizeof d, dir, srv, "inetpub/logs/LogFiles/W3SVC1");
            char **iis = list_files(d, "u_ex");
            assert_non_null(iis[0]);
            size_t len;
            char *b = slurp(iis[0], &len);
            static const char iis_head[] =
                "#Software: Microsoft Internet Information Services 8.5\r\n#Version: 1.0\r\n#Date: ";
            assert_memory_equal(b, iis_head, sizeof iis_head - 1);
            assert_non_null(strstr(b, "/Microsoft-Server-ActiveSync/default.eas User="));
            free(b);
            free_list(iis);
        }
        assert_true(rows > 400);
        if (vc->year >= 2013) {
            /* The mailbox services have their own files. */
            char d[512];
            path3(d, sizeof d, dir, "EX13-1", "TransportRoles/Logs/MessageTracking");
            char **ms = list_files(d, "MSGTRKMS");
            char **md = list_files(d, "MSGTRKMD");
            assert_true(ms[0] != NULL || md[0] != NULL);
            free_list(ms);
            free_list(md);
        }
        rm_rf(dir);
        free(dir);
    }
}

static int same_file(const char *a, const char *b)
{
    size_t la, lb;
    char *x = slurp(a, &la), *y = slurp(b, &lb);
    int same = la == lb && !memcmp(x, y, la);
    free(x);
    free(y);
    return same;
}

/* Every file under a must exist under b with the same bytes. */
static const char *cmp_root_a, *cmp_root_b;
static int cmp_failures, cmp_files;

static int cmp_cb(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st;
    (void)ftw;
    if (flag != FTW_F)
        return 0;
    char other[1024];
    snprintf(other, sizeof other, "%s%s", cmp_root_b, path + strlen(cmp_root_a));
    cmp_files++;
    if (access(other, R_OK) != 0 || !same_file(path, other))
        cmp_failures++;
    return 0;
}

static void compare_trees(const char *a, const char *b, int *files, int *diffs)
{
    cmp_root_a = a;
    cmp_root_b = b;
    cmp_failures = cmp_files = 0;
    nftw(a, cmp_cb, 16, FTW_PHYS);
    *files = cmp_files;
    *diffs = cmp_failures;
}

static void test_deterministic(void **state)
{
    (void)state;
    char *a = make_tmp(), *b = make_tmp(), *c = make_tmp();
    gen(a, 2016, 2, 3000, 0, 7);
    gen(b, 2016, 2, 3000, 0, 7);
    gen(c, 2016, 2, 3000, 0, 8);
    int files, diffs;
    compare_trees(a, b, &files, &diffs);
    assert_true(files >= 14);
    assert_int_equal(diffs, 0);
    compare_trees(b, a, &files, &diffs);
    assert_int_equal(diffs, 0);
    char ga[512], gc[512];
    snprintf(ga, sizeof ga, "%s/ground-truth.jsonl", a);
    snprintf(gc, sizeof gc, "%s/ground-truth.jsonl", c);
    assert_false(same_file(ga, gc));
    compare_trees(a, c, &files, &diffs);
    assert_true(diffs > 0);
    rm_rf(a);
    rm_rf(b);
    rm_rf(c);
    free(a);
    free(b);
    free(c);
}

static void test_rotation(void **state)
{
    (void)state;
    char *dir = make_tmp();
    /* One server takes every row: ~25 MB of tracking log in one day. */
    gen(dir, 2016, 1, 0, 25u * 1024 * 1024, 3);
    char d[512];
    path3(d, sizeof d, dir, "EX13-1", "TransportRoles/Logs/MessageTracking");
    char **files = list_files(d, "MSGTRK2");
    size_t n = 0, big = 0;
    for (; files[n]; n++) {
        struct stat st;
        assert_int_equal(stat(files[n], &st), 0);
        assert_true((uint64_t)st.st_size <= LIMIT);
        if ((uint64_t)st.st_size > LIMIT - 64 * 1024)
            big++;
        check_csv_log(files[n], "Message Tracking Log", "15.01.2507.039", f2016, 30);
    }
    assert_true(n >= 2);
    assert_true(big >= 1);
    assert_non_null(strstr(files[0], "MSGTRK20160827-1.LOG"));
    assert_non_null(strstr(files[1], "MSGTRK20160827-2.LOG"));
    free_list(files);
    rm_rf(dir);
    free(dir);
}

static void test_ground_truth(void **state)
{
    (void)state;
    char *dir = make_tmp();
    gen(dir, 2010, 2, 1000, 0, 9);
    char p[512];
    snprintf(p, sizeof p, "%s/ground-truth.jsonl", dir);
    size_t len;
    char *b = slurp(p, &len);
    size_t lines = 0, outbound = 0, relayed = 0;
    for (char *s = b; s < b + len;) {
        char *nl = memchr(s, '\n', (size_t)(b + len - s));
        assert_non_null(nl);
        *nl = 0;
        assert_memory_equal(s, "{\"message_id\":\"<", 16);
        assert_int_equal(nl[-1], '}');
        assert_non_null(strstr(s, "\"servers\":["));
        assert_non_null(strstr(s, "\"recipients\":[{\"address\":"));
        assert_non_null(strstr(s, "\"smarthost_queue_id\":"));
        /* Balanced braces/brackets outside strings, no raw control bytes. */
        int depth = 0, str = 0;
        for (char *c = s; c < nl; c++) {
            assert_true((unsigned char)*c >= 0x20);
            if (str) {
                if (*c == '\\')
                    c++;
                else if (*c == '"')
                    str = 0;
            } else if (*c == '"') {
                str = 1;
            } else if (*c == '{' || *c == '[') {
                depth++;
            } else if (*c == '}' || *c == ']') {
                depth--;
            }
        }
        assert_int_equal(depth, 0);
        assert_false(str);
        if (strstr(s, "\"direction\":\"outbound\""))
            outbound++;
        if (strstr(s, "\"outcome\":\"relayed\""))
            relayed++;
        lines++;
        s = nl + 1;
    }
    assert_int_equal(lines, 1000);
    assert_true(outbound > 200);
    assert_true(relayed > 150);
    free(b);
    snprintf(p, sizeof p, "%s/README", dir);
    b = slurp(p, &len);
    assert_non_null(strstr(b, "SYNTHETIC"));
    assert_non_null(strstr(b, "--seed 9"));
    free(b);
    snprintf(p, sizeof p, "%s/smarthost/maillog", dir);
    b = slurp(p, &len);
    assert_non_null(strstr(b, " smarthost postfix/qmgr[1187]: "));
    assert_non_null(strstr(b, "status=sent (250 "));
    free(b);
    rm_rf(dir);
    free(dir);
}

/* ground-truth.jsonl's strings are escaped as mailtrail's own JSON is
 * (mt_json_string): DEL, C1 controls and bidi overrides escaped, invalid
 * UTF-8 replaced. It escaped only C0 controls, so a U+202E or a CSI in a
 * subject reached the terminal the file was shown on. */
static void test_json_escape(void **state)
{
    (void)state;
    static const struct { const char *in, *want; } cases[] = {
        { "plain", "\"plain\"" },
        { "a\"b\\c\n\r\t\x01", "\"a\\\"b\\\\c\\n\\r\\t\\u0001\"" },
        { "del\x7f", "\"del\\u007f\"" },
        { "csi\xc2\x9b" "31m", "\"csi\\u009b31m\"" },
        { "nbsp\xc2\xa0ok", "\"nbsp\xc2\xa0ok\"" },
        { "rlo\xe2\x80\xaegpj.exe", "\"rlo\\u202egpj.exe\"" },
        { "alm\xd8\x9c lri\xe2\x81\xa6", "\"alm\\u061c lri\\u2066\"" },
        { "bad\xff\xc3", "\"bad\\ufffd\\ufffd\"" },
        { "R\xc3\xa9union \xe2\x80\x93 \xf0\x9f\x93\xb7", "\"R\xc3\xa9union \xe2\x80\x93 \xf0\x9f\x93\xb7\"" },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        size_t n = strlen(cases[i].in);
        char buf[256];
        char *e = sim_put_json(buf, cases[i].in, n);
        assert_true((size_t)(e - buf) <= 6 * n + 2);
        *e = '\0';
        assert_string_equal(buf, cases[i].want);
        /* byte for byte what mt_json_string writes */
        char *mem = NULL;
        size_t len = 0;
        FILE *f = open_memstream(&mem, &len);
        assert_non_null(f);
        mt_json_string(f, mt_slice_make(cases[i].in, n));
        fclose(f);
        assert_string_equal(buf, mem);
        free(mem);
    }
}

static void test_bad_options(void **state)
{
    (void)state;
    struct mt_gen_opts o;
    char err[128];
    memset(&o, 0, sizeof o);
    o.out_dir = "/tmp/mt_test_gen_never";
    o.version = 2012;
    assert_int_equal(mt_gen_run(&o, err, sizeof err), MT_EUSAGE);
    assert_true(err[0] != 0);
    o.version = 0;
    o.start_date = "2016-02-30";
    assert_int_equal(mt_gen_run(&o, err, sizeof err), MT_EUSAGE);
    o.start_date = "27/08/2016";
    assert_int_equal(mt_gen_run(&o, err, sizeof err), MT_EUSAGE);
    o.start_date = NULL;
    o.servers = 99;
    assert_int_equal(mt_gen_run(&o, err, sizeof err), MT_EUSAGE);
    o.servers = 0;
    o.out_dir = NULL;
    assert_int_equal(mt_gen_run(&o, err, sizeof err), MT_EUSAGE);
    assert_int_equal(access("/tmp/mt_test_gen_never", F_OK), -1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_versions),
        cmocka_unit_test(test_deterministic),
        cmocka_unit_test(test_rotation),
        cmocka_unit_test(test_ground_truth),
        cmocka_unit_test(test_json_escape),
        cmocka_unit_test(test_bad_options),
    };
    return cmocka_run_group_tests_name("gen", tests, NULL, NULL);
}
