/* SPDX-License-Identifier: MIT */
/* gen.h -- the organisation simulator behind `mailtrail gen`.
 *
 * Writes the logs a simulated Exchange organisation (a DAG of multi-role
 * servers, a load balancer in front, a Postfix smart host behind) would have
 * written, plus ground-truth.jsonl with the right answer for every message.
 * The output is synthetic and says so (DIR/README). Same options and seed give
 * byte-identical output. */
#ifndef MAILTRAIL_GEN_H
#define MAILTRAIL_GEN_H

#include <stdint.h>
#include "status.h"

struct mt_gen_opts {
    const char *out_dir;        /* created if missing */
    unsigned servers;           /* number of Exchange servers, >= 1; 0 means 2 */
    unsigned days;              /* days of traffic; 0 means 1 */
    uint64_t messages_per_day;  /* 0: derived from size_bytes, else a default */
    uint64_t size_bytes;        /* approximate total size of the tracking logs; 0: unused */
    int version;                /* 2007, 2010, 2013, 2016 or 2019; 0 means 2016 */
    uint64_t seed;              /* PRNG seed */
    const char *start_date;     /* first day, "YYYY-MM-DD" (UTC); NULL means 2016-08-27 */
    unsigned stuck_rate;        /* of 1000 messages near the end, how many never finish
                                 * by the end of the logs (0..1000); 0: none, and the
                                 * output is what it was before this option existed */
};

/* Generate into o->out_dir. Returns MT_OK, MT_EUSAGE for bad options or
 * MT_EIO when a file cannot be written, with a reason in err. */
mt_status mt_gen_run(const struct mt_gen_opts *o, char *err, size_t errlen);

#endif
