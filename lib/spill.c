/* Triggers sent while Redis was out of reach, kept until recorded: see
 * spill.h. */
#define _POSIX_C_SOURCE 200809L
#include "spill.h"

#include <dirent.h>
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

int
rp_spill_write(const char *dir, const char *store_id, time_t now, const struct rp_sent *v,
    size_t n, char *why, size_t whylen)
{
	struct rp_buf b = {0};
	char name[96];
	size_t i;
	int dfd, rc;

	if (dir == NULL) {
		snprintf(why, whylen, "no cache directory ([robopager] cache_dir)");
		return -1;
	}
	if ((dfd = rp_cachedir_open(dir, why, whylen)) < 0)
		return -1;
	rp_buf_printf(&b, HEADER "store %s\nnow %lld\n", store_id, (long long)now);
	for (i = 0; i < n; i++)
		if (plain(v[i].name) && plain(v[i].dedup_key))
			rp_buf_printf(&b, "%s\t%s\n", v[i].name, v[i].dedup_key);
	rp_buf_printf(&b, "end\n");
	snprintf(name, sizeof(name), PREFIX "%lld-%ld" SUFFIX, (long long)time(NULL),
	    (long)getpid());
	rc = rp_cachedir_write(dfd, name, &b, why, whylen);
	close(dfd);
	rp_buf_free(&b);
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

int
rp_spill_parse(const char *text, size_t len, struct rp_spill *sp)
{
	char *p, *end, *l, *tab, *e;
	long long t;

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
	if ((l = line(&p, end)) == NULL || strncmp(l, "now ", 4) != 0 || l[4] < '0' ||
	    l[4] > '9' || (t = strtoll(l + 4, &e, 10)) <= 0 || *e != '\0')
		goto bad;
	sp->now = (time_t)t;
	while ((l = line(&p, end)) != NULL && strcmp(l, "end") != 0) {
		if ((tab = strchr(l, '\t')) == NULL || tab == l || tab[1] == '\0' ||
		    strchr(tab + 1, '\t') != NULL)
			goto bad;
		*tab = '\0';
		sp->v = rp_xrealloc(sp->v, (sp->n + 1) * sizeof(*sp->v));
		sp->v[sp->n].name = l;
		sp->v[sp->n++].dedup_key = tab + 1;
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

/* Whether name is a spill file's. */
static int
is_spill(const char *name)
{
	size_t n = strlen(name);

	return strncmp(name, PREFIX, strlen(PREFIX)) == 0 && n > strlen(PREFIX SUFFIX) &&
	    strcmp(name + n - strlen(SUFFIX), SUFFIX) == 0;
}

/* Records the file name of dfd if it is store_id's, then removes it. The
 * number recorded, 0 for another store's, -1 (why) on failure. */
static long
merge_one(int dfd, const char *name, const char *store_id, struct rp_store *s,
    const struct rp_run_rec *run, char *why, size_t whylen)
{
	struct rp_spill sp;
	struct rp_err err;
	size_t len;
	char *text = rp_cachedir_read(dfd, name, MAX_SPILL, &len, why, whylen);
	long n;

	if (text == NULL)
		return -1;
	if (rp_spill_parse(text, len, &sp) != 0) {
		char aside[128];
		free(text);
		/* Said once: set aside, never read again. */
		snprintf(aside, sizeof(aside), "%s.damaged", name);
		renameat(dfd, name, dfd, aside);
		snprintf(why, whylen, "%s/%s: damaged, its triggers not recorded", "the cache", aside);
		return -1;
	}
	free(text);
	if (strcmp(sp.store, store_id) != 0) {
		rp_spill_free(&sp);
		return 0;
	}
	if (sp.n > 0 && rp_store_record_sent(s, sp.v, sp.n, sp.now, run, &err) != 0) {
		snprintf(why, whylen, "%s", err.msg);
		rp_spill_free(&sp);
		return -1;
	}
	n = (long)sp.n;
	rp_spill_free(&sp);
	unlinkat(dfd, name, 0);
	return n;
}

long
rp_spill_merge(const char *dir, const char *store_id, struct rp_store *s,
    const struct rp_run_rec *run, char *why, size_t whylen)
{
	struct dirent *d;
	long total = 0, k;
	int dfd, fd, rc = 0;
	DIR *dp;

	if (dir == NULL)
		return 0;
	if ((dfd = rp_cachedir_open(dir, why, whylen)) < 0)
		return 0; /* no directory of ours: nothing could have been kept */
	if ((fd = dup(dfd)) < 0 || (dp = fdopendir(fd)) == NULL) {
		if (fd >= 0)
			close(fd);
		close(dfd);
		return 0;
	}
	while ((d = readdir(dp)) != NULL) {
		if (!is_spill(d->d_name))
			continue;
		if ((k = merge_one(dfd, d->d_name, store_id, s, run, why, whylen)) < 0)
			rc = -1;
		else
			total += k;
	}
	closedir(dp);
	close(dfd);
	return rc != 0 ? -1 : total;
}

long
rp_spill_flush(const struct rp_config *cfg, struct rp_store *s, char *where, size_t wherelen,
    char *why, size_t whylen)
{
	char id[512];
	const char *dir = rp_clcache_dir(cfg->cache_dir, where, wherelen);

	if (dir != where)
		snprintf(where, wherelen, "%s", dir != NULL ? dir : "");
	rp_spill_store_id(cfg, id, sizeof(id));
	return rp_spill_merge(dir, id, s, NULL, why, whylen);
}

int
rp_spill_keep(const struct rp_config *cfg, time_t now, const struct rp_sent *v, size_t n,
    char *where, size_t wherelen, char *why, size_t whylen)
{
	char id[512];
	const char *dir = rp_clcache_dir(cfg->cache_dir, where, wherelen);

	if (dir != where)
		snprintf(where, wherelen, "%s", dir != NULL ? dir : "");
	rp_spill_store_id(cfg, id, sizeof(id));
	return rp_spill_write(dir, id, now, v, n, why, whylen);
}
