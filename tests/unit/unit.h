/* The main() every Check unit test shares: one suite, one test case, the
 * tests added by the file's add_tests(). Fork mode unless CK_FORK=no; a
 * file that defines UNIT_ALWAYS_FORK is run in fork mode even then (its
 * tests change what a process cannot undo, such as signal handlers). */
#ifndef RP_UNIT_H
#define RP_UNIT_H

#include <check.h>
#include <stdlib.h>

static void add_tests(TCase *tc);

int
main(void)
{
	Suite *s = suite_create(UNIT_NAME);
	TCase *tc = tcase_create("core");
	SRunner *sr;
	int failed;

	tcase_set_timeout(tc, 30);
	add_tests(tc);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
#ifdef UNIT_ALWAYS_FORK
	srunner_set_fork_status(sr, CK_FORK);
#endif
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}

#endif
