#define _POSIX_C_SOURCE 200809L
#include "source.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "checklist.h"

extern const struct rp_source rp_src_batchy;
extern const struct rp_source rp_src_airflow;
extern const struct rp_source rp_src_http;

/* Every freshness source; a new one is one line here. */
static const struct rp_source *const sources[] = {
	&rp_src_batchy,
	&rp_src_airflow,
	&rp_src_http,
};

const struct rp_source *
rp_source_find(const char *name)
{
	size_t i;

	for (i = 0; i < sizeof(sources) / sizeof(sources[0]); i++)
		if (strcmp(sources[i]->name, name) == 0)
			return sources[i];
	return NULL;
}

int
rp_source_validate(const struct rp_config *cfg, const struct rp_check *c,
    const char *checklist, struct rp_err *err)
{
	const struct rp_source *src = rp_source_find(rp_check_type_name(c->type));

	if (src == NULL || src->validate == NULL)
		return 0;
	return src->validate(cfg, c, checklist, err);
}

int
rp_src_fail(struct rp_src_result *out, const char *fmt, ...)
{
	va_list ap;

	out->ok = 0;
	va_start(ap, fmt);
	vsnprintf(out->why, sizeof(out->why), fmt, ap);
	va_end(ap);
	return -1;
}

void
rp_src_fact(struct rp_src_result *out, const char *name, const char *fmt, ...)
{
	va_list ap;

	if (out->nfacts == RP_SRC_MAX_FACTS)
		return;
	out->facts[out->nfacts].name = name;
	va_start(ap, fmt);
	vsnprintf(out->facts[out->nfacts].value, sizeof(out->facts[0].value), fmt, ap);
	va_end(ap);
	out->nfacts++;
}
