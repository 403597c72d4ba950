/* SPDX-License-Identifier: MIT */
/* schema.c -- open, create, check and upgrade the index database.
 *
 * The schema version lives in PRAGMA user_version (0 = not a mailtrail
 * index yet) and in meta('schema_version') for people reading the file with
 * other tools. Views named for people (tracking, messages, deliveries,
 * failures, sessions) resolve the dictionary ids; docs/index.md describes all of it. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/stat.h>
#include <unistd.h>
#include "index/internal.h"
#include "mailtrail/explain.h"

const struct ix_field ix_fields[MT_F__COUNT] = {
    [MT_F_DATE_TIME] = { IX_TIME, "time_ms" },
    [MT_F_CLIENT_IP] = { IX_STR, "client_ip" },
    [MT_F_CLIENT_HOSTNAME] = { IX_STR, "client_hostname" },
    [MT_F_SERVER_IP] = { IX_STR, "server_ip" },
    [MT_F_SERVER_HOSTNAME] = { IX_STR, "server_hostname" },
    [MT_F_SOURCE_CONTEXT] = { IX_COLD, NULL },
    [MT_F_CONNECTOR_ID] = { IX_STR, "connector_id" },
    [MT_F_SOURCE] = { IX_STR, "source" },
    [MT_F_EVENT_ID] = { IX_STR, "event_id" },
    [MT_F_INTERNAL_MESSAGE_ID] = { IX_NUM, "internal_message_id" },
    [MT_F_MESSAGE_ID] = { IX_MSG, "message_id" },
    [MT_F_NETWORK_MESSAGE_ID] = { IX_TEXT, "network_message_id" },
    [MT_F_RECIPIENT_ADDRESS] = { IX_RCPT, NULL },
    [MT_F_RECIPIENT_STATUS] = { IX_RCPT, NULL },
    [MT_F_TOTAL_BYTES] = { IX_NUM, "total_bytes" },
    [MT_F_RECIPIENT_COUNT] = { IX_NUM, "recipient_count" },
    [MT_F_RELATED_RECIPIENT_ADDRESS] = { IX_TEXT, "related_recipient_address" },
    [MT_F_REFERENCE] = { IX_TEXT, "reference" },
    [MT_F_MESSAGE_SUBJECT] = { IX_TEXT, "message_subject" },
    [MT_F_SENDER_ADDRESS] = { IX_ADDR, "sender_address" },
    [MT_F_RETURN_PATH] = { IX_ADDR, "return_path" },
    [MT_F_MESSAGE_INFO] = { IX_COLD, NULL },
    [MT_F_DIRECTIONALITY] = { IX_STR, "directionality" },
    [MT_F_TENANT_ID] = { IX_STR, "tenant_id" },
    [MT_F_ORIGINAL_CLIENT_IP] = { IX_STR, "original_client_ip" },
    [MT_F_ORIGINAL_SERVER_IP] = { IX_STR, "original_server_ip" },
    [MT_F_CUSTOM_DATA] = { IX_COLD, NULL },
    [MT_F_TRANSPORT_TRAFFIC_TYPE] = { IX_STR, "transport_traffic_type" },
    [MT_F_LOG_ID] = { IX_COLD, NULL },
    [MT_F_SCHEMA_VERSION] = { IX_STR, "schema_version" },
};

/* The dictionaries with many long strings (texts, msgids) are found by a
 * 31-bit hash of the ASCII-lowercased value (h), the value compared after:
 * an index of small integers instead of a copy of every string (schema 2;
 * a fifth of an index at 10 M events). Lowercased because message ids and
 * network message ids are searched case-insensitively, as SQLite's NOCASE. */
int64_t ix_text_hash(const char *p, size_t n)
{
    uint64_t h = 1469598103934665603ull;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)p[i];
        h ^= c >= 'A' && c <= 'Z' ? (unsigned char)(c | 0x20) : c;
        h *= 1099511628211ull;
    }
    return (int64_t)((h ^ (h >> 31)) & 0x7fffffff);
}

/* mailtrail_hash(value), for the upgrade and for SQL users:
 *   SELECT id FROM msgids WHERE h = mailtrail_hash(?1) AND value = ?1 COLLATE NOCASE */
static void sql_hash(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
    (void)argc;
    if (sqlite3_value_type(argv[0]) == SQLITE_NULL) {
        sqlite3_result_null(ctx);
        return;
    }
    const unsigned char *t = sqlite3_value_text(argv[0]);
    sqlite3_result_int64(ctx, ix_text_hash((const char *)t, (size_t)sqlite3_value_bytes(argv[0])));
}

/* mailtrail_contains_text(value, needle): the subject filter's own test
 * (mt_slice_contains_text_ci), which SQLite's lower() cannot give: it folds
 * ASCII letters only, and "über" would not find "Über". NULL matches nothing. */
static void sql_contains_text(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
    (void)argc;
    if (sqlite3_value_type(argv[0]) == SQLITE_NULL || sqlite3_value_type(argv[1]) == SQLITE_NULL) {
        sqlite3_result_int(ctx, 0);
        return;
    }
    const char *hay = (const char *)sqlite3_value_text(argv[0]);
    int hay_n = sqlite3_value_bytes(argv[0]);
    const char *needle = (const char *)sqlite3_value_text(argv[1]);
    int needle_n = sqlite3_value_bytes(argv[1]);
    sqlite3_result_int(ctx, hay && needle &&
                                mt_slice_contains_text_ci(mt_slice_make(hay, (size_t)hay_n),
                                                          mt_slice_make(needle, (size_t)needle_n)));
}

/* mailtrail_status_code(status): the key report groups a status by
 * (mt_status_key: "550 5.7.133", every digit of the enhanced code), for the
 * named queries; NULL for NULL. */
static void sql_status_code(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
    (void)argc;
    const char *t = (const char *)sqlite3_value_text(argv[0]);
    if (!t) {
        sqlite3_result_null(ctx);
        return;
    }
    char key[80];
    size_t n = mt_status_key(mt_slice_make(t, (size_t)sqlite3_value_bytes(argv[0])), key, sizeof key);
    sqlite3_result_text(ctx, key, (int)n, SQLITE_TRANSIENT);
}

/* Version 2. Columns declared without a type keep values exactly as bound
 * (an internal-message-id "0123" stays text, 123 stays an integer). */
static const char schema_tables[] =
    "CREATE TABLE meta(key TEXT PRIMARY KEY, value) WITHOUT ROWID;\n"
    "CREATE TABLE files(\n"
    "  id INTEGER PRIMARY KEY,\n"
    "  path TEXT NOT NULL UNIQUE,\n"
    "  server TEXT NOT NULL,\n"
    "  kind TEXT NOT NULL DEFAULT 'unknown',\n"   /* msgtrk smtp postfix iis other empty unknown */
    "  dev INTEGER, ino INTEGER,\n"
    "  head_len INTEGER NOT NULL DEFAULT 0, head_hash INTEGER,\n"
    "  size INTEGER NOT NULL DEFAULT 0, mtime_ns INTEGER,\n"
    "  offset INTEGER NOT NULL DEFAULT 0,\n"
    "  lines INTEGER NOT NULL DEFAULT 0,\n"
    "  header TEXT, in_header INTEGER NOT NULL DEFAULT 0,\n"
    "  complete INTEGER NOT NULL DEFAULT 0,\n"
    "  first_ms INTEGER, last_ms INTEGER,\n"
    "  gone_at INTEGER, updated_at INTEGER\n"
    ");\n"
    "CREATE INDEX files_inode ON files(ino, dev);\n"
    "CREATE INDEX files_list ON files(kind, path, server);\n"
    "CREATE TABLE strs(id INTEGER PRIMARY KEY, value TEXT NOT NULL UNIQUE);\n"
    "CREATE TABLE texts(id INTEGER PRIMARY KEY, value TEXT NOT NULL, h INTEGER NOT NULL);\n"
    "CREATE INDEX texts_h ON texts(h);\n"
    "CREATE TABLE addrs(id INTEGER PRIMARY KEY, value TEXT NOT NULL);\n"
    "CREATE INDEX addrs_value ON addrs(value COLLATE NOCASE);\n"
    "CREATE TABLE msgids(id INTEGER PRIMARY KEY, value TEXT NOT NULL, h INTEGER NOT NULL);\n"
    "CREATE INDEX msgids_h ON msgids(h);\n"
    "CREATE TABLE events(\n"
    "  id INTEGER PRIMARY KEY,\n"
    "  file INTEGER NOT NULL, line INTEGER NOT NULL, time_ms INTEGER NOT NULL,\n"
    "  client_ip INTEGER, client_hostname INTEGER, server_ip INTEGER, server_hostname INTEGER,\n"
    "  connector_id INTEGER, source INTEGER, event_id INTEGER, internal_message_id,\n"
    "  message_id INTEGER, network_message_id INTEGER, total_bytes, recipient_count,\n"
    "  related_recipient_address INTEGER, reference INTEGER, message_subject INTEGER,\n"
    "  sender_address INTEGER, return_path INTEGER, directionality INTEGER, tenant_id INTEGER,\n"
    "  original_client_ip INTEGER, original_server_ip INTEGER, transport_traffic_type INTEGER,\n"
    "  schema_version INTEGER, session TEXT, cold BLOB\n"
    ");\n"
    "CREATE TABLE rcpts(event INTEGER NOT NULL, n INTEGER NOT NULL, address INTEGER, status INTEGER,\n"
    "  PRIMARY KEY(event, n)) WITHOUT ROWID;\n"
    "CREATE TABLE refs(message_id INTEGER NOT NULL, event INTEGER NOT NULL,\n"
    "  PRIMARY KEY(message_id, event)) WITHOUT ROWID;\n"
    /* A session id is 16 hex digits: kept as the 64-bit number it spells
     * (half the bytes, and its index too); session_text holds the exact text
     * only when it is not written in upper case. */
    "CREATE TABLE links(event INTEGER NOT NULL, kind TEXT NOT NULL, internal_id, host TEXT, queue_id TEXT);\n"
    "CREATE INDEX links_event ON links(event);\n"
    "CREATE TABLE smtp_lines(\n"
    "  file INTEGER NOT NULL, line INTEGER NOT NULL, time_ms INTEGER,\n"
    "  connector_id INTEGER, session INTEGER, session_text TEXT, seq INTEGER,\n"
    "  local_endpoint INTEGER, remote_endpoint INTEGER, event TEXT, data INTEGER, context INTEGER, direction INTEGER,\n"
    "  PRIMARY KEY(file, line)) WITHOUT ROWID;\n"
    "CREATE TABLE postfix_lines(file INTEGER NOT NULL, line INTEGER NOT NULL, text TEXT NOT NULL,\n"
    "  PRIMARY KEY(file, line)) WITHOUT ROWID;\n"
    /* The ids each Postfix line names (mt_pf_key: its queue id, "queued as",
     * a cleanup line's message-id, an InternalId in a reply) with the
     * running year its stamp was read with: a trace reads only its lines. */
    "CREATE TABLE postfix_keys(key INTEGER NOT NULL, file INTEGER NOT NULL, line INTEGER NOT NULL,\n"
    "  year INTEGER NOT NULL);\n"
    "CREATE TABLE iis_lines(file INTEGER NOT NULL, line INTEGER NOT NULL, text TEXT NOT NULL,\n"
    "  PRIMARY KEY(file, line)) WITHOUT ROWID;\n"
    "CREATE TABLE problems(file INTEGER NOT NULL, line INTEGER NOT NULL, message TEXT NOT NULL);\n"
    "CREATE INDEX problems_file ON problems(file, line);\n";

/* hops: each hand-off with the event it led to, where the logs have it.
 * An internal id is a number the next server gave, unique only while its
 * queue database lives: one made anew (a reinstall, a reset queue) hands the
 * same numbers out again, so the RECEIVE must also be of the SEND's message
 * (schema 5; before, a SEND was linked to every RECEIVE of its id on that
 * server, of any message). A SEND without a message id cannot be checked and
 * links as before. Kept as one string: made with the other views, and again
 * by the 4 -> 5 upgrade. */
#define HOPS_VIEW \
    "CREATE VIEW hops AS SELECT s.message_id AS message_id, s.timestamp AS sent, s.server AS from_server,\n" \
    "  l.kind AS link, coalesce(l.internal_id || '@' || l.host, l.internal_id, l.queue_id) AS key,\n" \
    "  n.server AS to_server, n.event_id AS next_event_id, n.timestamp AS next_seen, s.id AS send_event,\n" \
    "  n.id AS next_event\n" \
    "FROM links l JOIN tracking s ON s.id = l.event\n" \
    "  LEFT JOIN tracking n ON l.kind = 'internal-id' AND n.internal_message_id = l.internal_id\n" \
    "    AND n.id <> s.id AND (l.host IS NULL OR upper(n.server) = upper(l.host))\n" \
    "    AND (s.message_id IS NULL OR n.message_id = s.message_id COLLATE NOCASE)\n" \
    "    AND n.event_id IN ('RECEIVE', 'HARECEIVE');\n"

/* failures: the recipients report counts as failed (report.c classify,
 * docs/report.md "failed"): FAIL, and BADMAIL, MODERATORREJECT and
 * MODERATIONEXPIRE, which trace also calls failed; event ids compared
 * whatever their case, as report and ndr-by-code do. Schema 6; before, FAIL
 * only, so the view and ndr-by-code disagreed with report. event_id tells
 * the kinds apart. Made with the other views, and again by 5 -> 6. */
#define FAILURES_VIEW \
    "CREATE VIEW failures AS SELECT timestamp, server, message_id, sender, subject, recipient,\n" \
    "  recipient_status, source, event_id\n" \
    "FROM recipients WHERE upper(event_id) IN ('FAIL', 'BADMAIL', 'MODERATORREJECT', 'MODERATIONEXPIRE');\n"

/* Views for people and for `mailtrail sql`. Times are UTC ISO 8601. */
static const char schema_views[] =
    "CREATE VIEW tracking AS SELECT e.id AS id,\n"
    "  strftime('%Y-%m-%dT%H:%M:%fZ', e.time_ms / 1000.0, 'unixepoch') AS timestamp, e.time_ms AS time_ms,\n"
    "  f.server AS server, f.path AS file, e.line AS line,\n"
    "  ev.value AS event_id, so.value AS source, m.value AS message_id,\n"
    "  e.internal_message_id AS internal_message_id, nm.value AS network_message_id,\n"
    "  sa.value AS sender, rp.value AS return_path, subj.value AS subject,\n"
    "  e.total_bytes AS total_bytes, e.recipient_count AS recipient_count,\n"
    "  ci.value AS client_ip, ch.value AS client_hostname, si.value AS server_ip, sh.value AS server_hostname,\n"
    "  cn.value AS connector_id, di.value AS directionality, ref.value AS reference, e.session AS session_id\n"
    "FROM events e JOIN files f ON f.id = e.file\n"
    "  LEFT JOIN strs ev ON ev.id = e.event_id LEFT JOIN strs so ON so.id = e.source\n"
    "  LEFT JOIN msgids m ON m.id = e.message_id LEFT JOIN texts nm ON nm.id = e.network_message_id\n"
    "  LEFT JOIN addrs sa ON sa.id = e.sender_address LEFT JOIN addrs rp ON rp.id = e.return_path\n"
    "  LEFT JOIN texts subj ON subj.id = e.message_subject\n"
    "  LEFT JOIN strs ci ON ci.id = e.client_ip LEFT JOIN strs ch ON ch.id = e.client_hostname\n"
    "  LEFT JOIN strs si ON si.id = e.server_ip LEFT JOIN strs sh ON sh.id = e.server_hostname\n"
    "  LEFT JOIN strs cn ON cn.id = e.connector_id LEFT JOIN strs di ON di.id = e.directionality\n"
    "  LEFT JOIN texts ref ON ref.id = e.reference;\n"
    "CREATE VIEW recipients AS SELECT t.*, a.value AS recipient, st.value AS recipient_status\n"
    "FROM tracking t JOIN rcpts r ON r.event = t.id LEFT JOIN addrs a ON a.id = r.address\n"
    "  LEFT JOIN texts st ON st.id = r.status;\n"
    "CREATE VIEW messages AS SELECT m.value AS message_id,\n"
    "  strftime('%Y-%m-%dT%H:%M:%fZ', g.first_ms / 1000.0, 'unixepoch') AS first_seen,\n"
    "  strftime('%Y-%m-%dT%H:%M:%fZ', g.last_ms / 1000.0, 'unixepoch') AS last_seen,\n"
    "  a.value AS sender, t.value AS subject, g.size AS size, g.events AS events\n"
    "FROM (SELECT message_id AS mid, min(time_ms) AS first_ms, max(time_ms) AS last_ms,\n"
    "        max(sender_address) AS sa, max(message_subject) AS su,\n"
    "        max(CAST(total_bytes AS INTEGER)) AS size, count(*) AS events\n"
    "      FROM events WHERE message_id IS NOT NULL GROUP BY message_id) g\n"
    "  JOIN msgids m ON m.id = g.mid LEFT JOIN addrs a ON a.id = g.sa LEFT JOIN texts t ON t.id = g.su;\n"
    "CREATE VIEW deliveries AS SELECT timestamp, server, message_id, sender, subject, recipient,\n"
    "  recipient_status, event_id, connector_id, server_hostname AS next_hop, total_bytes\n"
    "FROM recipients WHERE event_id IN ('DELIVER', 'SEND');\n"
    FAILURES_VIEW
    HOPS_VIEW
    "CREATE VIEW smtp AS SELECT f.server AS server, f.path AS file, l.line AS line,\n"
    "  strftime('%Y-%m-%dT%H:%M:%fZ', l.time_ms / 1000.0, 'unixepoch') AS timestamp, l.time_ms AS time_ms,\n"
    "  coalesce(l.session_text, printf('%016X', l.session)) AS session_id, l.seq AS seq,\n"
    "  CASE l.direction WHEN 1 THEN 'receive' WHEN 2 THEN 'send' ELSE 'unknown' END AS direction,\n"
    "  c.value AS connector_id, le.value AS local_endpoint, re.value AS remote_endpoint, l.event AS event,\n"
    "  d.value AS data, x.value AS context\n"
    "FROM smtp_lines l JOIN files f ON f.id = l.file LEFT JOIN strs c ON c.id = l.connector_id\n"
    "  LEFT JOIN texts le ON le.id = l.local_endpoint LEFT JOIN texts re ON re.id = l.remote_endpoint\n"
    "  LEFT JOIN texts d ON d.id = l.data LEFT JOIN texts x ON x.id = l.context;\n"
    "CREATE VIEW sessions AS SELECT session_id, server, direction,\n"
    "  min(timestamp) AS start, max(timestamp) AS end,\n"
    "  max(remote_endpoint) AS remote_endpoint, max(local_endpoint) AS local_endpoint,\n"
    "  max(connector_id) AS connector_id, count(*) AS lines\n"
    "FROM smtp GROUP BY session_id, file;\n";

/* The indexes queries use. They are made with the tables, and dropped and
 * made again (a sort, much faster than growing them row by row) around a
 * first load into an empty index. A run killed in between leaves them
 * missing; the next writer makes them again before it adds anything. */
const char ix_query_indexes[] =
    "CREATE INDEX IF NOT EXISTS events_time ON events(time_ms);\n"
    "CREATE INDEX IF NOT EXISTS events_message ON events(message_id);\n"
    /* with the time: a sender's first events in time order come from the
     * index alone, without reading every row of the sender first */
    "DROP INDEX IF EXISTS events_sender;\n"
    "CREATE INDEX IF NOT EXISTS events_sender_time ON events(sender_address, time_ms);\n"
    "CREATE INDEX IF NOT EXISTS events_session ON events(session COLLATE NOCASE) WHERE session IS NOT NULL;\n"
    "CREATE INDEX IF NOT EXISTS rcpts_address ON rcpts(address);\n"
    "CREATE INDEX IF NOT EXISTS events_internal_id ON events(internal_message_id);\n"
    "CREATE INDEX IF NOT EXISTS smtp_lines_session ON smtp_lines(session);\n"
    /* rows come in line order, keys in no order: the index is made at the
     * end of a first load rather than kept in key order all along */
    "CREATE INDEX IF NOT EXISTS postfix_keys_key ON postfix_keys(key);\n";
/* The dictionaries' indexes (a string's id from its value). A first load
 * knows every string in memory (dict.c) and makes them at the end as well:
 * a new string's row is then an append, not an insert at a random place in
 * them (org-1G: ~3 -> ~1.5 us a string). */
const char ix_dict_indexes[] =
    "CREATE INDEX IF NOT EXISTS texts_h ON texts(h);\n"
    "CREATE INDEX IF NOT EXISTS addrs_value ON addrs(value COLLATE NOCASE);\n"
    "CREATE INDEX IF NOT EXISTS msgids_h ON msgids(h);\n";
const char ix_drop_dict_indexes[] =
    "DROP INDEX IF EXISTS texts_h; DROP INDEX IF EXISTS addrs_value; DROP INDEX IF EXISTS msgids_h;";
const char ix_drop_query_indexes[] =
    "DROP INDEX IF EXISTS events_time; DROP INDEX IF EXISTS events_message; DROP INDEX IF EXISTS events_sender; DROP INDEX IF EXISTS events_sender_time;"
    "DROP INDEX IF EXISTS events_session; DROP INDEX IF EXISTS rcpts_address; DROP INDEX IF EXISTS smtp_lines_session;"
    "DROP INDEX IF EXISTS events_internal_id; DROP INDEX IF EXISTS postfix_keys_key;";

int ix_exec(mt_index *ix, const char *sql, char *err, size_t errlen)
{
    char *msg = NULL;
    if (sqlite3_exec(ix->db, sql, NULL, NULL, &msg) != SQLITE_OK) {
        if (errlen)
            snprintf(err, errlen, "%s", msg ? msg : sqlite3_errmsg(ix->db));
        sqlite3_free(msg);
        return -1;
    }
    return 0;
}

int64_t ix_query_int(mt_index *ix, const char *sql, int64_t if_none)
{
    sqlite3_stmt *st;
    int64_t v = if_none;
    if (sqlite3_prepare_v2(ix->db, sql, -1, &st, NULL) != SQLITE_OK)
        return if_none;
    if (sqlite3_step(st) == SQLITE_ROW)
        v = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    return v;
}

int ix_prepare(mt_index *ix, const char *sql, sqlite3_stmt **st)
{
    return sqlite3_prepare_v3(ix->db, sql, -1, SQLITE_PREPARE_PERSISTENT, st, NULL) == SQLITE_OK ? 0 : -1;
}

static int user_version(mt_index *ix, int *v)
{
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(ix->db, "PRAGMA user_version", -1, &st, NULL) != SQLITE_OK)
        return -1;
    int rc = sqlite3_step(st);
    *v = rc == SQLITE_ROW ? sqlite3_column_int(st, 0) : 0;
    sqlite3_finalize(st);
    return rc == SQLITE_ROW ? 0 : -1;
}

static int table_count(mt_index *ix, int *n)
{
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(ix->db, "SELECT count(*) FROM sqlite_schema", -1, &st, NULL) != SQLITE_OK)
        return -1;
    int rc = sqlite3_step(st);
    *n = rc == SQLITE_ROW ? sqlite3_column_int(st, 0) : 0;
    sqlite3_finalize(st);
    return rc == SQLITE_ROW ? 0 : -1;
}

static int truncated(mt_index *ix, const char *path)
{
    char wal[4096];
    struct stat sb, wb;
    if ((size_t)snprintf(wal, sizeof wal, "%s-wal", path) >= sizeof wal || stat(path, &sb) != 0)
        return 0;
    if (stat(wal, &wb) == 0 && wb.st_size > 0)
        return 0;
    sqlite3_stmt *st;
    int64_t pages = 0, size = 0;
    if (sqlite3_prepare_v2(ix->db, "PRAGMA page_count", -1, &st, NULL) == SQLITE_OK) {
        if (sqlite3_step(st) == SQLITE_ROW)
            pages = sqlite3_column_int64(st, 0);
        sqlite3_finalize(st);
    }
    if (sqlite3_prepare_v2(ix->db, "PRAGMA page_size", -1, &st, NULL) == SQLITE_OK) {
        if (sqlite3_step(st) == SQLITE_ROW)
            size = sqlite3_column_int64(st, 0);
        sqlite3_finalize(st);
    }
    return pages > 0 && size > 0 && (int64_t)sb.st_size < pages * size;
}

static void remove_db_files(const char *path)
{
    static const char *const suffix[] = { "", "-wal", "-shm", "-journal" };
    for (size_t i = 0; i < sizeof suffix / sizeof *suffix; i++) {
        char p[4096];
        if ((size_t)snprintf(p, sizeof p, "%s%s", path, suffix[i]) < sizeof p)
            unlink(p);
    }
}

static mt_status create_schema(mt_index *ix, char *err, size_t errlen)
{
    char sql[256];
    snprintf(sql, sizeof sql,
             "INSERT INTO meta VALUES('schema_version', %d), ('created_by', 'mailtrail " MT_VERSION "');"
             "PRAGMA user_version = %d;",
             MT_INDEX_SCHEMA_VERSION, MT_INDEX_SCHEMA_VERSION);
    if (ix_exec(ix, "BEGIN IMMEDIATE", err, errlen))
        return MT_EIO;
    int v = 0;
    if (!user_version(ix, &v) && v != 0)   /* another writer made it while we waited for the lock */
        return ix_exec(ix, "COMMIT", err, errlen) ? MT_EIO : MT_OK;
    if (ix_exec(ix, schema_tables, err, errlen) || ix_exec(ix, schema_views, err, errlen) ||
        ix_exec(ix, ix_query_indexes, err, errlen) ||
        ix_exec(ix, sql, err, errlen)) {
        ix_exec(ix, "ROLLBACK", NULL, 0);
        return MT_EIO;
    }
    return ix_exec(ix, "COMMIT", err, errlen) ? MT_EIO : MT_OK;
}

/* Schema 1 -> 2: texts and msgids found by hash (texts lose their UNIQUE
 * constraint, kept by the single writer instead). The views name the
 * tables, so they are made again around the change. One transaction: an
 * upgrade killed half way leaves schema 1. */
static const char upgrade_1_to_2[] =
    "DROP VIEW IF EXISTS tracking; DROP VIEW IF EXISTS recipients; DROP VIEW IF EXISTS messages;"
    "DROP VIEW IF EXISTS deliveries; DROP VIEW IF EXISTS failures; DROP VIEW IF EXISTS hops;"
    "DROP VIEW IF EXISTS smtp; DROP VIEW IF EXISTS sessions;"
    "CREATE TABLE texts_2(id INTEGER PRIMARY KEY, value TEXT NOT NULL, h INTEGER NOT NULL);"
    "INSERT INTO texts_2 SELECT id, value, mailtrail_hash(value) FROM texts ORDER BY id;"
    "DROP TABLE texts; ALTER TABLE texts_2 RENAME TO texts; CREATE INDEX texts_h ON texts(h);"
    "CREATE TABLE msgids_2(id INTEGER PRIMARY KEY, value TEXT NOT NULL, h INTEGER NOT NULL);"
    "INSERT INTO msgids_2 SELECT id, value, mailtrail_hash(value) FROM msgids ORDER BY id;"
    "DROP TABLE msgids; ALTER TABLE msgids_2 RENAME TO msgids; CREATE INDEX msgids_h ON msgids(h);"
    "UPDATE meta SET value = 2 WHERE key = 'schema_version'; PRAGMA user_version = 2;";

/* Schema 2 -> 3: postfix_keys, filled from the Postfix lines kept. */
static const char upgrade_2_to_3[] =
    "CREATE TABLE postfix_keys(key INTEGER NOT NULL, file INTEGER NOT NULL, line INTEGER NOT NULL,"
    "  year INTEGER NOT NULL);"
    "UPDATE meta SET value = 3 WHERE key = 'schema_version'; PRAGMA user_version = 3;";

/* Schema 3 -> 4: the file list a reader loads at every start (mt_index_attach)
 * from an index of its own: the rows of `files` carry each file's header, and
 * reading them all cost a trace at 10 M events a tenth of its time. */
static const char upgrade_3_to_4[] =
    "CREATE INDEX IF NOT EXISTS files_list ON files(kind, path, server);"
    "UPDATE meta SET value = 4 WHERE key = 'schema_version'; PRAGMA user_version = 4;";

/* Schema 4 -> 5: the hops view also compares message ids (HOPS_VIEW). Views
 * live in the database, so an older index gets the new one here. */
static const char upgrade_4_to_5[] =
    "DROP VIEW IF EXISTS hops;" HOPS_VIEW
    "UPDATE meta SET value = 5 WHERE key = 'schema_version'; PRAGMA user_version = 5;";

/* Schema 5 -> 6: the failures view holds every recipient report counts as
 * failed (FAILURES_VIEW), not FAIL ones only. */
static const char upgrade_5_to_6[] =
    "DROP VIEW IF EXISTS failures;" FAILURES_VIEW
    "UPDATE meta SET value = 6 WHERE key = 'schema_version'; PRAGMA user_version = 6;";

static int upgrade(mt_index *ix, int from, char *err, size_t errlen)
{
    if (ix_exec(ix, "BEGIN IMMEDIATE", err, errlen))
        return -1;
    int failed = 0;
    if (from == 1)
        failed = ix_exec(ix, upgrade_1_to_2, err, errlen) || ix_exec(ix, schema_views, err, errlen);
    else if (from == 2 && !(failed = ix_exec(ix, upgrade_2_to_3, err, errlen)) && (failed = ix_pf_rekey(ix)))
        snprintf(err, errlen, "reading the Postfix lines again: %s", sqlite3_errmsg(ix->db));
    else if (from == 2)
        failed = ix_exec(ix, "CREATE INDEX IF NOT EXISTS postfix_keys_key ON postfix_keys(key)", err, errlen);
    else if (from == 3)
        failed = ix_exec(ix, upgrade_3_to_4, err, errlen);
    else if (from == 4)
        failed = ix_exec(ix, upgrade_4_to_5, err, errlen);
    else if (from == 5)
        failed = ix_exec(ix, upgrade_5_to_6, err, errlen);
    if (failed || ix_exec(ix, "COMMIT", err, errlen)) {
        ix_exec(ix, "ROLLBACK", NULL, 0);
        return -1;
    }
    return 0;
}

mt_status mt_index_open(const char *path, enum mt_index_mode mode, mt_index **out, char *err, size_t errlen)
{
    *out = NULL;
    if (errlen)
        err[0] = '\0';
    if (mode == MT_INDEX_REBUILD) {
        sqlite3 *lock;
        if (ix_rebuild_lock(path, &lock, err, errlen))
            return MT_EIO;
        remove_db_files(path);
        sqlite3_close_v2(lock);
    }
    if (mode == MT_INDEX_MEMORY)
        path = ":memory:";
    int snapshot = mode == MT_INDEX_SNAPSHOT;
    if (snapshot)
        mode = MT_INDEX_READ;
    if (mode == MT_INDEX_READ && access(path, F_OK) != 0) {
        snprintf(err, errlen, "%s: no such index (make one with: mailtrail index --db %s --logs DIR)", path, path);
        return MT_EINPUT;
    }
    mt_index *ix = calloc(1, sizeof *ix);
    if (!ix || !(ix->path = strdup(path))) {
        free(ix);
        return MT_EIO;
    }
    ix->writable = mode != MT_INDEX_READ;
    atomic_init(&ix->damage_said_here, 0);
    ix->damage_said = &ix->damage_said_here;
    ix_dict_init(&ix->dict[IX_STRS], "strs");
    ix_dict_init(&ix->dict[IX_TEXTS], "texts");
    ix_dict_init(&ix->dict[IX_ADDRS], "addrs");
    ix_dict_init(&ix->dict[IX_MSGIDS], "msgids");
    int flags = ix->writable ? SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE : SQLITE_OPEN_READONLY;
    if (sqlite3_open_v2(path, &ix->db, flags | SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK) {
        snprintf(err, errlen, "%s: cannot open: %s", path, ix->db ? sqlite3_errmsg(ix->db) : "out of memory");
        int writable = ix->writable;
        mt_index_close(ix);
        return writable ? MT_EIO : MT_EINPUT;
    }
    sqlite3_busy_timeout(ix->db, 10000);
    sqlite3_extended_result_codes(ix->db, 1);
    /* SQLite is built with the two-argument fts3_tokenizer(), which takes a
     * function pointer from SQL (and its one-argument form gives one away):
     * no statement of ours needs it, and mailtrail sql must not offer it. */
    sqlite3_db_config(ix->db, SQLITE_DBCONFIG_ENABLE_FTS3_TOKENIZER, 0, (int *)NULL);
    /* the read transaction begins with the first statement below */
    if (snapshot && sqlite3_exec(ix->db, "BEGIN", NULL, NULL, NULL) != SQLITE_OK) {
        snprintf(err, errlen, "%s: cannot open: %s", path, sqlite3_errmsg(ix->db));
        mt_index_close(ix);
        return MT_EINPUT;
    }
    sqlite3_create_function(ix->db, "mailtrail_hash", 1, SQLITE_UTF8 | SQLITE_DETERMINISTIC, NULL, sql_hash, NULL,
                            NULL);
    sqlite3_create_function(ix->db, "mailtrail_contains_text", 2, SQLITE_UTF8 | SQLITE_DETERMINISTIC, NULL,
                            sql_contains_text, NULL, NULL);
    sqlite3_create_function(ix->db, "mailtrail_status_code", 1, SQLITE_UTF8 | SQLITE_DETERMINISTIC, NULL,
                            sql_status_code, NULL, NULL);
    int v = 0, tables = 0;
    char why[512] = "";
    if (user_version(ix, &v) || table_count(ix, &tables)) {
        snprintf(err, errlen, "%s: not a mailtrail index, or damaged (%s); rebuild it with: mailtrail index --rebuild --db %s --logs ...",
                 path, sqlite3_errmsg(ix->db), path);
        mt_index_close(ix);
        return MT_EINPUT;
    }
    if (v > MT_INDEX_SCHEMA_VERSION) {
        snprintf(err, errlen, "%s: made by a newer mailtrail (schema %d; this one reads up to %d): upgrade mailtrail",
                 path, v, MT_INDEX_SCHEMA_VERSION);
        mt_index_close(ix);
        return MT_EINPUT;
    }
    /* read apart: another mailtrail may have made the index in between */
    if (v == 0 && tables > 0 && user_version(ix, &v) == 0 && v > MT_INDEX_SCHEMA_VERSION) {
        snprintf(err, errlen, "%s: made by a newer mailtrail (schema %d; this one reads up to %d): upgrade mailtrail",
                 path, v, MT_INDEX_SCHEMA_VERSION);
        mt_index_close(ix);
        return MT_EINPUT;
    }
    if (v == 0 && tables > 0) {
        snprintf(err, errlen, "%s: an SQLite database, but not a mailtrail index: give another --db", path);
        mt_index_close(ix);
        return MT_EINPUT;
    }
    if (v == 0) {
        if (!ix->writable) {
            snprintf(err, errlen, "%s: empty, not a mailtrail index yet", path);
            mt_index_close(ix);
            return MT_EINPUT;
        }
        /* 16 KiB pages: shallower trees and less per-page overhead for rows
         * of a few hundred bytes; must be set before the first table. */
        /* Another mailtrail may be making it at the same moment: ours then
         * finds it locked (some of SQLite's lock steps do not wait) or made
         * already; wait a little and go on with theirs. */
        int failed = 1;
        for (int attempt = 0; attempt < 200 && failed; attempt++) {
            int v2 = 0;
            if (attempt && !user_version(ix, &v2) && v2 > 0) {
                v = v2;
                failed = 0;
                break;
            }
            failed = (mode != MT_INDEX_MEMORY &&
                      ix_exec(ix, "PRAGMA page_size=16384; PRAGMA journal_mode=WAL", why, sizeof why)) ||
                     create_schema(ix, why, sizeof why) != MT_OK;
            if (!failed) {
                if (user_version(ix, &v))
                    failed = 1;
                break;
            }
            if ((sqlite3_extended_errcode(ix->db) & 0xff) != SQLITE_BUSY)
                break;
            struct timespec pause = { 0, 50 * 1000 * 1000 };
            nanosleep(&pause, NULL);
        }
        if (failed || v == 0) {
            snprintf(err, errlen, "%s: cannot create the index: %s", path, why[0] ? why : "unknown error");
            mt_index_close(ix);
            return MT_EIO;
        }
        if (v > MT_INDEX_SCHEMA_VERSION) {
            snprintf(err, errlen, "%s: made by a newer mailtrail (schema %d; this one reads up to %d): upgrade mailtrail",
                     path, v, MT_INDEX_SCHEMA_VERSION);
            mt_index_close(ix);
            return MT_EINPUT;
        }
    }
    /* Older schemas: the writer upgrades, one step per version; a reader
     * cannot write, and says how. */
    for (; v > 0 && v < MT_INDEX_SCHEMA_VERSION; v++) {
        if (!ix->writable && v >= MT_INDEX_SCHEMA_READABLE)
            break;     /* all there but what the next writer adds */
        if (!ix->writable) {
            snprintf(err, errlen, "%s: made by an older mailtrail (schema %d; this one reads %d to %d): the next "
                     "`mailtrail index --db %s --logs ...` upgrades it in place", path, v, MT_INDEX_SCHEMA_READABLE,
                     MT_INDEX_SCHEMA_VERSION, path);
            mt_index_close(ix);
            return MT_EINPUT;
        }
        if (upgrade(ix, v, why, sizeof why)) {
            snprintf(err, errlen, "%s: cannot upgrade from schema %d: %s", path, v, why);
            mt_index_close(ix);
            return MT_EIO;
        }
    }
    ix->schema = v;
    /* WAL: readers never block the writer; synchronous=NORMAL keeps every
     * commit safe against a killed process (only a power cut can lose the
     * last transactions, and even then the database stays consistent). */
    if (ix->writable && mode != MT_INDEX_MEMORY &&
        ix_exec(ix, "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL", why, sizeof why)) {
        snprintf(err, errlen, "%s: %s", path, why);
        mt_index_close(ix);
        return MT_EIO;
    }
    /* Readers map the file instead of copying pages into a cache: a query
     * touching a few thousand scattered rows costs page faults, not reads.
     * (The index file is never cut shorter while open: see truncated().)
     * SQLite maps at most 2 GB; pages past that are read into the cache,
     * kept small: in a large one each page a short query reads once lands
     * in freshly allocated memory, which costs more than the read (trace
     * and sender searches at 10 M events: -40 %). */
    if (ix->writable)
        ix_exec(ix, "PRAGMA cache_size=-65536", NULL, 0);   /* sorts for the indexes spill to temp files */
    else
        ix_exec(ix, "PRAGMA cache_size=-2048; PRAGMA temp_store=MEMORY; PRAGMA mmap_size=1099511627776", NULL, 0);
    /* A file shorter than its own page count says was cut (a copy that
     * stopped, a full disk): refuse it before anything reads a missing page.
     * Only when no write-ahead log is pending, whose pages are not in the
     * file yet. Damage inside the file is found when it is read (SQLite
     * checks every page it loads) and reported the same way; `index --check`
     * (MAILTRAIL_INDEX_CHECK) reads every page up front. */
    if (mode != MT_INDEX_MEMORY && truncated(ix, path)) {
        snprintf(err, errlen, "%s: the index is damaged (shorter than it should be); rebuild it with: "
                 "mailtrail index --rebuild --db %s --logs ...", path, path);
        mt_index_close(ix);
        return MT_EINPUT;
    }
    if (mode != MT_INDEX_MEMORY && getenv("MAILTRAIL_INDEX_CHECK")) {
        sqlite3_stmt *st;
        if (sqlite3_prepare_v2(ix->db, "PRAGMA quick_check(1)", -1, &st, NULL) == SQLITE_OK) {
            int ok = sqlite3_step(st) == SQLITE_ROW &&
                     !strcmp((const char *)sqlite3_column_text(st, 0) ? (const char *)sqlite3_column_text(st, 0) : "", "ok");
            sqlite3_finalize(st);
            if (!ok) {
                snprintf(err, errlen, "%s: the index is damaged; rebuild it with: mailtrail index --rebuild --db %s --logs ...",
                         path, path);
                mt_index_close(ix);
                return MT_EINPUT;
            }
        }
    }
    *out = ix;
    return MT_OK;
}

void mt_index_close(mt_index *ix)
{
    if (!ix)
        return;
    if (ix->db)
        ix_writer_let_go(ix);
    for (int i = 0; i < IX__NDICTS; i++)
        ix_dict_free(&ix->dict[i]);
    ZSTD_freeCCtx(ix->cctx);
    ZSTD_freeDCtx(ix->dctx);
    ZSTD_freeCDict(ix->cdict);
    ZSTD_freeDDict(ix->ddict);
    free(ix->rank);
    ix_attach_free(ix);
    ix_dict_cache_free(ix);
    if (ix->db) {
        sqlite3_stmt *st;
        while ((st = sqlite3_next_stmt(ix->db, NULL)) != NULL)
            sqlite3_finalize(st);
        sqlite3_close(ix->db);
    }
    free(ix->path);
    free(ix);
}
