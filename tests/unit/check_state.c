#define UNIT_NAME "state"
#include <arpa/inet.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "store_test.h"
#include "unit.h"

START_TEST(unreachable)
{
	struct rp_err err;
	struct rp_store *s = rp_store_open("127.0.0.1", 1, NULL, 0, "x", 500, &err);

	ck_assert_ptr_null(s);
	ck_assert_int_eq(err.code, RP_EXIT_UNKNOWN);
	ck_assert_str_eq(err.msg, "redis at 127.0.0.1:1: Connection refused");
	/* AUTH goes with the first command: that one fails, without the
	 * password in its message, and the store is unusable after it. */
	s = rp_store_open("127.0.0.1", test_port("RP_TEST_REDIS_PORT"), "wrong-password", 0, "x",
	    500, &err);
	ck_assert_ptr_nonnull(s);
	{
		struct rp_load l;
		time_t now = 1000, clock;
		size_t w;
		memset(&l, 0, sizeof(l));
		l.name = "c";
		l.poll_sec = 60;
		ck_assert_int_eq(rp_store_load(s, &l, 1, &now, 0, &clock, &w, &err), -1);
		ck_assert_ptr_nonnull(strstr(err.msg, "redis at 127.0.0.1:"));
		ck_assert_ptr_null(strstr(err.msg, "wrong-password"));
		ck_assert_int_eq(rp_store_load(s, &l, 1, &now, 0, &clock, &w, &err), -1);
		ck_assert_ptr_nonnull(strstr(err.msg, "not connected"));
	}
	rp_store_close(s);
}
END_TEST

START_TEST(status_names)
{
	enum rp_status s;

	ck_assert_str_eq(rp_status_name(RP_CRITICAL), "CRITICAL");
	ck_assert_int_eq(rp_status_parse("WARNING", &s), 0);
	ck_assert_int_eq(s, RP_WARNING);
	ck_assert_int_eq(rp_status_parse("warning", &s), -1);
}
END_TEST

START_TEST(silences)
{
	struct rp_store *s = open_store("unit4");
	struct rp_silence si = {0}, *v;
	struct rp_load l;
	struct rp_err err;
	size_t n;
	static char name[] = "c4", reason[] = "deploy", by[] = "me@host";

	si.name = name;
	si.until = 20000;
	si.set_at = 10000;
	si.reason = reason;
	si.by = by;
	ck_assert_msg(rp_store_silence_set(s, &si, 60, &err) == 0, "%s", err.msg);
	load1(s, &l, "c4", 60, 1, 15000, 0);
	ck_assert_int_eq(l.silenced_until, 20000);
	rp_load_clear(&l);
	ck_assert_int_eq(rp_store_silence_list(s, &v, &n, &err), 0);
	ck_assert_uint_eq(n, 1);
	ck_assert_str_eq(v[0].name, "c4");
	ck_assert_str_eq(v[0].reason, "deploy");
	ck_assert_str_eq(v[0].by, "me@host");
	ck_assert_int_eq(v[0].until, 20000);
	rp_silences_free(v, n);
	ck_assert_int_eq(rp_store_silence_clear(s, "c4", &err), 0);
	ck_assert_int_eq(rp_store_silence_clear(s, "c4", &err), 1);
	load1(s, &l, "c4", 60, 1, 15000, 0);
	ck_assert_int_eq(l.silenced_until, 0);
	rp_load_clear(&l);
	rp_store_close(s);
}
END_TEST

/* A Redis that does not answer in time is said so, not with the socket's
 * errno ("Resource temporarily unavailable"). A listening socket that
 * never accepts stands in for it: connecting works, answers never come. */
START_TEST(timeout_words)
{
	struct sockaddr_in a;
	socklen_t alen = sizeof(a);
	struct rp_err err;
	struct rp_store *s;
	struct rp_load l;
	time_t now = 1000, clock;
	size_t w;
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	memset(&a, 0, sizeof(a));
	a.sin_family = AF_INET;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	ck_assert_int_eq(bind(fd, (struct sockaddr *)&a, sizeof(a)), 0);
	ck_assert_int_eq(listen(fd, 4), 0);
	ck_assert_int_eq(getsockname(fd, (struct sockaddr *)&a, &alen), 0);
	s = rp_store_open("127.0.0.1", ntohs(a.sin_port), NULL, 0, "to", 300, &err);
	ck_assert_ptr_nonnull(s);
	memset(&l, 0, sizeof(l));
	l.name = "c";
	l.poll_sec = 60;
	ck_assert_int_eq(rp_store_load(s, &l, 1, &now, 0, &clock, &w, &err), -1);
	ck_assert_msg(strstr(err.msg, "no answer within 300 ms") != NULL, "%s", err.msg);
	rp_store_close(s);
	close(fd);
}
END_TEST

static void
add_tests(TCase *tc)
{
	tcase_add_test(tc, silences);
	tcase_add_test(tc, unreachable);
	tcase_add_test(tc, status_names);
	tcase_add_test(tc, timeout_words);
}
