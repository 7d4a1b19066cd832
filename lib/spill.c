/* Triggers sent while Redis was out of reach, kept until recorded: see
 * spill.h. */
#define _POSIX_C_SOURCE 200809L
#include "spill.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cachedir.h"
#include "clcache.h"
#include "util.h"

#define HEADER "robopager unrecorded triggers 1\n"
#define PREFIX "unrecorded-"
#define SUFFIX ".spill"
/* No run sends this much: a larger file is not ours. */
#define MAX_SPILL ((size_t)16 << 20)

void
rp_spill_store_id(const struct rp_config *cfg, char *out, size_t n)
{
	if (cfg->redis_master_name != NULL)
		snprintf(out, n, "sentinel:%s/%ld %s", cfg->redis_master_name, cfg->redis_db,
		    cfg->redis_prefix);
	else
		snprintf(out, n, "%s:%ld/%ld %s", cfg->redis_server, cfg->redis_port,
		    cfg->redis_db, cfg->redis_prefix);
}

/* Whether s can stand in a line of the file. */
static int
plain(const char *s)
{
	return *s != '\0' && strpbrk(s, "\t\n") == NULL;
}

/* Whether name is a spill file's. */
static int
is_spill(const char *name)
{
	size_t n = strlen(name);

	return strncmp(name, PREFIX, strlen(PREFIX)) == 0 && n > strlen(PREFIX SUFFIX) &&
	    strcmp(name + n - strlen(SUFFIX), SUFFIX) == 0;
}

/* Whether b's lines already hold name and key (a trigger kept twice). */
static int
holds(const struct rp_buf *b, const char *name, const char *key)
{
	char *line = rp_xasprintf("\t%s\t%s\n", name, key);
	/* b is text, NUL-ended; a name has no tab, so the match is exact. */
	int found = b->len > 0 && strstr(b->data, line) != NULL;

	free(line);
	return found;
}

static void
put(struct rp_buf *b, time_t now, const char *name, const char *key)
{
	if (plain(name) && plain(key) && !holds(b, name, key))
		rp_buf_printf(b, "%lld\t%s\t%s\n", (long long)now, name, key);
}

enum { READ_OURS, READ_OTHER, READ_FAILED, READ_DAMAGED };

/* The spill file name of dfd into sp if it is store_id's (READ_OURS; free
 * sp); READ_OTHER for another store's or not a spill file, READ_FAILED if
 * it cannot be read (why), READ_DAMAGED if it does not parse. */
static int
read_spill(int dfd, const char *name, const char *store_id, struct rp_spill *sp, char *why,
    size_t whylen)
{
	size_t len;
	char *text;
	int parsed;

	if (!is_spill(name))
		return READ_OTHER;
	if ((text = rp_cachedir_read(dfd, name, MAX_SPILL, &len, why, whylen)) == NULL)
		return READ_FAILED;
	parsed = rp_spill_parse(text, len, sp);
	free(text);
	if (parsed != 0)
		return READ_DAMAGED;
	if (strcmp(sp->store, store_id) != 0) {
		rp_spill_free(sp);
		return READ_OTHER;
	}
	return READ_OURS;
}

/* What fold_one gathers: store_id's triggers onto b, the names of their
 * files in old (NUL-separated), to remove once b is written. */
struct fold {
	const char *store_id;
	struct rp_buf *b, *old;
};

/* One name of the directory, for rp_spill_write: an earlier file of its
 * store folded in (one it cannot read or parse is left for the merge to
 * say). */
static void
fold_one(int dfd, const char *name, void *arg)
{
	struct fold *f = arg;
	struct rp_spill sp;
	char why[256];
	size_t i;

	if (read_spill(dfd, name, f->store_id, &sp, why, sizeof(why)) != READ_OURS)
		return;
	for (i = 0; i < sp.n; i++)
		put(f->b, sp.v[i].now, sp.v[i].name, sp.v[i].dedup_key);
	rp_buf_append(f->old, name, strlen(name) + 1);
	rp_spill_free(&sp);
}

/* Files this process wrote: with the time and the pid, a name of its own. */
static unsigned written;

int
rp_spill_write(const char *dir, const char *store_id, time_t now, const struct rp_sent *v,
    size_t n, char *why, size_t whylen)
{
	struct rp_buf b = {0}, lines = {0}, old = {0};
	struct fold f;
	char name[96];
	size_t i, off;
	int dfd, rc;

	if (dir == NULL) {
		snprintf(why, whylen, "no cache directory ([robopager] cache_dir)");
		return -1;
	}
	if ((dfd = rp_cachedir_open(dir, why, whylen)) < 0)
		return -1;
	/* The earlier first: a trigger kept twice keeps its first time. */
	f.store_id = store_id;
	f.b = &lines;
	f.old = &old;
	rp_cachedir_each(dfd, fold_one, &f);
	for (i = 0; i < n; i++)
		put(&lines, now, v[i].name, v[i].dedup_key);
	rp_buf_printf(&b, HEADER "store %s\n", store_id);
	if (lines.len > 0)
		rp_buf_append(&b, lines.data, lines.len);
	rp_buf_printf(&b, "end\n");
	snprintf(name, sizeof(name), PREFIX "%lld-%ld-%u" SUFFIX, (long long)time(NULL),
	    (long)getpid(), written++);
	rc = rp_cachedir_write(dfd, name, &b, why, whylen);
	/* Folded in: the earlier files go, once this one is there. */
	for (off = 0; rc == 0 && off < old.len; off += strlen(old.data + off) + 1)
		if (strcmp(old.data + off, name) != 0)
			unlinkat(dfd, old.data + off, 0);
	close(dfd);
	rp_buf_free(&b);
	rp_buf_free(&lines);
	rp_buf_free(&old);
	return rc;
}

/* The line at *p (up to its newline, which becomes a NUL); NULL at the end
 * or for a line without a newline. */
static char *
line(char **p, char *end)
{
	char *s = *p, *nl;

	if (s >= end || (nl = memchr(s, '\n', (size_t)(end - s))) == NULL)
		return NULL;
	*nl = '\0';
	*p = nl + 1;
	return s;
}

/* One trigger's line, "<time>\t<name>\t<key>", into e; -1 if malformed. */
static int
entry(char *l, struct rp_spill_entry *e)
{
	char *t1 = strchr(l, '\t'), *t2, *end;
	long long t;

	if (t1 == NULL || (t2 = strchr(t1 + 1, '\t')) == NULL || strchr(t2 + 1, '\t') != NULL ||
	    t2 == t1 + 1 || t2[1] == '\0' || *l < '0' || *l > '9')
		return -1;
	*t1 = *t2 = '\0';
	t = strtoll(l, &end, 10);
	if (*end != '\0' || t <= 0)
		return -1;
	e->now = (time_t)t;
	e->name = t1 + 1;
	e->dedup_key = t2 + 1;
	return 0;
}

int
rp_spill_parse(const char *text, size_t len, struct rp_spill *sp)
{
	char *p, *end, *l;
	struct rp_spill_entry e;

	memset(sp, 0, sizeof(*sp));
	if (len < strlen(HEADER) || memcmp(text, HEADER, strlen(HEADER)) != 0 ||
	    memchr(text, '\0', len) != NULL)
		return -1;
	sp->text = rp_xmalloc(len + 1);
	memcpy(sp->text, text, len);
	sp->text[len] = '\0';
	p = sp->text + strlen(HEADER);
	end = sp->text + len;
	if ((l = line(&p, end)) == NULL || strncmp(l, "store ", 6) != 0 || l[6] == '\0')
		goto bad;
	sp->store = l + 6;
	while ((l = line(&p, end)) != NULL && strcmp(l, "end") != 0) {
		if (entry(l, &e) != 0)
			goto bad;
		sp->v = rp_xrealloc(sp->v, (sp->n + 1) * sizeof(*sp->v));
		sp->v[sp->n++] = e;
	}
	/* Whole: ends with its end line, nothing after. */
	if (l == NULL || p != end)
		goto bad;
	return 0;
bad:
	rp_spill_free(sp);
	return -1;
}

void
rp_spill_free(struct rp_spill *sp)
{
	free(sp->v);
	free(sp->text);
	memset(sp, 0, sizeof(*sp));
}

/* What merge_one needs and adds up. */
struct merge {
	const char *store_id;
	struct rp_store *s;
	const struct rp_run_rec *run;
	long total;
	int failed;
	char *why;
	size_t whylen;
};

/* One name of the directory, for rp_spill_merge: a file of its store
 * recorded, then removed; a damaged one set aside, said once, never read
 * again. */
static void
merge_one(int dfd, const char *name, void *arg)
{
	struct merge *m = arg;
	struct rp_spill sp;
	struct rp_err err;
	struct rp_sent one;
	char aside[128];
	size_t i;
	int r = read_spill(dfd, name, m->store_id, &sp, m->why, m->whylen);

	if (r == READ_DAMAGED) {
		snprintf(aside, sizeof(aside), "%s.damaged", name);
		renameat(dfd, name, dfd, aside);
		snprintf(m->why, m->whylen, "%s: damaged, its triggers not recorded", aside);
	}
	if (r != READ_OURS) {
		m->failed |= r != READ_OTHER;
		return;
	}
	/* One at a time: each has its own time (files are rare, and small). */
	for (i = 0; i < sp.n; i++) {
		one.name = sp.v[i].name;
		one.dedup_key = sp.v[i].dedup_key;
		if (rp_store_record_sent(m->s, &one, 1, sp.v[i].now, m->run, &err) != 0) {
			snprintf(m->why, m->whylen, "%s", err.msg);
			m->failed = 1;
			rp_spill_free(&sp);
			return;
		}
	}
	m->total += (long)sp.n;
	rp_spill_free(&sp);
	unlinkat(dfd, name, 0);
}

long
rp_spill_merge(const char *dir, const char *store_id, struct rp_store *s,
    const struct rp_run_rec *run, char *why, size_t whylen)
{
	struct merge m = {store_id, s, run, 0, 0, why, whylen};
	int dfd;

	if (dir == NULL)
		return 0;
	if ((dfd = rp_cachedir_open(dir, why, whylen)) < 0)
		return 0; /* no directory of ours: nothing could have been kept */
	rp_cachedir_each(dfd, merge_one, &m);
	close(dfd);
	return m.failed ? -1 : m.total;
}

/* cfg's cache directory, its name copied into where (size wherelen; ""
 * for none), and cfg's store into id (size idlen). */
static const char *
dir_and_store(const struct rp_config *cfg, char *where, size_t wherelen, char *id, size_t idlen)
{
	const char *dir = rp_clcache_dir(cfg->cache_dir, where, wherelen);

	if (dir != where)
		snprintf(where, wherelen, "%s", dir != NULL ? dir : "");
	rp_spill_store_id(cfg, id, idlen);
	return dir;
}

long
rp_spill_flush(const struct rp_config *cfg, struct rp_store *s, char *where, size_t wherelen,
    char *why, size_t whylen)
{
	char id[512];
	const char *dir = dir_and_store(cfg, where, wherelen, id, sizeof(id));

	return rp_spill_merge(dir, id, s, NULL, why, whylen);
}

int
rp_spill_keep(const struct rp_config *cfg, time_t now, const struct rp_sent *v, size_t n,
    char *where, size_t wherelen, char *why, size_t whylen)
{
	char id[512];
	const char *dir = dir_and_store(cfg, where, wherelen, id, sizeof(id));

	return rp_spill_write(dir, id, now, v, n, why, whylen);
}
