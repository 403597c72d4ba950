/* SPDX-License-Identifier: MIT */
/* time.h -- timestamps: Exchange's UTC stamps, what admins type, time zones.
 *
 * All instants are int64 milliseconds since 1970-01-01T00:00:00Z (UTC).
 * Zones come from the system tz database (TZif files under /usr/share/zoneinfo,
 * or $TZDIR), read by mailtrail itself so that conversions are thread-safe and
 * never touch the process's TZ. Nothing here allocates except mt_tz_load. */
#ifndef MAILTRAIL_TIME_H
#define MAILTRAIL_TIME_H

#include <stdint.h>
#include <stddef.h>
#include <stdbool.h>
#include "status.h"

/* Parse Exchange's log stamp "YYYY-MM-DDThh:mm:ss[.f{1,7}]Z" exactly (digits
 * beyond milliseconds are truncated). Anything else fails.
 * On success stores the instant in *out and returns true; else false. */
bool mt_time_parse_log(const char *s, size_t n, int64_t *out);

typedef struct mt_tz mt_tz;

/* Load a zone: "UTC", "Z", a fixed offset "+02:00" / "-0530" / "UTC+2",
 * an IANA name ("Europe/Berlin"), or NULL/"" / "local" for the machine's
 * zone ($TZ if set, else /etc/localtime, else UTC).
 * On success *out owns a new zone (free with mt_tz_free); returns MT_OK.
 * Returns MT_EUSAGE for an unknown zone, with a reason in err (if errlen > 0). */
mt_status mt_tz_load(const char *name, mt_tz **out, char *err, size_t errlen);
void mt_tz_free(mt_tz *tz);
/* The zone's name as given (or resolved, for the local zone). */
const char *mt_tz_name(const mt_tz *tz);
/* UTC offset in seconds in effect at instant utc_ms (east of Greenwich positive). */
int32_t mt_tz_offset_at_utc(const mt_tz *tz, int64_t utc_ms);
/* The instant at which the wall-clock time local_ms (milliseconds since the
 * epoch, as if the wall clock were UTC) occurs in tz. For a time that occurs
 * twice (DST ends) the first is taken; for one that never occurs (DST starts)
 * the offset in effect just before the gap is used. */
int64_t mt_tz_local_to_utc(const mt_tz *tz, int64_t local_ms);
/* The same for a time a person typed, read as Get-MessageTrackingLog's .NET
 * conversion reads it: TimeZoneInfo.ConvertTimeToUtc takes a time that occurs
 * twice as standard time, so the second occurrence, after the clocks went
 * back, is taken. A time that never occurs (which .NET refuses) is read as
 * mt_tz_local_to_utc reads it, with the offset in force before the gap. */
int64_t mt_tz_typed_to_utc(const mt_tz *tz, int64_t local_ms);

/* Parse a time an administrator typed:
 *   ISO 8601: 2016-08-27, 2016-08-27T22:45, 2016-08-27 22:45:00,
 *             2016-08-27T22:45:00.123, with an optional Z or ±hh[:mm] zone;
 *   US form as Get-MessageTrackingLog takes it: 8/27/2016, 8/27/2016 10:45 PM,
 *             8/27/2016 10:45:00 PM, 8/27/2016 22:45:00 (AM/PM case-insensitive).
 * A time without a zone is read in tz (which must not be NULL), as
 * mt_tz_typed_to_utc reads it.
 * Returns true and stores the UTC instant in *out, or false if unparsable. */
bool mt_time_parse_user(const char *s, const mt_tz *tz, int64_t *out);

/* Format t_ms in tz as ISO 8601 with milliseconds into buf (at least 32 bytes):
 * UTC (tz NULL, or a zone with offset 0 named UTC) gives "2016-08-27T21:17:02.100Z",
 * any other zone gives "2016-08-27T23:17:02.100+02:00".
 * Returns the length written (excluding the NUL). */
size_t mt_time_format(int64_t t_ms, const mt_tz *tz, char *buf, size_t buflen);

/* Civil date helpers (proleptic Gregorian, UTC). */
int64_t mt_days_from_civil(int y, unsigned m, unsigned d);
void mt_civil_from_days(int64_t days, int *y, unsigned *m, unsigned *d);

#endif
