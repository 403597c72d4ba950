/* SPDX-License-Identifier: MIT */
/* reader.h -- bytes of a log file, whatever it is stored as.
 *
 * Plain files are read with pread in large blocks (a log still being written
 * or rotated under us is read to the size it has; pread never moves a shared
 * offset and never SIGBUSes on truncation the way mmap would). gzip and zstd
 * copies are recognised by their magic bytes, not their names, and
 * decompressed as a stream, so memory stays flat whatever the size. */
#ifndef MT_FORMATS_READER_H
#define MT_FORMATS_READER_H

#include <stddef.h>
#include <stdint.h>
#include "mailtrail/status.h"

/* Small enough to stay in L2 between the kernel's copy and our scan: with
 * 256 KiB blocks a selective search ran at half the speed (bench, 2026-11-22). */
#define MT_READ_BLOCK (64u * 1024u)

enum mt_compression { MT_COMP_NONE, MT_COMP_GZIP, MT_COMP_ZSTD };

typedef struct mt_reader mt_reader;

/* Open path. On failure returns MT_EINPUT (or MT_EIO when out of memory) and
 * writes a reason (strerror-like) into err. */
mt_status mt_reader_open(const char *path, mt_reader **out, char *err, size_t errlen);
/* The same for a file already open (fd, left open: the reader reads a
 * duplicate of it from the start): what was opened once is read again
 * whatever its name has come to name since. */
mt_status mt_reader_open_fd(int fd, mt_reader **out, char *err, size_t errlen);
/* Read up to cap decompressed bytes into buf. *got == 0 means end of input.
 * Returns MT_EINPUT with a reason on a read or decompression error. */
mt_status mt_reader_read(mt_reader *r, char *buf, size_t cap, size_t *got, char *err, size_t errlen);
/* Up to cap decompressed bytes of r into b, fewer only at its end (a read
 * hands out what one block gave): 0, or -1 on an error. */
int mt_reader_fill(mt_reader *r, char *b, size_t cap, size_t *got);
/* Go n decompressed bytes forward from the current position, without
 * handing them out: a plain file just moves its pread offset; a compressed
 * one is decompressed through buf (cap bytes). MT_EINPUT when the input ends first. */
mt_status mt_reader_skip(mt_reader *r, uint64_t n, char *buf, size_t cap, char *err, size_t errlen);
enum mt_compression mt_reader_compression(const mt_reader *r);
/* Size of the file on disk when opened (compressed size for .gz/.zst). */
uint64_t mt_reader_file_size(const mt_reader *r);
void mt_reader_close(mt_reader *r);
/* The first decompressed bytes (up to cap) of a compressed file into buf:
 * how many; 0 when it is not compressed or cannot be read (it is reported
 * when it is read). How a .gz/.zst copy of a plain log is told. */
size_t mt_reader_compressed_head(const char *path, char *buf, size_t cap);
/* Whether the files at a and b hold the same raw bytes, to the end of both:
 * 1 yes, 0 no, -1 when one cannot be read (or no memory). How a copy of a
 * log (a folder copied twice) is told, after its size and head. */
int mt_reader_same_bytes(const char *a, const char *b);
/* How the content of a, as the readers give it (a .gz or .zst
 * decompressed), stands to b's, compared up to the end of the shorter:
 * MT_CONTENT_SAME, one a proper prefix of the other (A_SHORTER: a is b's
 * start), OTHER (they differ), or -1 when one cannot be read (or no
 * memory). How a compressed copy of a plain log is told from the log it
 * is a partial copy of. */
enum { MT_CONTENT_SAME, MT_CONTENT_A_SHORTER, MT_CONTENT_B_SHORTER, MT_CONTENT_OTHER };
int mt_reader_compare_content(const char *a, const char *b);
/* The decompressed size a compressed file states without being
 * decompressed, when it states one for all of it: a gzip file's ISIZE
 * (mod 2^32; only the last member's in a multi-member file, which the
 * caller compares with a size it knows, mod 2^32, never trusts alone), a
 * zstd file's frame content size when it is its only frame. 1 with *size
 * (*mod32 set for gzip), 0 when it states none (or is not compressed). */
int mt_reader_stated_size(const char *path, uint64_t *size, int *mod32);

/* Read path to its end and hand each block to feed(parser, ...), until
 * stopped(parser) or feed fails. Open and read errors are reported as
 * diag(name, 0, reason, duser) and give MT_EINPUT (blocks read before are fed);
 * feed's MT_EIO is returned as is. For the parsers' parse_file functions. */
typedef mt_status (*mt_feed_fn)(void *parser, const char *data, size_t n);
typedef int (*mt_stopped_fn)(void *parser);
struct mt_diag_sink {
    void (*diag)(const char *file, uint64_t line, const char *msg, void *user);
    void *user;
};
mt_status mt_reader_pump(const char *path, const char *name, void *parser, mt_feed_fn feed,
                         mt_stopped_fn stopped, struct mt_diag_sink sink);

#endif
