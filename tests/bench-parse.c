/*
 * make bench, a floor of the scale part: the time jansson alone takes to
 * read N answers like the ones nginx serves (json_loadb with the flags a
 * batchy answer is read with, then its three members), so that the bench
 * can say how much of a run over N due checks is parsing that no caller
 * of jansson can avoid. Built and run by tests/bench-scale.sh:
 * bench-parse N 'JSON' prints the milliseconds.
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

int
main(int argc, char **argv)
{
	struct timespec t0, t1;
	size_t got = 0;
	long i, n;

	if (argc != 3 || (n = strtol(argv[1], NULL, 10)) <= 0) {
		fprintf(stderr, "usage: bench-parse N JSON\n");
		return 64;
	}
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (i = 0; i < n; i++) {
		json_error_t err;
		json_t *root = json_loadb(argv[2], strlen(argv[2]), JSON_REJECT_DUPLICATES, &err);
		json_t *g = json_object_get(root, "global");
		const char *k[] = {"status", "batch_start", "batch_end"};
		size_t j;

		for (j = 0; j < 3; j++)
			got += json_string_value(json_object_get(g, k[j])) != NULL;
		json_decref(root);
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	if (got != (size_t)n * 3) {
		fprintf(stderr, "bench-parse: the answer is not batchy's\n");
		return 1;
	}
	printf("%ld\n", (long)((t1.tv_sec - t0.tv_sec) * 1000 + (t1.tv_nsec - t0.tv_nsec) / 1000000));
	return 0;
}
