/* SPDX-License-Identifier: MIT */
/* logfile.h -- one rotating, buffered output log of the simulator.
 *
 * A log is a family of files in one directory: Exchange-style daily files
 * with an instance number (PREFIXyyyymmdd-N.LOG, a new file when the UTC day
 * changes or when the next line would take the file past its size limit),
 * IIS daily files (u_exyymmdd.log), or one plain file (the Postfix maillog).
 * Each file begins with its header, written by a callback when the file is
 * created. Lines are formatted straight into a 1 MiB buffer; full buffers
 * go to the background writers (io.h), or straight to write(2) when the log
 * has no pool. */
#ifndef MT_SIM_LOGFILE_H
#define MT_SIM_LOGFILE_H

#include <stdint.h>
#include <stddef.h>
#include "io.h"

enum sim_naming {
    SIM_NAME_EXCHANGE,  /* PREFIXyyyymmdd-N.LOG */
    SIM_NAME_IIS,       /* u_exyymmdd.log, one per UTC day */
    SIM_NAME_SINGLE     /* exactly `prefix` */
};

struct sim_logfile;
/* Writes the file's header for a file created at ms into d; returns the end. */
typedef char *(*sim_header_fn)(char *d, int64_t ms, const void *arg);

struct sim_logfile {
    char dir[512];
    char prefix[32];
    enum sim_naming naming;
    uint64_t limit;          /* bytes per file, 0 = none */
    sim_header_fn header;
    const void *header_arg;

    struct sim_io *io;       /* NULL: write synchronously */
    struct sim_io_file *iof; /* the open file when io is set */
    int fd;                  /* -1: no file open yet */
    int64_t day;             /* UTC day of the open file */
    int64_t pending_ms;      /* stamp of the line being formatted */
    unsigned instance;       /* N in -N.LOG */
    uint64_t written;        /* bytes already in the open file */
    char *buf;
    size_t used, cap;
    uint64_t total;          /* bytes written over all files */
    unsigned files;          /* files created */
    int err;                 /* errno of the first failure, 0 if none */
};

/* Set up a log; nothing is created until the first line. io may be NULL.
 * Returns 0 or -1. */
int sim_log_init(struct sim_logfile *lf, struct sim_io *io, const char *dir, const char *prefix,
                 enum sim_naming naming, uint64_t limit, sim_header_fn header,
                 const void *header_arg);
/* Where to format a line stamped ms: opens the day's file if needed and
 * guarantees SIM_LINE_MAX bytes of room. NULL after an I/O error. */
char *sim_log_begin(struct sim_logfile *lf, int64_t ms);
/* The line formatted at the pointer from sim_log_begin ends at end. */
void sim_log_commit(struct sim_logfile *lf, char *end);
/* Flush and close. Returns 0, or -1 with lf->err set. */
int sim_log_close(struct sim_logfile *lf);

#endif
