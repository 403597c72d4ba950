/* SPDX-License-Identifier: MIT */
/* io.h -- background writers for the simulator's output buffers.
 *
 * Copying gigabytes into the page cache costs more CPU than formatting them,
 * and the formatting threads are unevenly loaded (the server holding the
 * active database logs more). So full buffers are handed to a small pool of
 * I/O threads that pwrite(2) them at their file offset: order of completion
 * does not matter, the copying is spread over all cores, and it overlaps
 * with the model's serial phase. A file's descriptor is closed by whoever
 * drops its last reference (its log, or the job that wrote its last bytes). */
#ifndef MT_SIM_IO_H
#define MT_SIM_IO_H

#include <pthread.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#define SIM_IO_BUF (1u << 20)

struct sim_io_file {
    int fd;
    int refs;                /* the owning log + pending jobs (under io->mu) */
};

struct sim_io_job {
    struct sim_io_job *next;
    struct sim_io_file *f;
    uint64_t off;
    char *buf;
    size_t len;
};

struct sim_io {
    pthread_mutex_t mu;
    pthread_cond_t work, idle;
    struct sim_io_job *head, *tail, *free_jobs;
    char **free_bufs;
    size_t nfree, capbufs, nbufs;
    unsigned nthreads, running;
    pthread_t th[4];
    int stop;
    int err;                 /* errno of the first failed write/close */
    atomic_int failed;       /* err != 0, readable without the lock */
};

/* Start nthreads writers with nbufs buffers of SIM_IO_BUF bytes. */
int sim_io_start(struct sim_io *io, unsigned nthreads, size_t nbufs);
/* Wait for every queued write, stop the threads, free the buffers.
 * Returns 0, or -1 if any write or close failed. */
int sim_io_stop(struct sim_io *io);
/* A free buffer (waits for one); NULL when out of memory. */
char *sim_io_buf(struct sim_io *io);
void sim_io_put_buf(struct sim_io *io, char *buf);
/* Queue buf[0..len) for f at off; the buffer goes back to the pool after. */
int sim_io_write(struct sim_io *io, struct sim_io_file *f, uint64_t off, char *buf, size_t len);
/* A new file reference for fd (refs = 1). */
struct sim_io_file *sim_io_file(struct sim_io *io, int fd);
/* Drop the owner's reference; closes fd once no write is pending. */
void sim_io_release(struct sim_io *io, struct sim_io_file *f);

#endif
