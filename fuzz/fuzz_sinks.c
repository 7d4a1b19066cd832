/* What delivery reads back from Redis and from the destinations: an outbox
 * id, the refused records of an incident, an entry's body as each sink
 * turns it into a request, and any answer as each sink judges it. Never a
 * crash, whatever the bytes. */
#include "fuzz.h"

#include "config.h"
#include "deliver.h"
#include "pages.h"
#include "sink.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
count(void *arg, const char *dest, const struct rp_rejected *x)
{
	(void)dest;
	(void)x;
	(*(size_t *)arg)++;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const dests[] = {"pagerduty", "slack:team", "webhook:ops",
	    "alertmanager:http://127.0.0.1:1"};
	static char path[] = "etl.cfg", am[] = "http://127.0.0.1:1", *urls[] = {am, NULL};
	char *s = fuzz_str(data, size), d[RP_DEST_MAX], a[16];
	struct rp_config cfg;
	size_t i, n = 0;

	rp_dl_id_dest(s, d, sizeof(d));
	rp_dl_id_action(s, a, sizeof(a));
	(void)rp_dl_id_key(s);
	rp_pages_refused_each(s, count, &n);
	memset(&cfg, 0, sizeof(cfg));
	cfg.path = path;
	cfg.am_urls = urls;
	cfg.nam_urls = 1;
	cfg.am_timeout_sec = 1;
	cfg.events_url = am;
	for (i = 0; i < sizeof(dests) / sizeof(dests[0]); i++) {
		const struct rp_sink *k = rp_sink_of(dests[i]);
		struct rp_http_req q;
		struct rp_pd_result r;
		char *fp;

		memset(&q, 0, sizeof(q));
		memset(&r, 0, sizeof(r));
		/* Slack and webhooks have no section here: refused, untouched. */
		k->request(&cfg, dests[i], s, 1795000000, &q, &r);
		rp_http_req_free(&q);
		k->judge((long)(size % 600), s, s, &r);
		fp = k->fingerprint(&cfg, dests[i], s);
		free(fp);
		if (k->keep != NULL)
			free(k->keep(s));
	}
	free(s);
	return 0;
}
