#define UNIT_NAME "mime"
#include <string.h>

#include "mime.h"
#include "unit.h"

static void
dec(const char *raw, const char *want)
{
	char *got = rp_mime_decode_header(raw);
	ck_assert_msg(strcmp(got, want) == 0, "decode(%s) = [%s], want [%s]", raw, got, want);
	free(got);
}

START_TEST(rfc2047)
{
	dec("Daily report", "Daily report");
	dec("=?UTF-8?B?RGFpbHkgcmVwb3J0IMOp?=", "Daily report \xc3\xa9");
	dec("=?ISO-8859-1?Q?caf=E9_au_lait?=", "caf\xc3\xa9 au lait");
	dec("=?utf-8?q?a?= =?utf-8?q?b?=", "ab");
	dec("=?utf-8?q?a?=\r\n =?utf-8?q?b?=", "ab");
	dec("Hello =?UTF-8?Q?W=C3=B6rld?= !", "Hello W\xc3\xb6rld !");
	dec("=?UTF-8*en?Q?lang?=", "lang");
	dec("=?windows-1252?Q?=93quoted=94?=", "\xe2\x80\x9cquoted\xe2\x80\x9d");
	/* Not encoded words: left as they are. */
	dec("=?utf-8?b?not base64?=", "=?utf-8?b?not base64?=");
	dec("=?X-NO-SUCH-CHARSET?Q?a?=", "=?X-NO-SUCH-CHARSET?Q?a?=");
	dec("=?utf-8?x?a?=", "=?utf-8?x?a?=");
	dec("=?utf-8?q?unterminated", "=?utf-8?q?unterminated");
	dec("2+2=4? yes", "2+2=4? yes");
	/* Invalid UTF-8 after decoding becomes U+FFFD. */
	dec("=?utf-8?q?=FF?=", "\xef\xbf\xbd");
}
END_TEST

START_TEST(folding)
{
	dec("Daily\r\n report", "Daily report");
	dec("  Daily \t report\r\n\t(final)  ", "Daily report (final)");
	dec("=?UTF-8?B?RGFpbHk=?=\r\n =?UTF-8?B?IHJlcG9ydA==?=", "Daily report");
	dec("", "");
}
END_TEST

static void
addrs(const char *raw, size_t want_n, const char *a0, const char *a1)
{
	char **v;
	size_t n = rp_mime_addresses(raw, &v);

	ck_assert_msg(n == want_n, "addresses(%s): %zu, want %zu", raw, n, want_n);
	if (n > 0)
		ck_assert_str_eq(v[0], a0);
	if (n > 1)
		ck_assert_str_eq(v[1], a1);
	rp_mime_free_list(v, n);
}

START_TEST(addresses)
{
	addrs("reports@vendor.example", 1, "reports@vendor.example", NULL);
	addrs("\"Vendor, Inc\" <Reports@Vendor.Example>", 1, "reports@vendor.example", NULL);
	addrs("a@b.example, Name <c@d.example>", 2, "a@b.example", "c@d.example");
	addrs("a@b.example (Some (nested) comment, with comma)", 1, "a@b.example", NULL);
	addrs("=?UTF-8?Q?N=C3=A4me?= <x@y.example>", 1, "x@y.example", NULL);
	addrs("\"fake <evil@x.example>\" <real@y.example>", 1, "real@y.example", NULL);
	addrs("undisclosed-recipients:;", 0, NULL, NULL);
	addrs("", 0, NULL, NULL);
}
END_TEST

START_TEST(base64)
{
	size_t n;
	char *s;

	s = rp_base64_decode("cGFzc3dvcmQ=", 12, &n);
	ck_assert_str_eq(s, "password");
	ck_assert_uint_eq(n, 8);
	free(s);
	s = rp_base64_decode("cGFzc3dvcmQ", 11, &n);
	ck_assert_str_eq(s, "password");
	free(s);
	s = rp_base64_decode("", 0, &n);
	ck_assert_str_eq(s, "");
	free(s);
	ck_assert_ptr_null(rp_base64_decode("cGFz*3dvcmQ=", 12, &n));
	ck_assert_ptr_null(rp_base64_decode("cGF=zc3d", 8, &n));
	ck_assert_ptr_null(rp_base64_decode("c===", 4, &n));
	ck_assert_ptr_null(rp_base64_decode("cGFzc3dvcmQ=\n", 13, &n));
}
END_TEST

static void
add_tests(TCase *tc)
{
	tcase_add_test(tc, rfc2047);
	tcase_add_test(tc, folding);
	tcase_add_test(tc, addresses);
	tcase_add_test(tc, base64);
}
