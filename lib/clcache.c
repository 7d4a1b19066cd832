/* The cache of the parsed checklist: see clcache.h. */
#define _DEFAULT_SOURCE /* le64toh */
#include <endian.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cachedir.h"
#include "clcache.h"

#ifndef RP_VERSION
#define RP_VERSION "dev"
#endif

/* Bumped whenever the layout below or struct rp_check's meaning changes. */
#define FORMAT 1
static const char MAGIC[8] = {'R', 'P', 'C', 'L', 'C', 'A', 'C', 'H'};
static const char TRAILER[4] = {'E', 'N', 'D', '.'};
#define NO_STRING UINT32_MAX
/* Entries beyond this are not read: no checklist comes near it. */
#define MAX_ENTRY ((size_t)1 << 30)

/* Writing: integers little-endian, fixed width; strings a 32-bit length
 * (NO_STRING for NULL) and their bytes. */
static void
put_u64(struct rp_buf *b, uint64_t v)
{
	unsigned char x[8];
	int i;

	for (i = 0; i < 8; i++)
		x[i] = (unsigned char)(v >> (8 * i));
	rp_buf_append(b, x, 8);
}

static void
put_u32(struct rp_buf *b, uint32_t v)
{
	unsigned char x[4];
	int i;

	for (i = 0; i < 4; i++)
		x[i] = (unsigned char)(v >> (8 * i));
	rp_buf_append(b, x, 4);
}

static void
put_i64(struct rp_buf *b, long long v)
{
	put_u64(b, (uint64_t)v);
}

static void
put_str(struct rp_buf *b, const char *s)
{
	size_t n = s ? strlen(s) : 0;

	put_u32(b, s ? (uint32_t)n : NO_STRING);
	if (s)
		rp_buf_append(b, s, n);
}

static void
put_list(struct rp_buf *b, char *const *v, size_t n)
{
	size_t i;

	put_u64(b, n);
	for (i = 0; i < n; i++)
		put_str(b, v[i]);
}

static void
put_check(struct rp_buf *b, const struct rp_check *c)
{
	size_t i;

	put_str(b, c->name);
	put_u32(b, (uint32_t)c->type);
	put_i64(b, c->line);
	put_str(b, c->pd_description);
	put_str(b, c->pd_service);
	put_list(b, c->notify, c->nnotify);
	put_i64(b, c->notify_line);
	put_i64(b, c->check_time);
	put_i64(b, c->poll_sec);
	put_i64(b, c->unknown_after);
	put_str(b, c->wf_name);
	put_i64(b, c->latency_min);
	put_i64(b, c->warn_pct);
	put_str(b, c->dag_id);
	put_str(b, c->url);
	put_str(b, c->completion);
	put_str(b, c->state);
	put_list(b, c->failure_values, c->nfailure_values);
	put_str(b, c->started);
	put_str(b, c->auth);
	put_i64(b, c->auth_line);
	put_u32(b, c->schedule != NULL);
	if (c->schedule != NULL) {
		const struct rp_cron *k = c->schedule;
		put_u64(b, k->minutes);
		put_u32(b, k->hours);
		put_u32(b, k->mdays);
		put_u32(b, k->months);
		put_u32(b, k->wdays);
		put_u32(b, k->mday_star);
		put_u32(b, k->wday_star);
		put_str(b, k->expr);
	}
	put_i64(b, c->period);
	put_i64(b, c->grace);
	put_i64(b, c->max_runtime);
	put_u32(b, c->days);
	put_u64(b, c->nskip_dates);
	for (i = 0; i < c->nskip_dates; i++)
		put_i64(b, c->skip_dates[i]);
	put_i64(b, c->until);
	put_list(b, c->senders, c->nsenders);
	put_list(b, c->subjects, c->nsubjects);
	put_i64(b, c->delivery_time);
	put_u32(b, (uint32_t)c->subject_match);
}

void
rp_clcache_encode(const struct rp_checklist *cl, const char *stamp, const char *content,
    size_t clen, struct rp_buf *out)
{
	size_t i;

	rp_buf_append(out, MAGIC, sizeof(MAGIC));
	put_u32(out, FORMAT);
	put_str(out, stamp);
	put_u64(out, clen);
	rp_buf_append(out, content, clen);
	put_u64(out, cl->n);
	for (i = 0; i < cl->n; i++)
		put_check(out, &cl->checks[i]);
	rp_buf_append(out, TRAILER, sizeof(TRAILER));
}

/* Reading: every get checks what is left and fails for good once short. */
struct rd {
	const unsigned char *p;
	size_t left;
	int bad;
};

static const unsigned char *
take(struct rd *r, size_t n)
{
	const unsigned char *p = r->p;

	if (r->bad || n > r->left) {
		r->bad = 1;
		return NULL;
	}
	r->p += n;
	r->left -= n;
	return p;
}

static uint64_t
get_u64(struct rd *r)
{
	const unsigned char *x = take(r, 8);
	uint64_t v;

	if (x == NULL)
		return 0;
	memcpy(&v, x, 8);
	return le64toh(v);
}

static uint32_t
get_u32(struct rd *r)
{
	const unsigned char *x = take(r, 4);
	uint32_t v;

	if (x == NULL)
		return 0;
	memcpy(&v, x, 4);
	return le32toh(v);
}

/* A signed value in [min, max]; else the entry is bad. */
static long long
get_i64(struct rd *r, long long min, long long max)
{
	long long v = (long long)get_u64(r);

	if (v < min || v > max)
		r->bad = 1;
	return r->bad ? 0 : v;
}

static int
get_int(struct rd *r)
{
	return (int)get_i64(r, -2147483647LL - 1, 2147483647LL);
}

static long
get_long(struct rd *r)
{
	return (long)get_i64(r, LONG_MIN, LONG_MAX);
}

/* A string (NULL allowed when nullable) without NUL bytes. */
static char *
get_str(struct rd *r, int nullable)
{
	uint32_t n = get_u32(r);
	const unsigned char *x;

	if (r->bad)
		return NULL;
	if (n == NO_STRING) {
		if (!nullable)
			r->bad = 1;
		return NULL;
	}
	if ((x = take(r, n)) == NULL)
		return NULL;
	if (memchr(x, '\0', n) != NULL) {
		r->bad = 1;
		return NULL;
	}
	return rp_xstrndup((const char *)x, n);
}

/* A count of items of at least min bytes each, that the rest can hold. */
static size_t
get_count(struct rd *r, size_t min)
{
	uint64_t n = get_u64(r);

	if (r->bad || n > r->left / min) {
		r->bad = 1;
		return 0;
	}
	return (size_t)n;
}

static char **
get_list(struct rd *r, size_t *nout)
{
	size_t i, n = get_count(r, 4);
	char **v;

	*nout = 0;
	if (r->bad || n == 0)
		return NULL;
	v = rp_xcalloc(n, sizeof(*v));
	for (i = 0; i < n && !r->bad; i++)
		v[i] = get_str(r, 0);
	*nout = n;
	return v;
}

static void
get_check(struct rd *r, struct rp_check *c)
{
	size_t i;
	uint32_t u;

	c->name = get_str(r, 0);
	u = get_u32(r);
	if (u > RP_CHECK_PING)
		r->bad = 1;
	c->type = (enum rp_check_type)u;
	c->line = get_int(r);
	c->pd_description = get_str(r, 1);
	c->pd_service = get_str(r, 1);
	c->notify = get_list(r, &c->nnotify);
	c->notify_line = get_int(r);
	c->check_time = (int)get_i64(r, 0, 24 * 60 - 1);
	c->poll_sec = get_long(r);
	c->unknown_after = get_long(r);
	c->wf_name = get_str(r, 1);
	c->latency_min = get_long(r);
	c->warn_pct = get_long(r);
	c->dag_id = get_str(r, 1);
	c->url = get_str(r, 1);
	c->completion = get_str(r, 1);
	c->state = get_str(r, 1);
	c->failure_values = get_list(r, &c->nfailure_values);
	c->started = get_str(r, 1);
	c->auth = get_str(r, 1);
	c->auth_line = get_int(r);
	u = get_u32(r);
	if (u > 1)
		r->bad = 1;
	if (u == 1 && !r->bad) {
		struct rp_cron *k = rp_xcalloc(1, sizeof(*k));
		char *expr;
		c->schedule = k;
		k->minutes = get_u64(r);
		k->hours = get_u32(r);
		k->mdays = get_u32(r);
		u = get_u32(r);
		k->months = (uint16_t)u;
		r->bad |= u > UINT16_MAX;
		u = get_u32(r);
		k->wdays = (uint8_t)u;
		r->bad |= u > UINT8_MAX;
		u = get_u32(r);
		k->mday_star = (unsigned char)u;
		r->bad |= u > 1;
		u = get_u32(r);
		k->wday_star = (unsigned char)u;
		r->bad |= u > 1;
		expr = get_str(r, 0);
		if (expr != NULL && rp_strlcpy(k->expr, expr, sizeof(k->expr)) != 0)
			r->bad = 1;
		free(expr);
	}
	c->period = get_long(r);
	c->grace = get_long(r);
	c->max_runtime = get_long(r);
	c->days = get_u32(r);
	if (c->days > RP_EVERY_DAY)
		r->bad = 1;
	c->nskip_dates = get_count(r, 8);
	if (c->nskip_dates > 0 && !r->bad) {
		c->skip_dates = rp_xcalloc(c->nskip_dates, sizeof(*c->skip_dates));
		for (i = 0; i < c->nskip_dates; i++)
			c->skip_dates[i] = get_long(r);
	} else {
		c->nskip_dates = 0;
	}
	c->until = (int)get_i64(r, -1, 24 * 60);
	c->senders = get_list(r, &c->nsenders);
	c->subjects = get_list(r, &c->nsubjects);
	c->delivery_time = (int)get_i64(r, 0, 24 * 60 - 1);
	u = get_u32(r);
	if (u > RP_MATCH_CONTAINS)
		r->bad = 1;
	c->subject_match = (enum rp_match)u;
}

int
rp_clcache_decode(const void *buf, size_t n, const char *stamp, const char *content,
    size_t clen, const char *path, struct rp_checklist *cl)
{
	struct rd r = {buf, n, 0};
	const unsigned char *x;
	char *s;
	uint64_t len;
	size_t i, count;

	memset(cl, 0, sizeof(*cl));
	x = take(&r, sizeof(MAGIC));
	if (x == NULL || memcmp(x, MAGIC, sizeof(MAGIC)) != 0 || get_u32(&r) != FORMAT)
		return -1;
	s = get_str(&r, 0);
	if (s == NULL || (stamp != NULL && strcmp(s, stamp) != 0)) {
		free(s);
		return -1;
	}
	free(s);
	len = get_u64(&r);
	if (r.bad || len > r.left || (content != NULL && len != clen))
		return -1;
	x = take(&r, (size_t)len);
	if (x == NULL || (content != NULL && memcmp(x, content, clen) != 0))
		return -1;
	/* A check takes far more than 64 bytes; the rest must hold them. */
	count = get_count(&r, 64);
	if (r.bad)
		return -1;
	cl->path = rp_xstrdup(path);
	cl->checks = rp_xcalloc(count + 1, sizeof(*cl->checks));
	for (i = 0; i < count && !r.bad; i++) {
		get_check(&r, &cl->checks[i]);
		cl->n = i + 1;
	}
	x = take(&r, sizeof(TRAILER));
	if (r.bad || count == 0 || x == NULL || memcmp(x, TRAILER, sizeof(TRAILER)) != 0 ||
	    r.left != 0) {
		rp_checklist_free(cl);
		return -1;
	}
	return 0;
}

int
rp_clcache_stamp(char *out, size_t n)
{
	struct stat st;
	int k;

	if (stat("/proc/self/exe", &st) != 0)
		return -1;
	k = snprintf(out, n, "%s format %d exe %llu:%llu:%lld:%lld.%09ld", RP_VERSION, FORMAT,
	    (unsigned long long)st.st_dev, (unsigned long long)st.st_ino, (long long)st.st_size,
	    (long long)st.st_mtim.tv_sec, (long)st.st_mtim.tv_nsec);
	return k < 0 || (size_t)k >= n ? -1 : 0;
}

const char *
rp_clcache_dir(const char *configured, char *out, size_t n)
{
	const char *env = getenv("CACHE_DIRECTORY");
	struct stat st;

	if (env != NULL && *env != '\0') {
		/* systemd lists several directories with ':'; the first is ours. */
		const char *colon = strchr(env, ':');
		size_t len = colon ? (size_t)(colon - env) : strlen(env);
		if (len == 0 || len >= n)
			return NULL;
		memcpy(out, env, len);
		out[len] = '\0';
		return out;
	}
	if (configured != NULL)
		return strcmp(configured, "none") == 0 || *configured == '\0' ? NULL : configured;
	if (lstat(RP_CLCACHE_DEFAULT_DIR, &st) != 0)
		return NULL;
	return RP_CLCACHE_DEFAULT_DIR;
}

/* FNV-1a of the path, the program and its stamp: the name of their entry
 * (robopager runs both checking programs in its own executable: their
 * entries and those of rp-latency-check and rp-email-check are apart). */
static void
entry_name(char *out, size_t n, const char *path, const char *program, const char *stamp)
{
	const char *part[3] = {path, program, stamp};
	uint64_t h = 1469598103934665603ULL;
	const char *s;
	int i;

	for (i = 0; i < 3; i++) {
		for (s = part[i]; *s; s++)
			h = (h ^ (unsigned char)*s) * 1099511628211ULL;
		h = (h ^ 0xffu) * 1099511628211ULL;
	}
	snprintf(out, n, "checklist-%016llx.cache", (unsigned long long)h);
}

/* Whether name is an entry (checklist-*.cache) or a temporary file a killed
 * writer left (.checklist-*.tmp). */
static int
is_ours(const char *name, int *tmp)
{
	size_t n = strlen(name);

	*tmp = name[0] == '.';
	if (*tmp)
		return strncmp(name, ".checklist-", 11) == 0 && n > 15 &&
		    strcmp(name + n - 4, ".tmp") == 0;
	return strncmp(name, "checklist-", 10) == 0 && n > 16 &&
	    strcmp(name + n - 6, ".cache") == 0;
}

/* The entries prune has seen, besides the one just written. */
struct seen {
	const char *kept;
	struct { char name[64]; struct timespec mtime; } e[RP_CLCACHE_ENTRIES];
	size_t n;
};

/* One name of the directory, for prune. */
static void
prune_one(int dfd, const char *name, void *arg)
{
	struct seen *sn = arg;
	struct stat st;
	size_t i, old;
	int tmp;

	if (!is_ours(name, &tmp) || strlen(name) >= sizeof(sn->e[0].name) ||
	    fstatat(dfd, name, &st, AT_SYMLINK_NOFOLLOW) != 0)
		return;
	if (tmp) {
		if (st.st_mtime < time(NULL) - 3600)
			unlinkat(dfd, name, 0);
		return;
	}
	if (strcmp(name, sn->kept) == 0)
		return;
	memcpy(sn->e[sn->n].name, name, strlen(name) + 1);
	sn->e[sn->n++].mtime = st.st_mtim;
	if (sn->n < RP_CLCACHE_ENTRIES)
		return;
	/* One too many besides kept: the oldest goes. */
	for (old = 0, i = 1; i < sn->n; i++)
		if (sn->e[i].mtime.tv_sec < sn->e[old].mtime.tv_sec ||
		    (sn->e[i].mtime.tv_sec == sn->e[old].mtime.tv_sec &&
		    sn->e[i].mtime.tv_nsec < sn->e[old].mtime.tv_nsec))
			old = i;
	unlinkat(dfd, sn->e[old].name, 0);
	sn->e[old] = sn->e[--sn->n];
}

/* After a store (a miss, so rare): keeps at most RP_CLCACHE_ENTRIES entries,
 * removing those written longest ago (never the one just written), and
 * temporary files older than an hour. Best effort: the cache stays exact
 * whatever is removed. */
static void
prune(int dfd, const char *kept)
{
	struct seen sn;

	sn.kept = kept;
	sn.n = 0;
	rp_cachedir_each(dfd, prune_one, &sn);
}

/* The checklist's text, with the checks rp_checklist_load makes. */
static char *
read_checklist(const char *path, size_t *len, struct rp_err *err)
{
	char *text;
	int fd;

	if (rp_file_safe(path, "the checklist", err) != 0)
		return NULL;
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0) {
		rp_err_set(err, RP_EXIT_CONFIG, "%s: cannot read: %s", path, strerror(errno));
		return NULL;
	}
	if ((text = rp_read_all(fd, MAX_ENTRY, len)) == NULL)
		rp_err_set(err, RP_EXIT_CONFIG, "%s: cannot read: %s", path, strerror(errno));
	close(fd);
	return text;
}

int
rp_checklist_load_cached(const char *path, const char *dir, const char *program,
    struct rp_checklist *cl, struct rp_err *err, char *note, size_t notelen)
{
	char stamp[256], name[64], why[512] = "";
	char *text, *entry = NULL;
	size_t len, elen = 0;
	struct rp_buf b = {0};
	int dfd = -1, rc;

	memset(cl, 0, sizeof(*cl));
	snprintf(note, notelen, "none");
	if ((text = read_checklist(path, &len, err)) == NULL) {
		cl->path = rp_xstrdup(path);
		return -1;
	}
	if (dir != NULL && rp_clcache_stamp(stamp, sizeof(stamp)) != 0) {
		snprintf(note, notelen, "ignored: this program's executable cannot be identified");
		dir = NULL;
	}
	if (dir != NULL && (dfd = rp_cachedir_open(dir, why, sizeof(why))) < 0) {
		snprintf(note, notelen, "ignored: %s", why);
		dir = NULL;
	}
	if (dfd >= 0) {
		entry_name(name, sizeof(name), path, program, stamp);
		if ((entry = rp_cachedir_read(dfd, name, MAX_ENTRY, &elen, why, sizeof(why))) != NULL &&
		    rp_clcache_decode(entry, elen, stamp, text, len, path, cl) == 0) {
			snprintf(note, notelen, "hit (%s/%s)", dir, name);
			rc = 0;
			goto out;
		}
		if (entry != NULL)
			snprintf(why, sizeof(why), "%s: not this checklist, or not this program's, "
			    "or damaged", name);
	}
	rc = rp_checklist_parse(path, text, len, cl, err);
	if (rc == 0 && dfd >= 0) {
		char werr[512] = "";
		rp_clcache_encode(cl, stamp, text, len, &b);
		if (rp_cachedir_write(dfd, name, &b, werr, sizeof(werr)) == 0) {
			snprintf(note, notelen, "miss (%s), stored in %s/%s", why, dir, name);
			prune(dfd, name);
		} else {
			snprintf(note, notelen, "miss (%s), not stored: %s", why, werr);
		}
	} else if (dfd >= 0) {
		snprintf(note, notelen, "miss (%s), not stored: the checklist has an error", why);
	}
out:
	rp_buf_free(&b);
	free(entry);
	free(text);
	if (dfd >= 0)
		close(dfd);
	return rc;
}
