/*
 * imap: reads a mailbox without changing it.
 *
 * libcurl makes the connection, verifies TLS and logs in (CONNECT_ONLY);
 * this module speaks the rest of IMAP4rev1 (RFC 3501) itself over
 * curl_easy_send/recv, because libcurl's custom requests drop the literals
 * that carry header fields. The mailbox is opened with EXAMINE (read-only)
 * and headers are fetched with BODY.PEEK, so no flag of any message changes.
 * Every command has a deadline and a cap on the size of its answer.
 */
#ifndef RP_IMAP_H
#define RP_IMAP_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "util.h"

struct rp_imap_opts {
	const char *url;          /* imaps://host[:port] or imap://host[:port] */
	const char *user;
	const char *password;     /* never copied, never in a message */
	const char *ca_file;      /* NULL: the system's trust store */
	int insecure;             /* 1: TLS certificate and host not verified */
	long timeout_ms;          /* login, and each command after it */
	long budget_ms;           /* the whole session, from rp_imap_open(); 0: none */
};

struct rp_imap_msg {
	uint32_t uid;
	time_t arrived;           /* INTERNALDATE */
	char *from;               /* raw header values, "" if absent */
	char *subject;
};

/* What EXAMINE said of the mailbox; 0 (exists: -1) when it did not say. */
struct rp_imap_box {
	uint32_t uidvalidity;
	uint32_t uidnext;         /* the UID the next message will have at least */
	long exists;              /* the number of messages */
};

struct rp_imap;

/* Connects and logs in. NULL with err (RP_EXIT_UNKNOWN) and a one-line
 * reason otherwise. */
struct rp_imap *rp_imap_open(const struct rp_imap_opts *o, struct rp_err *err);

/* Opens mailbox read-only (EXAMINE); box (may be NULL) gets what the
 * server said of it. */
int rp_imap_examine(struct rp_imap *s, const char *mailbox, struct rp_imap_box *box,
    struct rp_err *err);

/* UID SEARCH with the given criteria (built with the helpers below); *uids
 * is freed by the caller. */
int rp_imap_search(struct rp_imap *s, const char *criteria, uint32_t **uids, size_t *n,
    struct rp_err *err);

/* Arrival time, From and Subject of the given messages (BODY.PEEK). */
int rp_imap_fetch_headers(struct rp_imap *s, const uint32_t *uids, size_t n,
    struct rp_imap_msg **msgs, size_t *nmsgs, struct rp_err *err);

void rp_imap_msgs_free(struct rp_imap_msg *m, size_t n);
/* Frees what one message holds (not the message itself). */
void rp_imap_msgs_free_one(struct rp_imap_msg *m);

/* Bytes read from the server so far (for make bench). */
size_t rp_imap_bytes_read(const struct rp_imap *s);

/* Logs out (best effort) and frees s. NULL is fine. */
void rp_imap_close(struct rp_imap *s);

/* Helpers, public for the tests and fuzzers. */

/* Appends s as an IMAP quoted string; -1 (nothing appended) if s holds a
 * byte a quoted string cannot (CR, LF, NUL, 8-bit). */
int rp_imap_quote(struct rp_buf *b, const char *s);

/* "SINCE <date> OR FROM "a" FROM "b"": messages from any sender whose
 * arrival date is on or after the UTC date of since less one day (servers
 * compare dates in their own zone; the exact time is checked later). */
int rp_imap_criteria(struct rp_buf *b, time_t since, char *const *senders, size_t n);

/* The same with another field: "SINCE <date> OR SUBJECT "a" SUBJECT "b"". */
int rp_imap_criteria_of(struct rp_buf *b, time_t since, const char *field,
    char *const *values, size_t n);

/* Parses an IMAP date-time ("26-Nov-2026 08:05:00 +0100"). */
int rp_imap_parse_date(const char *s, time_t *out);

/* Parses one untagged response: SEARCH numbers appended to *uids, or one
 * FETCH into msg. Return 0 if it was one of those, 1 if it was something
 * else, -1 if it was malformed. */
int rp_imap_parse_search(const char *resp, size_t len, uint32_t **uids, size_t *n);
int rp_imap_parse_fetch(const char *resp, size_t len, struct rp_imap_msg *msg);
/* "* 172 EXISTS", "* OK [UIDVALIDITY 3857529045] ...", "* OK [UIDNEXT 4392]
 * ..." into box; the same returns. */
int rp_imap_parse_box(const char *resp, size_t len, struct rp_imap_box *box);

#endif
