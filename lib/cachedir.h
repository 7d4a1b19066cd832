/*
 * cachedir: files a program keeps for itself between runs outside Redis
 * (the parsed checklist, triggers sent while Redis was out of reach), in
 * a directory that must be ours: not a symbolic link, owned by the
 * effective user and writable by no one else; each file a regular file
 * with the same rules, written as a temporary file renamed over it. Not a
 * way in: anything else is refused, with the reason in why.
 */
#ifndef RP_CACHEDIR_H
#define RP_CACHEDIR_H

#include <stddef.h>

#include "util.h"

/* The directory opened (O_DIRECTORY, no link followed) if it is ours; -1
 * (why, size whylen) if not. */
int rp_cachedir_open(const char *dir, char *why, size_t whylen);

/* The bytes of name in dfd (at most max) if it is a regular file of ours;
 * NULL (why) if not. Free it. */
char *rp_cachedir_read(int dfd, const char *name, size_t max, size_t *len, char *why,
    size_t whylen);

/* Writes b as name in dfd: a temporary file, renamed. 0, or -1 (why). */
int rp_cachedir_write(int dfd, const char *name, const struct rp_buf *b, char *why,
    size_t whylen);

/* Calls fn for each name in dfd (but . and ..), in the directory's order;
 * fn may remove the name it is given. -1 if the directory cannot be read. */
int rp_cachedir_each(int dfd, void (*fn)(int dfd, const char *name, void *arg), void *arg);

/* The whole of fd (at most max bytes) in a new buffer; NULL on error
 * (errno; EFBIG past max). */
char *rp_read_all(int fd, size_t max, size_t *len);

#endif
