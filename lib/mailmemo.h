/*
 * mailmemo: what an email check's searches found in its mailbox today,
 * kept in the check's record (the "mail_memo" field) so that the next run
 * searches only the messages that arrived since.
 *
 * A memo holds the mailbox's UIDVALIDITY, the highest UID examined and the
 * number of messages the mailbox held then, and the messages that can still
 * matter today (arrived at or after delivery_time, from an expected sender
 * or with an expected subject) in the two lists the searches make: by
 * sender, and by subject (the near misses). It is used only for the same
 * local day, mailbox and check criteria, the same UIDVALIDITY, and a
 * mailbox that lost no message since (its count is what the memo's count
 * and the new messages make); otherwise the run searches the whole day.
 * Results are the same either way; the memo only saves the server's work.
 */
#ifndef RP_MAILMEMO_H
#define RP_MAILMEMO_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "checklist.h"
#include "clock.h"
#include "config.h"
#include "imap.h"

/* At most this many messages in each list; a day with more is not memoed. */
#define RP_MAIL_MEMO_MAX 64
#define RP_MAIL_MEMO_ID_LEN 17

/* Messages by ascending UID; owned. */
struct rp_mail_list {
	struct rp_imap_msg *m;
	size_t n;
};

struct rp_mail_memo {
	char id[RP_MAIL_MEMO_ID_LEN];  /* the mailbox and the check's criteria */
	char day[RP_DATE_LEN];         /* the local date it is for */
	uint32_t uidvalidity;
	uint32_t high;                 /* the highest UID examined */
	long exists;                   /* the mailbox's messages then */
	struct rp_mail_list by_sender;
	struct rp_mail_list by_subject;
};

/* The id of c's searches in cfg's mailbox: a hash of the server, user,
 * mailbox, senders, subjects, subject_match and delivery_time. */
void rp_mail_memo_id(const struct rp_config *cfg, const struct rp_check *c,
    char id[RP_MAIL_MEMO_ID_LEN]);

/* Parses a memo (JSON) into m; -1, m cleared, for anything malformed. */
int rp_mail_memo_parse(const char *s, struct rp_mail_memo *m);

/* The memo as JSON (malloc'ed), or NULL when it would exceed the limits. */
char *rp_mail_memo_dump(const struct rp_mail_memo *m);

void rp_mail_memo_clear(struct rp_mail_memo *m);

/* Appends the n messages of add (all newer than l's) to l, taking what they
 * hold; add itself is freed. */
void rp_mail_list_take(struct rp_mail_list *l, struct rp_imap_msg *add, size_t n);

/* Sorts l by UID. */
void rp_mail_list_sort(struct rp_mail_list *l);

/* Drops from l the messages that cannot matter to c today (see above). */
void rp_mail_list_keep(struct rp_mail_list *l, const struct rp_check *c, time_t now);

#endif
