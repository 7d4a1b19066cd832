/*
 * config: etl.cfg, the INI file existing Robopager installations have.
 *
 * Every key of the file format is listed in config.c; a section or key not
 * listed there, a bad value or a key set twice is an error reported as
 * "file:line: [section] key: problem". A few keys the earlier tool's files
 * carried are accepted unused, each with a notice (struct rp_config's
 * notices). Secrets (passwords, API keys) are
 * never quoted in a message and are wiped by rp_config_free().
 */
#ifndef RP_CONFIG_H
#define RP_CONFIG_H

#include "util.h"

/* Bits of [function_type] type. */
enum {
	RP_FN_EMAIL = 1 << 0,
	RP_FN_BATCHY = 1 << 1,
	RP_FN_AIRFLOW = 1 << 2,
	RP_FN_HTTP = 1 << 3,
	RP_FN_PING = 1 << 4
};
/* Any of these enables rp-latency-check, which evaluates every freshness
 * check of the checklist whichever of them is listed (a file that lists
 * only batchy keeps working when airflow and http checks are added). */
#define RP_FN_LATENCY (RP_FN_BATCHY | RP_FN_AIRFLOW | RP_FN_HTTP | RP_FN_PING)

/* The programs [function_type] runs: bit 1 << RP_PROG_LATENCY (0) for
 * rp-latency-check, 1 << RP_PROG_EMAIL (1) for rp-email-check. */
unsigned rp_config_programs(unsigned functions);

/* Where the configuration is when -f does not say. */
#define RP_DEFAULT_CONFIG "/etc/robopager/etl.cfg"
#define RP_DEFAULT_EVENTS_URL "https://events.pagerduty.com/v2/enqueue"
#define RP_DEFAULT_IMAP_URL "imaps://imap.gmail.com:993"
/* The mailbox when none is set and the server is Gmail's. */
#define RP_GMAIL_MAILBOX "[Gmail]/All Mail"

#define RP_CONFIG_MAX_NOTICES 16

/* A [http NAME] section: how the http checks whose auth: names it
 * authenticate and reach their URL. At most one of a bearer token
 * (bearer_token_file or _env) and a user with a password (username with
 * password_file or _env); or neither, for TLS settings alone. */
struct rp_http_auth {
	char *name;
	int line;                /* of its first key */
	char *bearer_token_file;
	char *bearer_token_env;
	char *username;
	char *password_file;
	char *password_env;
	char *ca_file;
	int tls_verify;          /* 1 */
	long timeout_sec;        /* 10 */
};

/* A [slack NAME] section: a Slack incoming webhook that the checks whose
 * notify: names it post to. Its URL is a secret, so it comes from a file
 * or an environment variable, read when an event is delivered. */
struct rp_slack {
	char *name;
	int line;                /* of its first key */
	char *webhook_url_file;
	char *webhook_url_env;
	int warnings;            /* also post a check going into WARNING; 0 */
	long rate_per_min;       /* messages a minute; 60 (Slack takes about
	                          * one a second per webhook) */
	char *ca_file;
	int tls_verify;          /* 1 */
	long timeout_sec;        /* 10 */
};

/* A [webhook NAME] section: an HTTP endpoint that receives Robopager's
 * versioned JSON events, signed with HMAC-SHA256 of a shared secret. */
struct rp_webhook {
	char *name;
	int line;
	char *url;
	char *secret_file;       /* the key of the signature, from a file */
	char *secret_env;        /* or an environment variable */
	int warnings;            /* also send a check going into WARNING; 0 */
	long rate_per_min;       /* 120 */
	char *ca_file;
	int tls_verify;          /* 1 */
	long timeout_sec;        /* 10 */
};

#define RP_AM_MAX_URLS 8

struct rp_config {
	char *path;

	/* Keys of the earlier tool's files that are accepted and not used, one
	 * line each for the programs to print ("etl.cfg:7: [pager_duty]
	 * test_pd_service: not used by this Robopager; ignored"); never a
	 * value. At most RP_CONFIG_MAX_NOTICES. */
	char **notices;
	size_t nnotices;

	/* [robopager] */
	char *heartbeat_service;
	long unknown_after;      /* UNKNOWN evaluations before a page; 3 */
	char *heartbeat_mode;    /* change (default), trigger, none */
	char *heartbeat_url;     /* called after each healthy heartbeat */
	char *heartbeat_method;  /* GET (default) or POST */
	long stale_after_sec;    /* 0: 3 x the largest poll_sec, at least 600 */
	long max_undelivered;    /* undelivered events before unhealthy; 5 */
	long offset_sec;         /* a standby: wait this long, then evaluate what
	                          * no other instance evaluated; 0 */
	long time_budget_sec;    /* a run ends within this; 50 */
	long max_parallel;       /* requests in flight at once; 64 */
	char *metrics_dir;       /* node_exporter's textfile directory, or NULL */
	char *cache_dir;         /* the parsed checklist's cache (clcache.h):
	                          * NULL for the default, "none" for none */

	/* [pager_duty] */
	char *pd_subdomain;      /* accepted; the Events API needs none */
	char *pd_api_access_key; /* secret; accepted, unused */
	char *events_url;
	long pd_timeout_sec;     /* 10 */
	long pd_rate_per_min;    /* events a minute per routing key; 120 */
	char *pd_ca_file;        /* NULL: the system's trust store */
	int pd_tls_verify;       /* 1; 0 only by an explicit key, with a warning */

	/* [google_apps] */
	char *email;
	char *password;          /* secret, base64 as written in the file */
	char *password_file;     /* or: a file holding the password as it is */
	char *password_env;      /* or: an environment variable holding it */
	char *imap_url;          /* imaps://imap.gmail.com:993 */
	char *mailbox;           /* [Gmail]/All Mail on imap.gmail.com, else INBOX */
	char *ca_file;           /* NULL: the system's trust store */
	long imap_timeout_sec;   /* 30 */
	int imap_tls_verify;     /* 1 */

	/* [function_type] */
	unsigned functions;      /* RP_FN_* bits */

	/* [batchy] */
	char *batchy_server;
	long batchy_port;
	long batchy_timeout_sec; /* 10 */
	char *batchy_ca_file;
	int batchy_tls_verify;   /* 1 */

	/* [airflow] */
	char *airflow_url;       /* the webserver (2.x) or API server (3.x) */
	char *airflow_api_version; /* auto (default), 1 or 2 */
	char *airflow_username;
	char *airflow_password_file; /* or */
	char *airflow_password_env;
	char *airflow_token_file;    /* or a bearer token from these */
	char *airflow_token_env;
	long airflow_timeout_sec; /* 10 */
	char *airflow_ca_file;
	int airflow_tls_verify;  /* 1 */

	/* [http NAME] sections, in file order */
	struct rp_http_auth *http;
	size_t nhttp;

	/* [slack NAME] and [webhook NAME] sections, in file order */
	struct rp_slack *slack;
	size_t nslack;
	struct rp_webhook *webhook;
	size_t nwebhook;

	/* [alertmanager]: every instance of urls gets every check's alerts */
	char *am_urls_text;      /* as written: comma separated */
	char **am_urls;          /* each without a trailing "/" */
	size_t nam_urls;
	long am_timeout_sec;     /* 10 */
	char *am_ca_file;
	int am_tls_verify;       /* 1 */

	/* [timezone] */
	char *timezone;

	/* [enable_redis] */
	int redis_enabled;       /* 1 */

	/* [redis] */
	char *redis_server;      /* 127.0.0.1 */
	long redis_port;         /* 6379 */
	long redis_db;           /* 0 */
	char *redis_password;    /* secret */
	char *redis_prefix;      /* rp */
	long redis_timeout_ms;   /* 2000 */
	/* Redis Sentinel: when set, the sentinels name the primary and
	 * server and port are not used. */
	char *redis_sentinels;   /* "host:port, host:port, ..." as written */
	char **redis_sentinel_hosts; /* parsed from it, in order */
	long *redis_sentinel_ports;
	size_t redis_nsentinels;
	char *redis_master_name;
	char *redis_sentinel_password; /* secret */
};

/* The most sentinels [redis] sentinels may list. */
#define RP_MAX_SENTINELS 16

/* Reads and validates path into cfg (which the caller zeroes or not: it is
 * overwritten). On success the configured time zone is in force (see
 * clock.h). Returns 0, or -1 with err (RP_EXIT_CONFIG, or RP_EXIT_CONFIG
 * too for a file that cannot be read). Free cfg with rp_config_free() in
 * both cases. */
int rp_config_load(const char *path, struct rp_config *cfg, struct rp_err *err);

/* The mailbox password, from whichever of [google_apps] password (base64),
 * password_file or password_env is set. The caller wipes and frees it with
 * rp_free_secret(). Returns NULL with err (RP_EXIT_CONFIG) if none is set,
 * or the file or variable cannot be read; the message never holds the
 * password. */
char *rp_config_mail_password(const struct rp_config *cfg, struct rp_err *err);

/* A secret from a file (as it is; one trailing newline ignored) or an
 * environment variable: what names the pair ("[airflow] password" for
 * password_file and password_env) in messages. file wins when both are
 * set. The caller wipes and frees it with rp_free_secret(). Returns NULL
 * with err (RP_EXIT_CONFIG) when neither is set, the file cannot be read or
 * is empty, or the variable is not set; the message never holds the
 * secret. */
char *rp_config_secret(const struct rp_config *cfg, const char *what, const char *file,
    const char *env, struct rp_err *err);

/* The [http NAME] section called name, or NULL. */
const struct rp_http_auth *rp_config_http(const struct rp_config *cfg, const char *name);
/* The [slack NAME] or [webhook NAME] section called name, or NULL. */
const struct rp_slack *rp_config_slack(const struct rp_config *cfg, const char *name);
const struct rp_webhook *rp_config_webhook(const struct rp_config *cfg, const char *name);

void rp_config_free(struct rp_config *cfg);

/* What a run must say on every run about its configuration: TLS
 * verification turned off, plain text to another host. Fills up to max
 * one-line messages; returns how many. */
#define RP_WARNING_LEN 300
size_t rp_config_warnings(const struct rp_config *cfg, char (*msg)[RP_WARNING_LEN], size_t max);

#endif
