/* Header values from a mail server: RFC 2047 decoding, normalising, the
 * addresses of a From. Output must be valid UTF-8 of bounded size. */
#include "fuzz.h"

#include "mime.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Whether s is well-formed UTF-8 (RFC 3629: no overlongs, no surrogates). */
static int
utf8_ok(const unsigned char *s)
{
	while (*s) {
		unsigned c = *s;
		int n = c < 0x80 ? 0 : (c & 0xe0) == 0xc0 ? 1 : (c & 0xf0) == 0xe0 ? 2 :
		    (c & 0xf8) == 0xf0 ? 3 : -1;
		unsigned cp;
		int i;

		if (n < 0 || (n == 1 && c < 0xc2) || c > 0xf4)
			return 0;
		cp = n ? c & (0x3f >> n) : c;
		for (i = 1; i <= n; i++) {
			if ((s[i] & 0xc0) != 0x80)
				return 0;
			cp = cp << 6 | (s[i] & 0x3f);
		}
		if ((n == 2 && (cp < 0x800 || (cp >= 0xd800 && cp <= 0xdfff))) ||
		    (n == 3 && (cp < 0x10000 || cp > 0x10ffff)))
			return 0;
		s += n + 1;
	}
	return 1;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = fuzz_str(data, size);
	char *d = rp_mime_decode_header(s);
	char *norm = d ? rp_mime_normalize(d) : NULL;
	char **addrs;
	size_t n = rp_mime_addresses(s, &addrs);

	if (d == NULL || !utf8_ok((const unsigned char *)d))
		abort();
	rp_mime_free_list(addrs, n);
	free(norm);
	free(d);
	free(s);
	return 0;
}
