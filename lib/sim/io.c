/* SPDX-License-Identifier: MIT */
/* io.c -- the simulator's pool of background pwrite(2) threads.
 *
 * One mutex guards the job queue, the buffer free list and file reference
 * counts; the lock is taken once per megabyte, so contention is nil. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "io.h"

static void file_unref_locked(struct sim_io *io, struct sim_io_file *f)
{
    if (--f->refs == 0) {
        if (close(f->fd) != 0 && !io->err) {
            io->err = errno;
            atomic_store(&io->failed, 1);
        }
        free(f);
    }
}

static void *io_main(void *arg)
{
    struct sim_io *io = arg;
    pthread_mutex_lock(&io->mu);
    for (;;) {
        while (!io->head && !io->stop)
            pthread_cond_wait(&io->work, &io->mu);
        if (!io->head)
            break;
        struct sim_io_job *j = io->head;
        io->head = j->next;
        if (!io->head)
            io->tail = NULL;
        io->running++;
        pthread_mutex_unlock(&io->mu);

        int e = 0;
        size_t done = 0;
        while (done < j->len) {
            ssize_t w = pwrite(j->f->fd, j->buf + done, j->len - done, (off_t)(j->off + done));
            if (w < 0) {
                if (errno == EINTR)
                    continue;
                e = errno;
                break;
            }
            done += (size_t)w;
        }

        pthread_mutex_lock(&io->mu);
        io->running--;
        if (e && !io->err) {
            io->err = e;
            atomic_store(&io->failed, 1);
        }
        io->free_bufs[io->nfree++] = j->buf;
        file_unref_locked(io, j->f);
        j->next = io->free_jobs;
        io->free_jobs = j;
        pthread_cond_broadcast(&io->idle);
    }
    pthread_mutex_unlock(&io->mu);
    return NULL;
}

int sim_io_start(struct sim_io *io, unsigned nthreads, size_t nbufs)
{
    memset(io, 0, sizeof *io);
    atomic_init(&io->failed, 0);
    if (nthreads > 4)
        nthreads = 4;
    io->free_bufs = calloc(nbufs, sizeof *io->free_bufs);
    if (!io->free_bufs)
        return -1;
    io->capbufs = nbufs;
    for (size_t i = 0; i < nbufs; i++) {
        io->free_bufs[i] = malloc(SIM_IO_BUF);
        if (!io->free_bufs[i]) {
            io->nfree = io->nbufs = i;
            sim_io_stop(io);
            return -1;
        }
    }
    io->nfree = io->nbufs = nbufs;
    pthread_mutex_init(&io->mu, NULL);
    pthread_cond_init(&io->work, NULL);
    pthread_cond_init(&io->idle, NULL);
    for (unsigned i = 0; i < nthreads; i++) {
        if (pthread_create(&io->th[i], NULL, io_main, io) != 0)
            break;
        io->nthreads++;
    }
    return io->nthreads ? 0 : -1;
}

int sim_io_stop(struct sim_io *io)
{
    if (io->nthreads) {
        pthread_mutex_lock(&io->mu);
        io->stop = 1;
        pthread_cond_broadcast(&io->work);
        pthread_mutex_unlock(&io->mu);
        for (unsigned i = 0; i < io->nthreads; i++)
            pthread_join(io->th[i], NULL);
        pthread_mutex_destroy(&io->mu);
        pthread_cond_destroy(&io->work);
        pthread_cond_destroy(&io->idle);
        io->nthreads = 0;
    }
    for (size_t i = 0; i < io->nfree; i++)
        free(io->free_bufs[i]);
    free(io->free_bufs);
    io->free_bufs = NULL;
    while (io->free_jobs) {
        struct sim_io_job *j = io->free_jobs;
        io->free_jobs = j->next;
        free(j);
    }
    return io->err ? -1 : 0;
}

char *sim_io_buf(struct sim_io *io)
{
    pthread_mutex_lock(&io->mu);
    while (!io->nfree && (io->head || io->running))
        pthread_cond_wait(&io->idle, &io->mu);
    char *b = io->nfree ? io->free_bufs[--io->nfree] : NULL;
    pthread_mutex_unlock(&io->mu);
    return b;
}

void sim_io_put_buf(struct sim_io *io, char *buf)
{
    pthread_mutex_lock(&io->mu);
    io->free_bufs[io->nfree++] = buf;
    pthread_cond_broadcast(&io->idle);
    pthread_mutex_unlock(&io->mu);
}

int sim_io_write(struct sim_io *io, struct sim_io_file *f, uint64_t off, char *buf, size_t len)
{
    pthread_mutex_lock(&io->mu);
    struct sim_io_job *j = io->free_jobs;
    if (j)
        io->free_jobs = j->next;
    else
        j = malloc(sizeof *j);
    if (!j) {
        io->free_bufs[io->nfree++] = buf;
        pthread_mutex_unlock(&io->mu);
        return -1;
    }
    *j = (struct sim_io_job){ NULL, f, off, buf, len };
    f->refs++;
    if (io->tail)
        io->tail->next = j;
    else
        io->head = j;
    io->tail = j;
    pthread_cond_signal(&io->work);
    pthread_mutex_unlock(&io->mu);
    return 0;
}

struct sim_io_file *sim_io_file(struct sim_io *io, int fd)
{
    (void)io;
    struct sim_io_file *f = malloc(sizeof *f);
    if (f) {
        f->fd = fd;
        f->refs = 1;
    }
    return f;
}

void sim_io_release(struct sim_io *io, struct sim_io_file *f)
{
    pthread_mutex_lock(&io->mu);
    file_unref_locked(io, f);
    pthread_mutex_unlock(&io->mu);
}
