/* SPDX-License-Identifier: MIT */
/* sql.c -- read-only SQL over the index, its named queries, counts and
 * retention. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "index/internal.h"

/* What mt_index_sql's authorizer refused, for its message. */
struct sql_refusal {
    const char *what;
};

/* A statement of mailtrail sql may read the index only. sqlite3_stmt_readonly
 * lets ATTACH and DETACH through (they change the connection, not a file):
 * ATTACH opens any path the user can name, and reads other databases through
 * mailtrail. fts3_tokenizer() hands out or takes a function pointer (the
 * connection turns it off, but not for an argument bound as a parameter,
 * which `sql` offers); load_extension() loads code. */
static int sql_authorize(void *user, int action, const char *a, const char *b, const char *db, const char *trigger)
{
    (void)a;
    (void)db;
    (void)trigger;
    struct sql_refusal *r = user;
    if (action == SQLITE_ATTACH || action == SQLITE_DETACH) {
        r->what = "ATTACH and DETACH are refused: mailtrail sql reads the index it was given, and nothing else";
        return SQLITE_DENY;
    }
    if (action == SQLITE_FUNCTION && b && !sqlite3_stricmp(b, "fts3_tokenizer")) {
        r->what = "fts3_tokenizer() is refused: it reads or sets a function pointer";
        return SQLITE_DENY;
    }
    if (action == SQLITE_FUNCTION && b && !sqlite3_stricmp(b, "load_extension")) {
        r->what = "load_extension() is refused: it loads code";
        return SQLITE_DENY;
    }
    return SQLITE_OK;
}

static mt_status sql_run(mt_index *ix, const char *sql, const char *const *params, size_t n_params,
                         mt_sql_row_fn row, void *user, char *err, size_t errlen, const struct sql_refusal *refusal)
{
    sqlite3_stmt *st;
    const char *tail = NULL;
    if (sqlite3_prepare_v2(ix->db, sql, -1, &st, &tail) != SQLITE_OK) {
        snprintf(err, errlen, "%s", refusal->what ? refusal->what : sqlite3_errmsg(ix->db));
        return MT_EUSAGE;
    }
    if (!st) {
        snprintf(err, errlen, "no statement");
        return MT_EUSAGE;
    }
    while (tail && (*tail == ' ' || *tail == '\n' || *tail == '\t' || *tail == ';' || *tail == '\r'))
        tail++;
    if (tail && *tail) {
        sqlite3_finalize(st);
        snprintf(err, errlen, "one statement at a time");
        return MT_EUSAGE;
    }
    /* Refused before it runs: the index is mailtrail's to change. */
    if (!sqlite3_stmt_readonly(st)) {
        sqlite3_finalize(st);
        snprintf(err, errlen, "only reading statements (SELECT, WITH, read-only PRAGMA) are allowed");
        return MT_EUSAGE;
    }
    int want = sqlite3_bind_parameter_count(st);
    if (n_params > (size_t)want) {
        sqlite3_finalize(st);
        snprintf(err, errlen, "%zu values for %d parameter%s", n_params, want, want == 1 ? "" : "s");
        return MT_EUSAGE;
    }
    for (int i = 1; i <= want; i++) {
        if ((size_t)i <= n_params && params[i - 1])
            sqlite3_bind_text(st, i, params[i - 1], -1, SQLITE_STATIC);
        else
            sqlite3_bind_null(st, i);
    }
    int ncol = sqlite3_column_count(st);
    const char **names = calloc((size_t)ncol + 1, sizeof *names);
    const char **vals = calloc((size_t)ncol + 1, sizeof *vals);
    int *numeric = calloc((size_t)ncol + 1, sizeof *numeric);
    size_t *lens = calloc((size_t)ncol + 1, sizeof *lens);
    struct ix_buf *hex = calloc((size_t)ncol + 1, sizeof *hex);   /* blobs shown as X'..' */
    if (!names || !vals || !numeric || !lens || !hex) {
        free(names);
        free(vals);
        free(numeric);
        free(lens);
        free(hex);
        sqlite3_finalize(st);
        return MT_EIO;
    }
    for (int i = 0; i < ncol; i++)
        names[i] = sqlite3_column_name(st, i);
    uint64_t rows = 0;
    int rc;
    int oom = 0;
    while (!oom && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        for (int i = 0; i < ncol && !oom; i++) {
            int t = sqlite3_column_type(st, i);
            /* Inf and NaN are no JSON numbers: such a float goes as text */
            numeric[i] = t == SQLITE_INTEGER || (t == SQLITE_FLOAT && isfinite(sqlite3_column_double(st, i)));
            if (t == SQLITE_BLOB) {
                /* as text a blob stops at its first NUL, or prints raw bytes */
                const unsigned char *b = sqlite3_column_blob(st, i);
                size_t n = (size_t)sqlite3_column_bytes(st, i);
                static const char digits[] = "0123456789ABCDEF";
                hex[i].n = 0;
                oom = ix_buf_put(&hex[i], "X'", 2);
                for (size_t k = 0; k < n && !oom; k++) {
                    char two[2] = { digits[b[k] >> 4], digits[b[k] & 15] };
                    oom = ix_buf_put(&hex[i], two, 2);
                }
                oom = oom || ix_buf_put(&hex[i], "'", 2);   /* with its NUL */
                vals[i] = oom ? NULL : hex[i].p;
                lens[i] = oom ? 0 : hex[i].n - 1;
            } else {
                vals[i] = (const char *)sqlite3_column_text(st, i);
                lens[i] = vals[i] ? (size_t)sqlite3_column_bytes(st, i) : 0;
            }
        }
        if (oom)
            break;
        rows++;
        if (row && row((size_t)ncol, names, vals, lens, numeric, user))
            break;
    }
    mt_status result = MT_OK;
    if (oom) {
        snprintf(err, errlen, "out of memory");
        result = MT_EIO;
    } else if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
        snprintf(err, errlen, "%s", refusal->what ? refusal->what : sqlite3_errmsg(ix->db));
        int base = rc & 0xff;
        result = base == SQLITE_CORRUPT || base == SQLITE_NOTADB ? MT_EINPUT
               : base == SQLITE_ERROR || base == SQLITE_AUTH ? MT_EUSAGE : MT_EIO;
    } else if (!rows) {
        result = MT_NOMATCH;
        if (row && ncol)
            row((size_t)ncol, names, NULL, lens, numeric, user);   /* the header of an empty result */
    }
    for (int i = 0; i < ncol; i++)
        free(hex[i].p);
    free(hex);
    free(names);
    free(vals);
    free(numeric);
    free(lens);
    sqlite3_finalize(st);
    return result;
}

/* mt_time(ms): ms as mailtrail prints a time in the zone. */
static void sql_time(sqlite3_context *cx, int argc, sqlite3_value **argv)
{
    (void)argc;
    if (sqlite3_value_type(argv[0]) == SQLITE_NULL)
        return;                    /* NULL */
    const mt_index *ix = sqlite3_user_data(cx);
    char buf[48];
    size_t n = mt_time_format(sqlite3_value_int64(argv[0]), ix->sql_tz, buf, sizeof buf);
    sqlite3_result_text(cx, buf, (int)n, SQLITE_TRANSIENT);
}

/* mt_hour(ms): ms's hour on the zone's clock, with the offset then:
 * "2016-08-27T23:00+02:00" (UTC: "2016-08-27T21:00Z"). The offset tells the
 * two 02:00 hours apart when clocks go back, as report --by hour does, and
 * a half-hour step keeps the hours of the clock (Lord Howe's 01:30). */
static void sql_hour(sqlite3_context *cx, int argc, sqlite3_value **argv)
{
    (void)argc;
    if (sqlite3_value_type(argv[0]) == SQLITE_NULL)
        return;
    const mt_index *ix = sqlite3_user_data(cx);
    int64_t ms = sqlite3_value_int64(argv[0]);
    int64_t local = ms + (ix->sql_tz ? (int64_t)mt_tz_offset_at_utc(ix->sql_tz, ms) * 1000 : 0);
    int64_t into = local % 3600000;
    if (into < 0)
        into += 3600000;
    char clock[48], zone[48];
    size_t n = mt_time_format(local - into, NULL, clock, sizeof clock);   /* the clock's hour, as if UTC */
    size_t z = mt_time_format(ms, ix->sql_tz, zone, sizeof zone);
    if (n < 23 || z < 23) {            /* a year past 9999: as mt_time */
        sqlite3_result_text(cx, zone, (int)z, SQLITE_TRANSIENT);
        return;
    }
    /* "2016-08-27T23:00" and the zone after "...:00.000": "+02:00" or "Z" */
    char buf[64];
    int len = snprintf(buf, sizeof buf, "%.16s%s", clock, zone + 23);
    sqlite3_result_text(cx, buf, len, SQLITE_TRANSIENT);
}

void mt_index_sql_zone(mt_index *ix, const mt_tz *tz)
{
    ix->sql_tz = tz;
}

mt_status mt_index_sql(mt_index *ix, const char *sql, const char *const *params, size_t n_params,
                       mt_sql_row_fn row, void *user, char *err, size_t errlen)
{
    if (!ix->sql_fns) {
        int flags = SQLITE_UTF8 | SQLITE_DETERMINISTIC;
        if (sqlite3_create_function_v2(ix->db, "mt_time", 1, flags, ix, sql_time, NULL, NULL, NULL) != SQLITE_OK ||
            sqlite3_create_function_v2(ix->db, "mt_hour", 1, flags, ix, sql_hour, NULL, NULL, NULL) != SQLITE_OK) {
            snprintf(err, errlen, "%s", sqlite3_errmsg(ix->db));
            return MT_EIO;
        }
        ix->sql_fns = 1;
    }
    struct sql_refusal refusal = { NULL };
    /* kept for the statement's life: a schema change makes SQLite prepare it again */
    sqlite3_set_authorizer(ix->db, sql_authorize, &refusal);
    mt_status result = sql_run(ix, sql, params, n_params, row, user, err, errlen, &refusal);
    sqlite3_set_authorizer(ix->db, NULL, NULL);
    return result;
}

static int64_t one_int(mt_index *ix, const char *sql, int *ok)
{
    sqlite3_stmt *st;
    int64_t v = 0;
    if (sqlite3_prepare_v2(ix->db, sql, -1, &st, NULL) != SQLITE_OK) {
        *ok = 0;
        return 0;
    }
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW)
        v = sqlite3_column_type(st, 0) == SQLITE_NULL ? INT64_MIN : sqlite3_column_int64(st, 0);
    else
        *ok = 0;
    sqlite3_finalize(st);
    return v;
}

mt_status mt_index_counts(mt_index *ix, struct mt_index_counts *out)
{
    int ok = 1;
    out->files = (uint64_t)one_int(ix, "SELECT count(*) FROM files WHERE kind IN ('msgtrk','smtp','postfix','iis')", &ok);
    out->events = (uint64_t)one_int(ix, "SELECT count(*) FROM events", &ok);
    out->recipients = (uint64_t)one_int(ix, "SELECT count(*) FROM rcpts", &ok);
    out->smtp_lines = (uint64_t)one_int(ix, "SELECT count(*) FROM smtp_lines", &ok);
    out->postfix_lines = (uint64_t)one_int(ix, "SELECT count(*) FROM postfix_lines", &ok);
    out->iis_lines = (uint64_t)one_int(ix, "SELECT count(*) FROM iis_lines", &ok);
    out->messages = (uint64_t)one_int(ix, "SELECT count(DISTINCT message_id) FROM events", &ok);
    out->first_ms = one_int(ix, "SELECT min(time_ms) FROM events", &ok);
    out->last_ms = one_int(ix, "SELECT max(time_ms) FROM events", &ok);
    return ok ? MT_OK : MT_EINPUT;
}

mt_status mt_index_expire(mt_index *ix, int64_t cutoff_ms, uint64_t *removed, char *err, size_t errlen)
{
    static const char *const sql[] = {
        "DELETE FROM rcpts WHERE event IN (SELECT id FROM events WHERE time_ms < ?1)",
        "DELETE FROM refs WHERE event IN (SELECT id FROM events WHERE time_ms < ?1)",
        "DELETE FROM links WHERE event IN (SELECT id FROM events WHERE time_ms < ?1)",
        "DELETE FROM events WHERE time_ms < ?1",
        /* A protocol-log session goes whole, with its first line: `sessions
         * --start` picks sessions by their start, and the lines after the
         * cut alone were a session of their own (started late, refused at
         * CONNECT, no MAIL FROM). A session is the assembler's: server,
         * direction and id, across files. */
        "DELETE FROM smtp_lines WHERE (file, line) IN (SELECT l.file, l.line FROM"
        " (SELECT DISTINCT o.session AS s, o.session_text AS t, o.direction AS d, fo.server AS srv"
        "  FROM smtp_lines o JOIN files fo ON fo.id = o.file WHERE o.time_ms < ?1 AND o.session IS NOT NULL) old"
        " CROSS JOIN smtp_lines l ON l.session = old.s JOIN files f ON f.id = l.file"
        " WHERE l.session_text IS old.t AND l.direction IS old.d AND f.server = old.srv)",
        "DELETE FROM smtp_lines WHERE time_ms < ?1",
        /* Postfix lines carry no parsed time: a file goes when all of it is older */
        "DELETE FROM postfix_lines WHERE file IN (SELECT id FROM files WHERE kind = 'postfix' AND last_ms < ?1)",
        "DELETE FROM postfix_keys WHERE file IN (SELECT id FROM files WHERE kind = 'postfix' AND last_ms < ?1)",
        "DELETE FROM iis_lines WHERE file IN (SELECT id FROM files WHERE kind = 'iis' AND last_ms < ?1)",
        /* a file whose every line was bad has no record time (last_ms is
         * NULL): its last change stands for it, as for Postfix and IIS
         * files, or its problems would stay for ever */
        "DELETE FROM problems WHERE file IN (SELECT id FROM files WHERE coalesce(last_ms, mtime_ns / 1000000) < ?1)",
    };
    *removed = 0;
    if (!ix->writable) {
        snprintf(err, errlen, "the index is open read-only");
        return MT_EUSAGE;
    }
    if (ix_exec(ix, "BEGIN IMMEDIATE", err, errlen))
        return MT_EIO;
    for (size_t i = 0; i < sizeof sql / sizeof *sql; i++) {
        sqlite3_stmt *st;
        if (sqlite3_prepare_v2(ix->db, sql[i], -1, &st, NULL) != SQLITE_OK) {
            snprintf(err, errlen, "%s", sqlite3_errmsg(ix->db));
            ix_exec(ix, "ROLLBACK", NULL, 0);
            return MT_EIO;
        }
        sqlite3_bind_int64(st, 1, cutoff_ms);
        int rc = sqlite3_step(st);
        sqlite3_finalize(st);
        if (rc != SQLITE_DONE) {
            snprintf(err, errlen, "%s", sqlite3_errmsg(ix->db));
            ix_exec(ix, "ROLLBACK", NULL, 0);
            return MT_EIO;
        }
        if (i == 3)
            *removed = (uint64_t)sqlite3_changes(ix->db);
    }
    /* The files stay listed with their offsets, so that logs still on disk
     * are not read in again. */
    if (ix_exec(ix, "COMMIT", err, errlen)) {
        ix_exec(ix, "ROLLBACK", NULL, 0);
        return MT_EIO;
    }
    return MT_OK;
}

/* ?1 start (UTC ms), ?2 end (UTC ms), ?3 limit: NULL means open / unlimited. */
#define WINDOW "(?1 IS NULL OR time_ms >= ?1) AND (?2 IS NULL OR time_ms < ?2)"
#define LIMIT " LIMIT coalesce(?3, -1)"

/* Is a host (client-hostname or client-ip) one of the organisation's, as
 * report decides (docs/report.md)? An address when it was the server-ip of
 * an SMTP RECEIVE at or before the event (ips, joined to the row); a name
 * when the window says it is ours (known: full names and their first
 * labels), or when its first label is a logging server's and no full name
 * of ours has that label (a name without a dot: whenever it is a logging
 * server's). Names are decided once per distinct value (ournames). */
#define ISIP(c) "(" c " GLOB '[[]*' OR instr(" c ", ':') OR NOT " c " GLOB '*[^0-9.]*')"
#define LABEL(c) "lower(substr(rtrim(" c ", '.'), 1, instr(rtrim(" c ", '.') || '.', '.') - 1))"
#define NAME_OURS(c)                                                                                             \
    "(lower(rtrim(" c ", '.')) IN (SELECT n FROM known) OR (" LABEL(c) " IN (SELECT l FROM logsrv) AND"         \
    " (instr(rtrim(" c ", '.'), '.') = 0 OR " LABEL(c) " NOT IN (SELECT n FROM known))))"
#define OURS(c, j) "(coalesce(" c " IN (SELECT id FROM ournames), 0) OR " j ".ip IS NOT NULL)"
/* A file's name, to tell MSGTRK* files (report's logging servers) */
#define BASE "upper(substr(path, length(rtrim(path, replace(path, '/', ''))) + 1, 6))"

/* A total-bytes as report reads it (parse_u64): whole digits, 1 byte to
 * 2^40; else NULL (no size). */
#define SIZE(c)                                                                                                  \
    "(CASE WHEN " c " GLOB '[0-9]*' AND NOT " c " GLOB '*[^0-9]*' AND CAST(" c " AS INTEGER)"                  \
    " BETWEEN 1 AND 1099511627776 THEN CAST(" c " AS INTEGER) END)"

/* The messages report counts as received (lib/analysis/report.c, and
 * docs/report.md "received"), one row per received event in the window:
 * a SUBMIT, a STOREDRIVER RECEIVE, or an SMTP RECEIVE whose client is not
 * the organisation's (an intra-organisation hop is no new message). msg
 * numbers a message's events twice: k1 = 1 is its first (it counts the
 * message, its hour and its sender), kb = 1 its first with a size (its bytes
 * and that event's sender and subject); size is report's: whole digits,
 * 1 byte to 2^40, else none. A message without a message id is one of its
 * own. The names and addresses come from the window's events, as report's. */
#define RECEIVED                                                                                                 \
    "WITH kw(id, v) AS (SELECT id, upper(value) FROM strs"                                           \
    "  WHERE upper(value) IN ('RECEIVE', 'SUBMIT', 'SEND', 'SENDEXTERNAL', 'HAREDIRECT', 'HARECEIVE', 'SMTP',"      \
    "  'STOREDRIVER')),"                \
    " w AS (SELECT e.id AS id, e.time_ms AS time_ms, e.message_id AS mid, ev.v AS eid, so.v AS src,"  \
    "  e.total_bytes AS total_bytes, e.client_ip AS ci, e.client_hostname AS ch, e.server_ip AS si,"              \
    "  e.server_hostname AS sh, e.connector_id AS cn"                                                            \
    "  FROM events e JOIN kw ev ON ev.id = e.event_id LEFT JOIN kw so ON so.id = e.source"                        \
    "  WHERE ev.v IN ('RECEIVE', 'SUBMIT', 'SEND', 'SENDEXTERNAL', 'HAREDIRECT', 'HARECEIVE')"                                               \
    "  AND (?1 IS NULL OR e.time_ms >= ?1) AND (?2 IS NULL OR e.time_ms < ?2)),"                                  \
    " names(n) AS (SELECT DISTINCT lower(rtrim(value, '.')) FROM strs WHERE id IN"                               \
    "  (SELECT sh FROM w WHERE eid IN ('RECEIVE', 'HAREDIRECT', 'HARECEIVE') AND src = 'SMTP'"                                                 \
    "   UNION SELECT ch FROM w WHERE eid <> 'RECEIVE' AND eid <> 'SUBMIT' AND src = 'SMTP'"                       \
    "   UNION SELECT sh FROM w WHERE eid <> 'RECEIVE' AND eid <> 'SUBMIT' AND cn IN (SELECT id FROM strs"         \
    "    WHERE value = 'Intra-Organization SMTP Send Connector' COLLATE NOCASE))"                                  \
    "  AND instr(value, '.') AND NOT " ISIP("value") "),"                                                        \
    " known(n) AS (SELECT n FROM names UNION SELECT substr(n, 1, instr(n, '.') - 1) FROM names"      \
    "  WHERE instr(n, '.') > 1),"                                                                                \
    " logsrv(l) AS (SELECT DISTINCT " LABEL("server") " FROM files WHERE " BASE " = 'MSGTRK'"        \
    "  OR NOT EXISTS (SELECT 1 FROM files WHERE " BASE " = 'MSGTRK')),"                                           \
    " ips(ip) AS (SELECT DISTINCT a.ip FROM (SELECT si AS ip FROM w WHERE src = 'SMTP'"                          \
    "  AND eid IN ('RECEIVE', 'HAREDIRECT', 'HARECEIVE') UNION ALL SELECT ci FROM w WHERE eid = 'HARECEIVE'"       \
    "  AND src = 'SMTP' UNION ALL SELECT si FROM w WHERE eid IN ('SEND', 'SENDEXTERNAL') AND cn IN (SELECT id"     \
    "  FROM strs WHERE value = 'Intra-Organization SMTP Send Connector' COLLATE NOCASE)) a"                      \
    "  JOIN strs s ON s.id = a.ip WHERE s.value <> '' AND " ISIP("s.value") "),"                                 \
    " ournames(id) AS (SELECT id FROM strs WHERE id IN (SELECT ch FROM w WHERE eid = 'RECEIVE'"      \
    "  AND src = 'SMTP' UNION SELECT ci FROM w WHERE eid = 'RECEIVE' AND src = 'SMTP')"                           \
    "  AND value <> '' AND NOT " ISIP("value") " AND " NAME_OURS("value") "),"                                   \
    " rcv AS (SELECT w.id AS id, w.time_ms AS time_ms, w.mid AS mid, " SIZE("total_bytes") " AS size FROM w"       \
    "  LEFT JOIN ips ih ON ih.ip = w.ch LEFT JOIN ips ii ON ii.ip = w.ci"                                          \
    "  WHERE eid = 'SUBMIT' OR (eid = 'RECEIVE' AND (src = 'STOREDRIVER' OR (src = 'SMTP'"                        \
    "  AND NOT " OURS("w.ch", "ih") " AND NOT " OURS("w.ci", "ii") ")))),"                                       \
    " msg AS (SELECT rcv.*,"                                                                                     \
    "  row_number() OVER (PARTITION BY mid IS NULL, coalesce(mid, id) ORDER BY time_ms, id) AS k1,"               \
    "  row_number() OVER (PARTITION BY mid IS NULL, coalesce(mid, id) ORDER BY size IS NULL, time_ms, id) AS kb,"  \
    "  min(time_ms) OVER (PARTITION BY mid IS NULL, coalesce(mid, id)) AS first_ms FROM rcv) "

static const struct mt_named_query named[] = {
    { "top-senders", "senders by messages received from them, with bytes (as report counts them)",
      /* the sender of a message's first received event gets the message,
       * that of its sizing event the bytes; the texts only for those rows.
       * Labelled folded, as report prints its senders (ASCII lower case, as
       * SQLite's lower()): a bare t.sender gave one row's spelling of the
       * group, John@Contoso.com where report says john@contoso.com. */
      RECEIVED
      "SELECT lower(t.sender) AS sender, sum(k1 = 1) AS messages,"
      " sum(CASE WHEN kb = 1 THEN coalesce(size, 0) ELSE 0 END) AS bytes"
      " FROM msg JOIN tracking t ON t.id = msg.id WHERE (k1 = 1 OR kb = 1) AND t.sender <> ''"
      " GROUP BY lower(t.sender) ORDER BY messages DESC, sender" LIMIT },
    { "top-recipients", "recipients reached, delivered or relayed out, with bytes (as report counts them)",
      /* report's top recipients (docs/report.md "recipients"): each
       * recipient of a DELIVER, and of a SEND or SENDEXTERNAL that relayed
       * out -- not through the intra-organisation connector, and answered
       * "queued as ID" without an InternalId (links) or to a host (its
       * server-hostname, else server-ip, and its server-ip) that is not ours
       * as the window says (RECEIVED's names and addresses). Bytes are the
       * event's total-bytes; a DELIVER without one takes its message's size
       * when the event that gave it came first (time, then event id). Folded
       * as report prints its recipients (see top-senders). */
      RECEIVED
      ", sendnames(id) AS (SELECT id FROM strs WHERE id IN (SELECT sh FROM w WHERE eid IN ('SEND', 'SENDEXTERNAL')"
      "  UNION SELECT si FROM w WHERE eid IN ('SEND', 'SENDEXTERNAL'))"
      "  AND value <> '' AND NOT " ISIP("value") " AND " NAME_OURS("value") "),"
      " ourhosts(id) AS (SELECT id FROM sendnames UNION SELECT ip FROM ips),"
      " sized AS (SELECT mid, time_ms, id, size FROM msg WHERE kb = 1 AND size IS NOT NULL),"
      " reach(event, bytes) AS (SELECT e.id, coalesce(" SIZE("e.total_bytes") ", s.size, 0)"
      "  FROM events e LEFT JOIN sized s ON s.mid = e.message_id"
      "   AND (s.time_ms < e.time_ms OR (s.time_ms = e.time_ms AND s.id < e.id))"
      "  WHERE e.event_id IN (SELECT id FROM strs WHERE upper(value) = 'DELIVER')"
      "  AND (?1 IS NULL OR e.time_ms >= ?1) AND (?2 IS NULL OR e.time_ms < ?2)"
      "  UNION ALL SELECT w.id, coalesce(" SIZE("w.total_bytes") ", 0) FROM w"
      "  WHERE eid IN ('SEND', 'SENDEXTERNAL') AND coalesce(w.cn NOT IN (SELECT id FROM strs"
      "   WHERE value = 'Intra-Organization SMTP Send Connector' COLLATE NOCASE), 1)"
      "  AND (EXISTS (SELECT 1 FROM links l WHERE l.event = w.id AND l.kind = 'queued-as')"
      "   OR NOT coalesce(coalesce(w.sh, w.si) IN (SELECT id FROM ourhosts) OR w.si IN (SELECT id FROM ourhosts), 0)))"
      " SELECT lower(a.value) AS recipient, count(*) AS recipients, sum(bytes) AS bytes"
      " FROM reach JOIN rcpts r ON r.event = reach.event JOIN addrs a ON a.id = r.address WHERE a.value <> ''"
      " GROUP BY lower(a.value) ORDER BY recipients DESC, recipient" LIMIT },
    { "ndr-by-code", "failed recipients by enhanced status code (FAIL, BADMAIL, moderation; as report)",
      /* report's failures (docs/report.md "failures"): each recipient with
       * an address of the events report counts as failed (report.c
       * classify), grouped as report groups them (5.7.133 is not 5.7.1);
       * the example is the first status of the code, by time, then event,
       * then recipient, as report keeps the text of its first occurrence
       * (min() gave the alphabetically first: another recipient's 5.7.1).
       * A recipient without a status is '' (code and example), as report's. */
      "SELECT code, count(*) AS recipients, count(DISTINCT mid) AS messages,"
      " max(CASE WHEN k = 1 THEN status END) AS example"
      " FROM (SELECT mailtrail_status_code(coalesce(st.value, '')) AS code, e.message_id AS mid,"
      "  coalesce(st.value, '') AS status,"
      "  row_number() OVER (PARTITION BY mailtrail_status_code(coalesce(st.value, ''))"
      "   ORDER BY e.time_ms, e.id, r.n) AS k"
      "  FROM events e JOIN rcpts r ON r.event = e.id JOIN addrs a ON a.id = r.address"
      "  LEFT JOIN texts st ON st.id = r.status"
      "  WHERE e.event_id IN (SELECT id FROM strs"
      "   WHERE upper(value) IN ('FAIL', 'BADMAIL', 'MODERATORREJECT', 'MODERATIONEXPIRE'))"
      "  AND a.value <> '' AND (?1 IS NULL OR e.time_ms >= ?1) AND (?2 IS NULL OR e.time_ms < ?2))"
      " GROUP BY code ORDER BY recipients DESC, code" LIMIT },
    { "messages-per-hour", "messages received per hour (in --tz, as report --by hour), with bytes (as report counts them)",
      /* as report's traffic: a message in the hour of its first received
       * event, its bytes in the hour of the event that gave its size; the
       * hours in --tz (mt_hour), in the order of time: when clocks go back,
       * 02:00+02:00 comes before 02:00+01:00 */
      RECEIVED
      "SELECT mt_hour(time_ms) AS hour, sum(k1 = 1) AS messages,"
      " sum(CASE WHEN kb = 1 THEN coalesce(size, 0) ELSE 0 END) AS bytes"
      " FROM msg WHERE k1 = 1 OR kb = 1 GROUP BY hour ORDER BY min(time_ms)" LIMIT },
    { "largest-messages", "the largest received messages, with time, sender, server and subject (as report sizes them)",
      /* report's large list (docs/report.md "sizes"), in its order and
       * with its columns: the size, time, sender, server and subject of the
       * event that sized the message (a text it does not have is '', as
       * report prints it); first_seen, the message's first received event's
       * time, is sql's own. A message without a message id is a row of its
       * own. */
      RECEIVED
      "SELECT coalesce(t.message_id, '') AS message_id, size AS bytes,"
      " mt_time(msg.time_ms) AS time,"
      " coalesce(t.sender, '') AS sender, t.server AS server, coalesce(t.subject, '') AS subject,"
      " mt_time(first_ms) AS first_seen"
      " FROM msg JOIN tracking t ON t.id = msg.id WHERE kb = 1 AND size IS NOT NULL"
      " ORDER BY bytes DESC, msg.time_ms, msg.id" LIMIT },
    { "connector-volume", "SEND, SENDEXTERNAL and RECEIVE events and bytes per server and connector (report's connectors)",
      /* report's connectors (docs/report.md "hops"), per server: the events
       * of a connector-id, whatever the case of their event id, sized by
       * report's rule; an event without a connector-id (the store driver's
       * RECEIVE) counts for none, as in report. Summed over the servers,
       * report's row; SEND and SENDEXTERNAL rows together, its send_events. */
      "SELECT server, upper(event_id) AS event_id, connector_id, count(*) AS events,"
      " coalesce(sum(" SIZE("total_bytes") "), 0) AS bytes"
      " FROM tracking WHERE upper(event_id) IN ('SEND', 'SENDEXTERNAL', 'RECEIVE') AND connector_id <> '' AND " WINDOW
      " GROUP BY server, upper(event_id), connector_id ORDER BY events DESC, server, event_id, connector_id" LIMIT },
    { "slowest-deliveries", "delivered recipients by time from their message's first event in the window (report's latency)",
      /* report's tracked latency (docs/report.md "Latency"): a DELIVER's
       * recipient measured from the first event of its message id in the
       * window, whatever that event is (a RECEIVE, or a SEND, DSN ... of a
       * message that entered before --start), never below 0 (clocks of two
       * servers); a DELIVER without a message id has no such time. On the
       * events' own message ids, in this join order: through the views
       * SQLite scanned the files for every message (quadratic: 383 s at
       * 1.6 M events) */
      "SELECT d.message_id, d.recipient, mt_time(r.first_ms) AS received,"
      " mt_time(d.time_ms) AS delivered, round(max(d.time_ms - r.first_ms, 0) / 1000.0, 3) AS seconds"
      " FROM (SELECT message_id AS mid, min(time_ms) AS first_ms FROM events"
      "       WHERE message_id IS NOT NULL AND " WINDOW " GROUP BY message_id) r"
      " CROSS JOIN events e ON e.message_id = r.mid"
      " CROSS JOIN recipients d ON d.id = e.id"
      " WHERE upper(d.event_id) = 'DELIVER' AND d.recipient <> ''"
      " AND (?1 IS NULL OR d.time_ms >= ?1) AND (?2 IS NULL OR d.time_ms < ?2)"
      " ORDER BY seconds DESC" LIMIT },
    { "event-counts", "tracking events per server and event id (report's events, per server)",
      /* report's events (docs/report.md "events"), per server: each event
       * id as logged (SEND and send are two), none as ''; in report's
       * order, ties by the id's bytes (BINARY: memcmp, shorter first, as
       * report's by_val_desc), where SQLite's grouping left them as it
       * found them */
      "SELECT server, coalesce(event_id, '') AS event_id, count(*) AS events FROM tracking WHERE " WINDOW
      " GROUP BY server, 2 ORDER BY server, events DESC, 2 COLLATE BINARY" LIMIT },
    { "problems", "malformed lines found while indexing, by file",
      "SELECT f.path AS file, p.line, p.message FROM problems p JOIN files f ON f.id = p.file"
      " ORDER BY f.path, p.line" LIMIT },
};

const struct mt_named_query *mt_named_queries(size_t *n)
{
    *n = sizeof named / sizeof *named;
    return named;
}

mt_status ix_stream_text(sqlite3_stmt *st, int (*piece)(const char *p, size_t n, void *user), void *user,
                         struct ix_buf *b, int *stopped)
{
    b->n = 0;
    int rc = SQLITE_DONE;
    while (!*stopped && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        if (ix_buf_put(b, sqlite3_column_text(st, 0), (size_t)sqlite3_column_bytes(st, 0)) || ix_buf_put(b, "\n", 1))
            return MT_EIO;
        if (b->n >= 64 * 1024) {
            *stopped = piece(b->p, b->n, user);
            b->n = 0;
        }
    }
    if (*stopped)
        return MT_OK;
    if (b->n)
        *stopped = piece(b->p, b->n, user);
    return rc == SQLITE_DONE ? MT_OK : MT_EINPUT;
}

/* A file of the log set the IIS logs are read in, and its row. */
struct iis_file {
    const char *path;     /* the log set's string: compared by address */
    int64_t id;
};

static int cmp_iis_file(const void *a, const void *b)
{
    uintptr_t x = (uintptr_t)((const struct iis_file *)a)->path, y = (uintptr_t)((const struct iis_file *)b)->path;
    return x < y ? -1 : x > y;
}

mt_status mt_index_iis(mt_index *ix, int (*begin)(const char *path, void *user),
                       int (*piece)(const char *p, size_t n, void *user), void *user, char *err, size_t errlen)
{
    if (errlen)
        err[0] = '\0';
    sqlite3_stmt *fs, *ls;
    if (sqlite3_prepare_v2(ix->db, "SELECT id, path, server FROM files WHERE kind = 'iis'", -1, &fs, NULL) !=
        SQLITE_OK)
        return MT_EINPUT;
    if (sqlite3_prepare_v2(ix->db, "SELECT text FROM iis_lines WHERE file = ?1 ORDER BY line", -1, &ls, NULL) !=
        SQLITE_OK) {
        sqlite3_finalize(fs);
        return MT_EINPUT;
    }
    /* In the order the files would be read from the disk: the log set's
     * (by server, series, time, path), rebuilt from the file list as
     * backend.c does for the other commands. "ORDER BY path" put a folder
     * S-2 before S ('-' sorts before '/'), and a device's compliance could
     * come from the other file. */
    mt_logset set = { 0 };
    struct iis_file *fv = NULL;
    size_t n = 0, cap = 0;
    mt_status result = MT_OK;
    int rc;
    while ((rc = sqlite3_step(fs)) == SQLITE_ROW) {
        const char *path = (const char *)sqlite3_column_text(fs, 1);
        const char *server = (const char *)sqlite3_column_text(fs, 2);
        if (!path)
            continue;
        if (n == cap) {
            size_t ncap = cap ? cap * 2 : 64;
            struct iis_file *nv = realloc(fv, ncap * sizeof *nv);
            if (!nv) {
                result = MT_EIO;
                break;
            }
            fv = nv;
            cap = ncap;
        }
        if (mt_logset_add_file(&set, path, server ? server : "", 0) != MT_OK) {
            result = MT_EIO;
            break;
        }
        fv[n].path = set.files[set.n - 1].path;
        fv[n++].id = sqlite3_column_int64(fs, 0);
    }
    if (result == MT_OK && rc != SQLITE_DONE)
        result = MT_EINPUT;
    sqlite3_finalize(fs);
    mt_logset_finish(&set);
    if (n > 1)
        qsort(fv, n, sizeof *fv, cmp_iis_file);
    struct ix_buf b = { 0 };
    int stop = 0;
    for (size_t i = 0; i < set.n && !stop && result == MT_OK; i++) {
        struct iis_file key = { set.files[i].path, 0 };
        const struct iis_file *f = bsearch(&key, fv, n, sizeof *fv, cmp_iis_file);
        if (!f || begin(f->path, user))
            continue;
        sqlite3_bind_int64(ls, 1, f->id);
        result = ix_stream_text(ls, piece, user, &b, &stop);
        sqlite3_reset(ls);
    }
    if (result == MT_EINPUT && errlen)
        snprintf(err, errlen, "%s: reading the index: %s (if it is damaged, rebuild it with mailtrail index --rebuild)",
                 ix->path, sqlite3_errmsg(ix->db));
    sqlite3_finalize(ls);
    free(b.p);
    free(fv);
    size_t files = set.n;
    mt_logset_free(&set);
    if (result == MT_OK && !files)
        return MT_NOMATCH;
    return result;
}
