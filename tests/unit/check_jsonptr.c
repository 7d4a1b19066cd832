#define UNIT_NAME "jsonptr"
#include <string.h>

#include "jsonptr.h"
#include "unit.h"

/* RFC 6901 section 5's document. */
static const char rfc[] =
    "{\"foo\": [\"bar\", \"baz\"], \"\": 0, \"a/b\": 1, \"c%d\": 2, \"e^f\": 3, \"g|h\": 4,"
    " \"i\\\\j\": 5, \"k\\\"l\": 6, \" \": 7, \"m~n\": 8}";

/* The value at p in doc, as compact JSON, or "(none)". */
static const char *
at(const char *doc, const char *p)
{
	static char out[256];
	json_t *root = json_loads(doc, JSON_DECODE_ANY, NULL), *v;
	char *s;

	ck_assert_ptr_nonnull(root);
	v = rp_jsonptr_get(root, p);
	if (v == NULL) {
		snprintf(out, sizeof(out), "(none)");
	} else {
		s = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
		snprintf(out, sizeof(out), "%s", s);
		free(s);
	}
	json_decref(root);
	return out;
}

START_TEST(rfc_examples)
{
	ck_assert_str_eq(at(rfc, ""), "{\"foo\":[\"bar\",\"baz\"],\"\":0,\"a/b\":1,\"c%d\":2,"
	    "\"e^f\":3,\"g|h\":4,\"i\\\\j\":5,\"k\\\"l\":6,\" \":7,\"m~n\":8}");
	ck_assert_str_eq(at(rfc, "/foo"), "[\"bar\",\"baz\"]");
	ck_assert_str_eq(at(rfc, "/foo/0"), "\"bar\"");
	ck_assert_str_eq(at(rfc, "/"), "0");
	ck_assert_str_eq(at(rfc, "/a~1b"), "1");
	ck_assert_str_eq(at(rfc, "/c%d"), "2");
	ck_assert_str_eq(at(rfc, "/e^f"), "3");
	ck_assert_str_eq(at(rfc, "/g|h"), "4");
	ck_assert_str_eq(at(rfc, "/i\\j"), "5");
	ck_assert_str_eq(at(rfc, "/k\"l"), "6");
	ck_assert_str_eq(at(rfc, "/ "), "7");
	ck_assert_str_eq(at(rfc, "/m~0n"), "8");
}
END_TEST

START_TEST(nothing_there)
{
	const char *doc = "{\"runs\": [{\"end\": \"2026-11-26T14:30:00Z\"}, {\"end\": null}],"
	    " \"n\": 3, \"~1\": \"tilde-one\", \"01\": \"zero-one\"}";

	ck_assert_str_eq(at(doc, "/runs/0/end"), "\"2026-11-26T14:30:00Z\"");
	ck_assert_str_eq(at(doc, "/runs/1/end"), "null");
	ck_assert_str_eq(at(doc, "/runs/2/end"), "(none)");   /* out of range */
	ck_assert_str_eq(at(doc, "/runs/-"), "(none)");       /* after the last */
	ck_assert_str_eq(at(doc, "/runs/01"), "(none)");      /* leading zero */
	ck_assert_str_eq(at(doc, "/runs/+1"), "(none)");
	ck_assert_str_eq(at(doc, "/runs/-1"), "(none)");
	ck_assert_str_eq(at(doc, "/runs/1e0"), "(none)");
	ck_assert_str_eq(at(doc, "/runs/"), "(none)");
	ck_assert_str_eq(at(doc, "/runs/99999999999999999999"), "(none)");
	ck_assert_str_eq(at(doc, "/missing"), "(none)");
	ck_assert_str_eq(at(doc, "/n/0"), "(none)");          /* into a number */
	ck_assert_str_eq(at(doc, "/runs/0/end/x"), "(none)"); /* into a string */
	ck_assert_str_eq(at(doc, "/RUNS"), "(none)");         /* case matters */
	/* ~01 is "~1", never "/": ~1 is replaced first in our single pass. */
	ck_assert_str_eq(at(doc, "/~01"), "\"tilde-one\"");
	/* Object members named by digits are members, leading zero or not. */
	ck_assert_str_eq(at(doc, "/01"), "\"zero-one\"");
	ck_assert_str_eq(at("[10, [20, 21]]", "/1/1"), "21");
	ck_assert_str_eq(at("\"just a string\"", ""), "\"just a string\"");
	ck_assert_str_eq(at("\"just a string\"", "/0"), "(none)");
	ck_assert_ptr_null(rp_jsonptr_get(NULL, ""));
}
END_TEST

START_TEST(validity)
{
	json_t *doc = json_loads("{\"a\": 1}", 0, NULL);

	ck_assert_int_eq(rp_jsonptr_valid(""), 1);
	ck_assert_int_eq(rp_jsonptr_valid("/"), 1);
	ck_assert_int_eq(rp_jsonptr_valid("/a/b~0~1/0"), 1);
	ck_assert_int_eq(rp_jsonptr_valid("a"), 0);
	ck_assert_int_eq(rp_jsonptr_valid("#/a"), 0);  /* the URI fragment form is not ours */
	ck_assert_int_eq(rp_jsonptr_valid("/a~"), 0);
	ck_assert_int_eq(rp_jsonptr_valid("/a~2"), 0);
	ck_assert_int_eq(rp_jsonptr_valid("/~/"), 0);
	/* An invalid pointer finds nothing, whatever the document. */
	ck_assert_ptr_null(rp_jsonptr_get(doc, "a"));
	ck_assert_ptr_null(rp_jsonptr_get(doc, "/a~"));
	ck_assert_int_eq(json_integer_value(rp_jsonptr_get(doc, "/a")), 1);
	json_decref(doc);
}
END_TEST

static void
add_tests(TCase *tc)
{
	tcase_add_test(tc, rfc_examples);
	tcase_add_test(tc, nothing_there);
	tcase_add_test(tc, validity);
}
