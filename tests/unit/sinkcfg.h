/* A configuration with one destination of every kind, for the sink tests:
 * [slack team] whose URL is in a file, [webhook ops] with its secret in a
 * file, two Alertmanagers; url is where the webhooks point. */
#ifndef RP_SINKCFG_H
#define RP_SINKCFG_H

#include <check.h>
#include <stdio.h>
#include <string.h>

#include "config.h"
#include "testutil.h"

#define TEST_SLACK_URL_PATH "/services/T0/B0/5ec2e7slacktoken"
#define TEST_HOOK_SECRET "hook-secret-5ec2e7"

static inline void
sink_cfg(struct rp_config *cfg, const char *url, const char *extra)
{
	char text[2048], slack_url[600];
	struct rp_err err;
	const char *urlfile, *secretfile, *path;

	snprintf(slack_url, sizeof(slack_url), "%s%s\n", url, TEST_SLACK_URL_PATH);
	urlfile = tmpfile_with(slack_url);
	secretfile = tmpfile_with(TEST_HOOK_SECRET "\n");
	snprintf(text, sizeof(text),
	    "[timezone]\ntimezone = UTC\n"
	    "[pager_duty]\nevents_url = %s/v2/enqueue\ntimeout_sec = 3\n"
	    "[slack team]\nwebhook_url_file = %s\ntimeout_sec = 3\nwarnings = True\n"
	    "[slack quiet]\nwebhook_url_file = %s\n"
	    "[webhook ops]\nurl = %s/hook\nsecret_file = %s\ntimeout_sec = 3\n"
	    "[alertmanager]\nurls = http://127.0.0.1:1, http://127.0.0.1:2/\n%s",
	    url, urlfile, urlfile, url, secretfile, extra ? extra : "");
	path = tmpfile_with(text);
	ck_assert_msg(rp_config_load(path, cfg, &err) == 0, "%s", err.msg);
}

#endif
