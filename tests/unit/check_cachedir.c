#define UNIT_NAME "cachedir"
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cachedir.h"
#include "testutil.h"
#include "unit.h"

static char dir[64];

static void
count(int dfd, const char *name, void *arg)
{
	(void)dfd;
	ck_assert_str_ne(name, ".");
	ck_assert_str_ne(name, "..");
	++*(int *)arg;
}

/* Written, read back byte for byte; no temporary file left. */
START_TEST(write_read)
{
	struct rp_buf b = {0};
	char why[256] = "", *got;
	size_t len;
	int dfd;

	tmpdir_make(dir);
	ck_assert_int_ge(dfd = rp_cachedir_open(dir, why, sizeof(why)), 0);
	rp_buf_append(&b, "a\0b", 3);
	ck_assert_msg(rp_cachedir_write(dfd, "f", &b, why, sizeof(why)) == 0, "%s", why);
	ck_assert_ptr_nonnull(got = rp_cachedir_read(dfd, "f", 100, &len, why, sizeof(why)));
	ck_assert_uint_eq(len, 3);
	ck_assert_int_eq(memcmp(got, "a\0b", 3), 0);
	free(got);
	/* Larger than max: refused. */
	ck_assert_ptr_null(rp_cachedir_read(dfd, "f", 2, &len, why, sizeof(why)));
	ck_assert_ptr_null(rp_cachedir_read(dfd, "none", 100, &len, why, sizeof(why)));
	ck_assert_msg(strstr(why, "none") != NULL, "%s", why);
	/* One name, the file: no temporary one left, no dot entries. */
	{
		int n = 0;
		ck_assert_int_eq(rp_cachedir_each(dfd, count, &n), 0);
		ck_assert_int_eq(n, 1);
	}
	close(dfd);
	rp_buf_free(&b);
	tmpdir_remove(dir);
}
END_TEST

/* Not ours: a directory others can write, a link for it, a file others can
 * write, a link for a file. */
START_TEST(not_ours)
{
	char why[256] = "", link[96], path[96];
	size_t len;
	int dfd, fd;

	tmpdir_make(dir);
	ck_assert_int_eq(chmod(dir, 0777), 0);
	ck_assert_int_lt(rp_cachedir_open(dir, why, sizeof(why)), 0);
	ck_assert_msg(strstr(why, "every user") != NULL, "%s", why);
	ck_assert_int_eq(chmod(dir, 0700), 0);
	snprintf(link, sizeof(link), "%s.link", dir);
	ck_assert_int_eq(symlink(dir, link), 0);
	ck_assert_int_lt(rp_cachedir_open(link, why, sizeof(why)), 0);
	unlink(link);
	ck_assert_int_ge(dfd = rp_cachedir_open(dir, why, sizeof(why)), 0);
	snprintf(path, sizeof(path), "%s/g", dir);
	ck_assert_int_ge(fd = open(path, O_WRONLY | O_CREAT, 0600), 0);
	close(fd);
	ck_assert_int_eq(chmod(path, 0620), 0);
	ck_assert_ptr_null(rp_cachedir_read(dfd, "g", 100, &len, why, sizeof(why)));
	ck_assert_msg(strstr(why, "its group") != NULL, "%s", why);
	ck_assert_int_eq(symlinkat(path, dfd, "l"), 0);
	ck_assert_ptr_null(rp_cachedir_read(dfd, "l", 100, &len, why, sizeof(why)));
	close(dfd);
	tmpdir_remove(dir);
}
END_TEST

static void
add_tests(TCase *tc)
{
	tcase_add_test(tc, write_read);
	tcase_add_test(tc, not_ours);
}
