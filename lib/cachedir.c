/* Files of ours in a directory of ours: see cachedir.h. */
#define _POSIX_C_SOURCE 200809L
#include "cachedir.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Whether st is ours and no one else's to write; why says what is wrong. */
static int
owned(const struct stat *st, const char *what, char *why, size_t whylen)
{
	if (st->st_uid != geteuid()) {
		snprintf(why, whylen, "%s is owned by uid %lu, not by uid %lu (who runs this)", what,
		    (unsigned long)st->st_uid, (unsigned long)geteuid());
		return 0;
	}
	if (st->st_mode & (S_IWGRP | S_IWOTH)) {
		snprintf(why, whylen, "%s can be written by %s", what,
		    st->st_mode & S_IWOTH ? "every user" : "its group");
		return 0;
	}
	return 1;
}

/* The whole of fd (at most max bytes) in a new buffer; NULL on error. */
char *
rp_read_all(int fd, size_t max, size_t *len)
{
	struct stat st;
	size_t cap = 65536, n = 0;
	char *b;

	/* One allocation for a regular file that does not grow meanwhile. */
	if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_size >= 0 &&
	    (uint64_t)st.st_size < max)
		cap = (size_t)st.st_size + 1;
	b = rp_xmalloc(cap);

	for (;;) {
		ssize_t k;
		if (n == cap) {
			if (cap >= max) {
				free(b);
				errno = EFBIG;
				return NULL;
			}
			cap *= 2;
			b = rp_xrealloc(b, cap);
		}
		k = read(fd, b + n, cap - n);
		if (k < 0 && errno == EINTR)
			continue;
		if (k < 0) {
			free(b);
			return NULL;
		}
		if (k == 0)
			break;
		n += (size_t)k;
	}
	if (n > max) {
		free(b);
		errno = EFBIG;
		return NULL;
	}
	*len = n;
	return b;
}

/* The cache directory, opened without following a link, if it is ours. */
int
rp_cachedir_open(const char *dir, char *why, size_t whylen)
{
	struct stat st;
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);

	if (fd < 0) {
		snprintf(why, whylen, "%s: %s", dir, strerror(errno));
		return -1;
	}
	if (fstat(fd, &st) != 0 || !S_ISDIR(st.st_mode) || !owned(&st, dir, why, whylen)) {
		if (why[0] == '\0')
			snprintf(why, whylen, "%s: not a directory", dir);
		close(fd);
		return -1;
	}
	return fd;
}

/* The entry's bytes if it is a regular file of ours; NULL (why) if not. */
char *
rp_cachedir_read(int dfd, const char *name, size_t max, size_t *len, char *why, size_t whylen)
{
	struct stat st;
	char *b;
	int fd = openat(dfd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);

	if (fd < 0) {
		snprintf(why, whylen, "%s: %s", name, strerror(errno));
		return NULL;
	}
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		snprintf(why, whylen, "%s: not a regular file", name);
		close(fd);
		return NULL;
	}
	if (!owned(&st, name, why, whylen)) {
		close(fd);
		return NULL;
	}
	b = rp_read_all(fd, max, len);
	if (b == NULL)
		snprintf(why, whylen, "%s: %s", name, strerror(errno));
	close(fd);
	return b;
}

/* Writes the entry as a temporary file renamed over name. */
int
rp_cachedir_write(int dfd, const char *name, const struct rp_buf *b, char *why, size_t whylen)
{
	char tmp[96];
	size_t off = 0;
	int fd;

	snprintf(tmp, sizeof(tmp), ".%s.%ld.tmp", name, (long)getpid());
	unlinkat(dfd, tmp, 0);
	fd = openat(dfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0) {
		snprintf(why, whylen, "%s: %s", tmp, strerror(errno));
		return -1;
	}
	while (off < b->len) {
		ssize_t k = write(fd, b->data + off, b->len - off);
		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0) {
			snprintf(why, whylen, "%s: %s", tmp, strerror(errno));
			close(fd);
			unlinkat(dfd, tmp, 0);
			return -1;
		}
		off += (size_t)k;
	}
	if (close(fd) != 0 || renameat(dfd, tmp, dfd, name) != 0) {
		snprintf(why, whylen, "%s: %s", name, strerror(errno));
		unlinkat(dfd, tmp, 0);
		return -1;
	}
	return 0;
}

int
rp_cachedir_each(int dfd, void (*fn)(int dfd, const char *name, void *arg), void *arg)
{
	struct dirent *d;
	int fd = dup(dfd);
	DIR *dp;

	if (fd < 0 || (dp = fdopendir(fd)) == NULL) {
		if (fd >= 0)
			close(fd);
		return -1;
	}
	while ((d = readdir(dp)) != NULL)
		if (strcmp(d->d_name, ".") != 0 && strcmp(d->d_name, "..") != 0)
			fn(dfd, d->d_name, arg);
	closedir(dp);
	return 0;
}
