#define UNIT_NAME "source"
#include <string.h>

#include "checklist.h"
#include "config.h"
#include "source.h"
#include "src_airflow.h"
#include "src_batchy.h"
#include "src_http.h"
#include "unit.h"

START_TEST(find)
{
	ck_assert_ptr_eq(rp_source_find("batchy"), &rp_src_batchy);
	ck_assert_ptr_eq(rp_source_find("airflow"), &rp_src_airflow);
	ck_assert_ptr_eq(rp_source_find("http"), &rp_src_http);
	ck_assert_str_eq(rp_source_find("batchy")->name, "batchy");
	ck_assert_str_eq(rp_source_find("airflow")->name, "airflow");
	ck_assert_str_eq(rp_source_find("http")->name, "http");
	/* Every freshness type of the checklist but ping has a source; email
	 * and ping are evaluated otherwise. Names are exact. */
	ck_assert_ptr_null(rp_source_find("ping"));
	ck_assert_ptr_null(rp_source_find("email"));
	ck_assert_ptr_null(rp_source_find("Batchy"));
	ck_assert_ptr_null(rp_source_find("batchy "));
	ck_assert_ptr_null(rp_source_find(""));
	ck_assert_ptr_eq(rp_source_find(rp_check_type_name(RP_CHECK_BATCHY)), &rp_src_batchy);
	ck_assert_ptr_eq(rp_source_find(rp_check_type_name(RP_CHECK_AIRFLOW)), &rp_src_airflow);
	ck_assert_ptr_eq(rp_source_find(rp_check_type_name(RP_CHECK_HTTP)), &rp_src_http);
}
END_TEST

/* Every source has what the code running it calls without asking. */
START_TEST(operations)
{
	static const char *const names[] = {"batchy", "airflow", "http"};
	size_t i;

	for (i = 0; i < 3; i++) {
		const struct rp_source *s = rp_source_find(names[i]);
		ck_assert_ptr_nonnull(s);
		ck_assert_ptr_nonnull(s->requests);
		ck_assert_ptr_nonnull(s->parse);
	}
}
END_TEST

/* rp_source_validate asks the check's own source; a check whose source has
 * no validate, or whose type has no source, is valid as far as the source
 * goes. */
START_TEST(validate)
{
	static char name[] = "p", path[] = "etl.cfg";
	struct rp_config cfg;
	struct rp_check c;
	struct rp_err err;

	memset(&cfg, 0, sizeof(cfg));
	memset(&c, 0, sizeof(c));
	c.name = name;
	c.type = RP_CHECK_PING;
	err.msg[0] = '\0';
	ck_assert_int_eq(rp_source_validate(&cfg, &c, "checklist.yaml", &err), 0);
	ck_assert_str_eq(err.msg, "");
	c.type = RP_CHECK_EMAIL;
	ck_assert_int_eq(rp_source_validate(&cfg, &c, "checklist.yaml", &err), 0);
	c.type = RP_CHECK_BATCHY;
	ck_assert_int_eq(rp_source_validate(&cfg, &c, "checklist.yaml", &err), 0);
	ck_assert_str_eq(err.msg, "");
	/* airflow's own: its section must name the server. */
	cfg.path = path;
	c.type = RP_CHECK_AIRFLOW;
	c.line = 7;
	ck_assert_int_eq(rp_source_validate(&cfg, &c, "checklist.yaml", &err), -1);
	ck_assert_int_eq(err.code, RP_EXIT_CONFIG);
	ck_assert_str_eq(err.msg, "etl.cfg: [airflow] url: missing (checklist.yaml:7: p is an "
	    "airflow check)");
}
END_TEST

START_TEST(fail)
{
	struct rp_src_result r;
	char big[600];

	memset(&r, 0, sizeof(r));
	r.ok = 1;
	ck_assert_int_eq(rp_src_fail(&r, "batchy answered HTTP %d", 503), -1);
	ck_assert_int_eq(r.ok, 0);
	ck_assert_str_eq(r.why, "batchy answered HTTP 503");
	/* A later failure replaces the reason. */
	rp_src_fail(&r, "%s", "second");
	ck_assert_str_eq(r.why, "second");
	/* Cut to RP_SRC_WHY_MAX - 1 bytes, terminated. */
	memset(big, 'w', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	rp_src_fail(&r, "%s", big);
	ck_assert_uint_eq(strlen(r.why), RP_SRC_WHY_MAX - 1);
	ck_assert_int_eq(r.why[RP_SRC_WHY_MAX - 2], 'w');
	/* Nothing else of the result changes. */
	ck_assert_uint_eq(r.nfacts, 0);
	ck_assert_int_eq(r.completion, 0);
}
END_TEST

START_TEST(facts)
{
	struct rp_src_result r;
	char big[200];
	size_t i;

	memset(&r, 0, sizeof(r));
	rp_src_fact(&r, "workflow", "%s", "orders_intraday");
	rp_src_fact(&r, "limit_min", "%ld", 60L);
	ck_assert_uint_eq(r.nfacts, 2);
	ck_assert_str_eq(r.facts[0].name, "workflow");
	ck_assert_str_eq(r.facts[0].value, "orders_intraday");
	ck_assert_str_eq(r.facts[1].name, "limit_min");
	ck_assert_str_eq(r.facts[1].value, "60");
	/* A fact is not marked a number by rp_src_fact: the source says so. */
	ck_assert_int_eq(r.facts[1].number, 0);
	/* Cut to fit its value (95 bytes and the terminator). */
	memset(big, 'v', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	rp_src_fact(&r, "long", "%s", big);
	ck_assert_uint_eq(r.nfacts, 3);
	ck_assert_uint_eq(strlen(r.facts[2].value), sizeof(r.facts[2].value) - 1);
	rp_src_fact(&r, "fourth", "%d", 4);
	ck_assert_uint_eq(r.nfacts, RP_SRC_MAX_FACTS);
	/* The table is full: nothing more is added, nothing is overwritten. */
	rp_src_fact(&r, "fifth", "%d", 5);
	ck_assert_uint_eq(r.nfacts, RP_SRC_MAX_FACTS);
	ck_assert_str_eq(r.facts[RP_SRC_MAX_FACTS - 1].name, "fourth");
	ck_assert_str_eq(r.facts[RP_SRC_MAX_FACTS - 1].value, "4");
	for (i = 0; i < RP_SRC_MAX_FACTS; i++)
		ck_assert_str_ne(r.facts[i].name, "fifth");
	/* Facts do not touch the verdict. */
	ck_assert_int_eq(r.ok, 0);
	ck_assert_str_eq(r.why, "");
}
END_TEST

static void
add_tests(TCase *tc)
{
	tcase_add_test(tc, find);
	tcase_add_test(tc, operations);
	tcase_add_test(tc, validate);
	tcase_add_test(tc, fail);
	tcase_add_test(tc, facts);
}
