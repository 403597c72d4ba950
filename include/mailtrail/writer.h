/* SPDX-License-Identifier: MIT */
/* writer.h -- events out: table, list, CSV, JSON.
 *
 * JSON (one object per line) and CSV are contracts documented in
 * docs/json-schema.md; table and list are for people, and what they show of
 * a log goes through mt_text_write. A writer writes to the FILE the caller
 * gives and never closes it. */
#ifndef MAILTRAIL_WRITER_H
#define MAILTRAIL_WRITER_H

#include <stdio.h>
#include "event.h"
#include "status.h"
#include "time.h"

enum mt_format { MT_FMT_TABLE, MT_FMT_LIST, MT_FMT_CSV, MT_FMT_JSON };

/* "table" (also "text"), "list", "csv", "json". Returns 0 on success. */
int mt_format_parse(const char *name, enum mt_format *out);

typedef struct mt_writer mt_writer;

/* tz: zone for timestamps, or NULL for UTC. Borrowed for the writer's life.
 * Returns NULL when out of memory. */
mt_writer *mt_writer_new(enum mt_format fmt, FILE *out, const mt_tz *tz);
/* Write one event. Returns MT_EIO when the stream reports an error. */
mt_status mt_writer_event(mt_writer *w, const struct mt_event *ev);
/* The event as one JSON object without the trailing newline, whatever the
 * writer's format: for embedding events in larger JSON documents. */
mt_status mt_writer_event_inline(mt_writer *w, const struct mt_event *ev);

struct mt_smtp_session;
/* Write one rebuilt SMTP session (session.h). The table has the columns
 * Start, Server, Dir, Session, Duration, Remote, TLS, Auth, MailFrom, Rcpt,
 * Outcome, Class; list prints every property; CSV and JSON are documented in
 * docs/json-schema.md. A writer holds either events or sessions, not both. */
mt_status mt_writer_session(mt_writer *w, const struct mt_smtp_session *s);

/* Where the SMTP session of an event is known from elsewhere (a SEND's send
 * session, from the protocol logs), lookup returns it, or an empty slice.
 * What the event itself says (a source-context starting with the session id:
 * a RECEIVE's, some SENDs') wins: lookup is asked only for the others. */
typedef mt_slice (*mt_session_lookup_fn)(const struct mt_event *ev, void *user);
void mt_writer_set_session_lookup(mt_writer *w, mt_session_lookup_fn lookup, void *user);

/* What a writer's records are: the columns of its CSV header row. */
enum mt_record_kind { MT_RECORD_EVENTS, MT_RECORD_SESSIONS };
/* CSV: the header row of kind, unless it is out already (the first record
 * writes it). A result with no record is still a table with columns to a
 * CSV reader, and an empty file is not one. Nothing in the other formats:
 * JSON is one object per line, so no line is an empty result; table and
 * list are for people. MT_EIO when the stream reports an error. */
mt_status mt_writer_header(mt_writer *w, enum mt_record_kind kind);

/* Flush; returns MT_EIO if anything failed to be written. */
mt_status mt_writer_end(mt_writer *w);
void mt_writer_free(mt_writer *w);

/* CSV cell rule shared by every CSV mailtrail writes: RFC 4180 quoting, and a
 * cell starting with = + - @ (or tab/CR) gets a leading ' so that a
 * spreadsheet shows it instead of running it. The cell is valid UTF-8 text
 * that a terminal only shows: a byte that is not UTF-8, NUL and the other C0
 * controls but tab, CR and LF, DEL, and the C1 controls U+0080..U+009F are
 * each written as one U+FFFD. */
void mt_csv_cell(FILE *out, mt_slice cell);
/* JSON string literal with quotes; invalid UTF-8 bytes become U+FFFD. */
void mt_json_string(FILE *out, mt_slice s);
/* Text from a log for a person to read on a terminal, the rule of every
 * human-readable output (table, list, trace, session, report text): written
 * as it is, except what a terminal would act on instead of showing or could
 * not show -- the C0 controls (tab and newline too), DEL, the C1 controls
 * U+0080..U+009F, the bidirectional marks and overrides that reorder a
 * line (U+061C, U+200E, U+200F, U+202A..U+202E, U+2066..U+2069), and bytes
 * that are not UTF-8 (mt_utf8_valid_len) -- each written as one U+FFFD. The
 * text then takes mt_display_width(s) cells. */
void mt_text_write(FILE *out, mt_slice s);

#endif
