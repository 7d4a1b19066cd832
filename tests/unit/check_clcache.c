#define UNIT_NAME "clcache"
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "checklist.h"
#include "clcache.h"
#include "testutil.h"
#include "unit.h"

/* Every kind of check and every field the cache carries. */
static const char rich[] =
    "orders:\n"
    "    type: batchy\n"
    "    pd_description: \"orders\"\n"
    "    pd_service: \"0123456789abcdef0123456789abcdef\"\n"
    "    wf_name: \"orders_intraday\"\n"
    "    check_time: '09:00'\n"
    "    until: '18:00'\n"
    "    poll_sec: 180\n"
    "    latency_min: 60\n"
    "    unknown_after: 5\n"
    "    days: [mon-fri]\n"
    "    skip_dates: [2026-12-25, 2027-01-01]\n"
    "orders_dag:\n"
    "    type: airflow\n"
    "    dag_id: orders_daily\n"
    "    pd_description: \"orders DAG\"\n"
    "    pd_service: \"0123456789abcdef0123456789abcdef\"\n"
    "    check_time: \"06:00\"\n"
    "    poll_sec: 300\n"
    "    latency_min: 1500\n"
    "exports_api:\n"
    "    type: http\n"
    "    url: \"https://jobs.internal/api/exports/last?x=1\"\n"
    "    completion: \"/last_success/finished_at\"\n"
    "    state: \"/last_run/state\"\n"
    "    failure_values: [\"failed\", \"error\"]\n"
    "    started: \"/last_run/started_at\"\n"
    "    auth: exports\n"
    "    notify: [ops, team]\n"
    "    pd_description: \"exports\"\n"
    "    check_time: \"00:05\"\n"
    "    poll_sec: 120\n"
    "    latency_min: 90\n"
    "    warn_pct: 50\n"
    "backup:\n"
    "    type: ping\n"
    "    pd_description: \"backup\"\n"
    "    pd_service: \"0123456789abcdef0123456789abcdef\"\n"
    "    schedule: \"30 2 * * 1-5\"\n"
    "    grace: 30m\n"
    "    max_runtime: 2h\n"
    "mail:\n"
    "    type: email\n"
    "    pd_description: \"mail\"\n"
    "    pd_service: 'xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx'\n"
    "    senders: ['a@example.com', 'b@example.com']\n"
    "    delivery_time: 03:00\n"
    "    check_time: 03:15\n"
    "    subject_match: contains\n"
    "    subjects: [\"Great\", \"Good\"]\n";

static void
parse_ok(const char *text, struct rp_checklist *cl)
{
	struct rp_err err;
	ck_assert_msg(rp_checklist_parse("list.yaml", text, strlen(text), cl, &err) == 0, "%s",
	    err.msg);
}

static void
encode(const struct rp_checklist *cl, const char *text, struct rp_buf *out)
{
	rp_clcache_encode(cl, "stamp 1", text, strlen(text), out);
}

START_TEST(round_trip)
{
	struct rp_checklist cl, back;
	struct rp_buf a = {0}, b = {0};
	const struct rp_check *c;

	parse_ok(rich, &cl);
	encode(&cl, rich, &a);
	ck_assert_int_eq(rp_clcache_decode(a.data, a.len, "stamp 1", rich, strlen(rich),
	    "other.yaml", &back), 0);
	ck_assert_str_eq(back.path, "other.yaml");
	ck_assert_uint_eq(back.n, cl.n);
	/* Every field: the decoded list encodes to the same bytes. */
	encode(&back, rich, &b);
	ck_assert_uint_eq(a.len, b.len);
	ck_assert(memcmp(a.data, b.data, a.len) == 0);
	c = rp_checklist_find(&back, "orders");
	ck_assert_int_eq(c->until, 18 * 60);
	ck_assert_uint_eq(c->nskip_dates, 2);
	ck_assert_int_eq(c->unknown_after, 5);
	c = rp_checklist_find(&back, "exports_api");
	ck_assert_str_eq(c->failure_values[1], "error");
	ck_assert_str_eq(c->notify[1], "team");
	ck_assert_str_eq(rp_checklist_find(&back, "orders_dag")->dag_id, "orders_daily");
	c = rp_checklist_find(&back, "backup");
	ck_assert_ptr_nonnull(c->schedule);
	ck_assert_str_eq(c->schedule->expr, "30 2 * * 1-5");
	ck_assert(memcmp(c->schedule, rp_checklist_find(&cl, "backup")->schedule,
	    sizeof(*c->schedule)) == 0);
	ck_assert_int_eq(c->max_runtime, 7200);
	c = rp_checklist_find(&back, "mail");
	ck_assert_uint_eq(c->nsenders, 2);
	ck_assert_int_eq(c->subject_match, RP_MATCH_CONTAINS);
	ck_assert_int_eq(c->delivery_time, 180);
	rp_checklist_free(&back);
	rp_checklist_free(&cl);
	rp_buf_free(&a);
	rp_buf_free(&b);
}
END_TEST

/* The entry is used only for the very bytes it copied, and this stamp. */
START_TEST(exact_only)
{
	struct rp_checklist cl, back;
	struct rp_buf a = {0};
	char *other = rp_xstrdup(rich);
	size_t n = strlen(rich), i;

	parse_ok(rich, &cl);
	encode(&cl, rich, &a);
	ck_assert_int_eq(rp_clcache_decode(a.data, a.len, "stamp 2", rich, n, "l", &back), -1);
	ck_assert_uint_eq(back.n, 0);
	/* One character changed, the length the same. */
	other[strlen("orders:\n    type: batchy\n    pd_description: \"ord")] = 'x';
	ck_assert_int_eq(rp_clcache_decode(a.data, a.len, "stamp 1", other, n, "l", &back), -1);
	ck_assert_int_eq(rp_clcache_decode(a.data, a.len, "stamp 1", rich, n - 1, "l", &back), -1);
	/* Every truncation, and one byte too many. */
	for (i = 0; i < a.len; i++)
		ck_assert_msg(rp_clcache_decode(a.data, i, "stamp 1", rich, n, "l", &back) == -1,
		    "truncated to %zu bytes, decoded", i);
	rp_buf_append(&a, "", 1);
	ck_assert_int_eq(rp_clcache_decode(a.data, a.len, "stamp 1", rich, n, "l", &back), -1);
	/* Any byte flipped fails or decodes to something whole (the fuzzer
	 * checks the rest); flipping the magic fails. */
	a.len--;
	a.data[0] ^= 1;
	ck_assert_int_eq(rp_clcache_decode(a.data, a.len, "stamp 1", rich, n, "l", &back), -1);
	a.data[0] ^= 1;
	for (i = 0; i < a.len; i++) {
		a.data[i] ^= 0x40;
		if (rp_clcache_decode(a.data, a.len, "stamp 1", rich, n, "l", &back) == 0)
			rp_checklist_free(&back);
		a.data[i] ^= 0x40;
	}
	ck_assert_int_eq(rp_clcache_decode(a.data, a.len, "stamp 1", rich, n, "l", &back), 0);
	rp_checklist_free(&back);
	rp_checklist_free(&cl);
	rp_buf_free(&a);
	free(other);
}
END_TEST

static char dir[64];

/* Loads path through the cache; returns the note. */
static const char *
load(const char *path, const char *d, struct rp_checklist *cl)
{
	static char note[1024];
	struct rp_err err;

	ck_assert_msg(rp_checklist_load_cached(path, d, "rp-test", cl, &err, note,
	    sizeof(note)) == 0, "%s", err.msg);
	return note;
}

static void
rewrite(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");
	ck_assert_ptr_nonnull(f);
	fputs(text, f);
	fclose(f);
}

START_TEST(load_through_cache)
{
	struct rp_checklist cl;
	const char *path = tmpfile_with(rich), *d = tmpdir_make(dir);
	char *other = rp_xstrdup(rich);
	struct stat st;

	ck_assert_msg(strncmp(load(path, d, &cl), "miss", 4) == 0, "%s", load(path, NULL, &cl));
	rp_checklist_free(&cl);
	ck_assert_msg(strncmp(load(path, d, &cl), "hit", 3) == 0, "not a hit");
	ck_assert_uint_eq(cl.n, 5);
	ck_assert_str_eq(cl.path, path);
	rp_checklist_free(&cl);
	/* A change of one character, size and time restored: a miss. */
	ck_assert_int_eq(stat(path, &st), 0);
	other[strlen("order")] = '2';
	rewrite(path, other);
	{
		struct timespec ts[2] = {st.st_atim, st.st_mtim};
		ck_assert_int_eq(utimensat(AT_FDCWD, path, ts, 0), 0);
	}
	ck_assert_msg(strncmp(load(path, d, &cl), "miss", 4) == 0, "a change went unseen");
	ck_assert_ptr_nonnull(rp_checklist_find(&cl, "order2"));
	rp_checklist_free(&cl);
	ck_assert_msg(strncmp(load(path, d, &cl), "hit", 3) == 0, "not a hit");
	ck_assert_ptr_nonnull(rp_checklist_find(&cl, "order2"));
	rp_checklist_free(&cl);
	/* No directory: parsed, nothing said but that. */
	ck_assert_str_eq(load(path, NULL, &cl), "none");
	rp_checklist_free(&cl);
	unlink(path);
	free(other);
	tmpdir_remove(dir);
}
END_TEST

/* Only the first file of the cache directory: damaged, someone else's or
 * writable by others is not used. */
static void
the_entry(char *out, size_t n)
{
	char cmd[160];
	FILE *p;

	snprintf(cmd, sizeof(cmd), "ls %s/checklist-*.cache", dir);
	ck_assert_ptr_nonnull(p = popen(cmd, "r"));
	ck_assert_ptr_nonnull(fgets(out, (int)n, p));
	out[strcspn(out, "\n")] = '\0';
	pclose(p);
}

START_TEST(not_trusted)
{
	struct rp_checklist cl;
	const char *path = tmpfile_with(rich), *d = tmpdir_make(dir);
	char entry[256];
	const char *note;

	rp_checklist_free((load(path, d, &cl), &cl));
	the_entry(entry, sizeof(entry));
	/* Writable by the group: ignored, then replaced by a good one. */
	ck_assert_int_eq(chmod(entry, 0660), 0);
	note = load(path, d, &cl);
	ck_assert_msg(strstr(note, "miss") && strstr(note, "its group"), "%s", note);
	rp_checklist_free(&cl);
	ck_assert_msg(strncmp(load(path, d, &cl), "hit", 3) == 0, "not a hit");
	rp_checklist_free(&cl);
	/* Damaged: cut short. */
	ck_assert_int_eq(truncate(entry, 100), 0);
	note = load(path, d, &cl);
	ck_assert_msg(strstr(note, "miss") && strstr(note, "damaged"), "%s", note);
	ck_assert_uint_eq(cl.n, 5);
	rp_checklist_free(&cl);
	ck_assert_msg(strncmp(load(path, d, &cl), "hit", 3) == 0, "not a hit");
	rp_checklist_free(&cl);
	/* A symbolic link in place of the entry. */
	ck_assert_int_eq(rename(entry, "/tmp/rp-unit-cache-moved"), 0);
	ck_assert_int_eq(symlink("/tmp/rp-unit-cache-moved", entry), 0);
	note = load(path, d, &cl);
	ck_assert_msg(strncmp(note, "miss", 4) == 0, "%s", note);
	rp_checklist_free(&cl);
	unlink("/tmp/rp-unit-cache-moved");
	/* Someone else's entry (as root only). */
	if (geteuid() == 0) {
		ck_assert_int_eq(chown(entry, 65534, 65534), 0);
		note = load(path, d, &cl);
		ck_assert_msg(strstr(note, "miss") && strstr(note, "owned by uid 65534"), "%s", note);
		rp_checklist_free(&cl);
	}
	/* A directory others can write: not used at all. */
	ck_assert_int_eq(chmod(d, 0777), 0);
	note = load(path, d, &cl);
	ck_assert_msg(strncmp(note, "ignored", 7) == 0 && strstr(note, "every user"), "%s", note);
	rp_checklist_free(&cl);
	ck_assert_int_eq(chmod(d, 0700), 0);
	/* A link to a directory. */
	unlink("/tmp/rp-unit-cache-link");
	ck_assert_int_eq(symlink(d, "/tmp/rp-unit-cache-link"), 0);
	note = load(path, "/tmp/rp-unit-cache-link", &cl);
	ck_assert_msg(strncmp(note, "ignored", 7) == 0, "%s", note);
	rp_checklist_free(&cl);
	unlink("/tmp/rp-unit-cache-link");
	unlink(path);
	tmpdir_remove(dir);
}
END_TEST

/* A checklist with an error is never cached, and says its error. */
START_TEST(errors_not_cached)
{
	struct rp_checklist cl;
	struct rp_err err;
	const char *path = tmpfile_with("c:\n    type: nothing\n"), *d = tmpdir_make(dir);
	char note[512];

	ck_assert_int_eq(rp_checklist_load_cached(path, d, "rp-test", &cl, &err, note,
	    sizeof(note)), -1);
	ck_assert_msg(strstr(err.msg, ":2: c: type: not email") != NULL, "%s", err.msg);
	ck_assert_msg(strstr(note, "not stored") != NULL, "%s", note);
	rp_checklist_free(&cl);
	ck_assert_int_eq(rp_checklist_load_cached(path, d, "rp-test", &cl, &err, note,
	    sizeof(note)), -1);
	rp_checklist_free(&cl);
	unlink(path);
	ck_assert_int_eq(rp_checklist_load_cached("/nonexistent.yaml", d, "rp-test", &cl, &err,
	    note, sizeof(note)), -1);
	ck_assert_str_eq(err.msg, "/nonexistent.yaml: cannot read: No such file or directory");
	rp_checklist_free(&cl);
	tmpdir_remove(dir);
}
END_TEST

/* One entry per checklist and program, never two in one file; a store
 * keeps the directory to RP_CLCACHE_ENTRIES entries, the oldest going, and
 * removes a killed writer's temporary file once it is an hour old. */
START_TEST(bounded)
{
	struct rp_checklist cl;
	struct rp_err err;
	const char *path = tmpfile_with(rich), *d = tmpdir_make(dir);
	char note[1024], prog[16], f[128], cmd[160];
	struct timespec old[2] = {{0, 0}, {0, 0}};
	FILE *p;
	int i, n = 0, fd;

	snprintf(f, sizeof(f), "%s/.checklist-0000000000000000.cache.1.tmp", d);
	ck_assert_int_ge(fd = open(f, O_WRONLY | O_CREAT, 0600), 0);
	close(fd);
	ck_assert_int_eq(utimensat(AT_FDCWD, f, old, 0), 0);
	snprintf(f, sizeof(f), "%s/.checklist-0000000000000001.cache.2.tmp", d);
	ck_assert_int_ge(fd = open(f, O_WRONLY | O_CREAT, 0600), 0);
	close(fd);
	for (i = 0; i < RP_CLCACHE_ENTRIES + 6; i++) {
		snprintf(prog, sizeof(prog), "p%d", i);
		ck_assert_int_eq(rp_checklist_load_cached(path, d, prog, &cl, &err, note,
		    sizeof(note)), 0);
		ck_assert_msg(strstr(note, "stored in") != NULL, "%s: %s", prog, note);
		rp_checklist_free(&cl);
	}
	/* The last RP_CLCACHE_ENTRIES are hits, the first six gone. */
	for (i = RP_CLCACHE_ENTRIES + 5; i >= 0; i--) {
		snprintf(prog, sizeof(prog), "p%d", i);
		ck_assert_int_eq(rp_checklist_load_cached(path, d, prog, &cl, &err, note,
		    sizeof(note)), 0);
		ck_assert_msg(strncmp(note, i >= 6 ? "hit" : "miss", 3) == 0, "%s: %s", prog, note);
		rp_checklist_free(&cl);
		if (i == 6) {
			snprintf(cmd, sizeof(cmd), "ls -A %s", d);
			ck_assert_ptr_nonnull(p = popen(cmd, "r"));
			while (fgets(f, sizeof(f), p) != NULL)
				n++;
			pclose(p);
			/* The entries and the fresh temporary file. */
			ck_assert_int_eq(n, RP_CLCACHE_ENTRIES + 1);
		}
	}
	snprintf(f, sizeof(f), "%s/.checklist-0000000000000000.cache.1.tmp", d);
	ck_assert_int_ne(access(f, F_OK), 0);
	snprintf(f, sizeof(f), "%s/.checklist-0000000000000001.cache.2.tmp", d);
	ck_assert_int_eq(access(f, F_OK), 0);
	unlink(path);
	tmpdir_remove(dir);
}
END_TEST

START_TEST(which_dir)
{
	char buf[64];

	setenv("CACHE_DIRECTORY", "/var/cache/a:/var/cache/b", 1);
	ck_assert_str_eq(rp_clcache_dir("/x", buf, sizeof(buf)), "/var/cache/a");
	setenv("CACHE_DIRECTORY", "/var/cache/a", 1);
	ck_assert_str_eq(rp_clcache_dir(NULL, buf, sizeof(buf)), "/var/cache/a");
	unsetenv("CACHE_DIRECTORY");
	ck_assert_str_eq(rp_clcache_dir("/x", buf, sizeof(buf)), "/x");
	ck_assert_ptr_null(rp_clcache_dir("none", buf, sizeof(buf)));
}
END_TEST

static void
add_tests(TCase *tc)
{
	tcase_add_test(tc, round_trip);
	tcase_add_test(tc, exact_only);
	tcase_add_test(tc, load_through_cache);
	tcase_add_test(tc, not_trusted);
	tcase_add_test(tc, errors_not_cached);
	tcase_add_test(tc, which_dir);
	tcase_add_test(tc, bounded);
}
