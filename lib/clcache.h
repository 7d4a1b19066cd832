/*
 * clcache: a cache of the parsed checklist, so that a run with nothing due
 * does not parse the same YAML again (libyaml and the validation were most
 * of such a run's time).
 *
 * Exact, never a guess: an entry holds a full copy of the checklist's bytes
 * and a stamp of the program that wrote it (its version, the cache format
 * and the identity of its executable: device, inode, size, modification
 * time), and is used only when the file read now is byte for byte that copy
 * and the stamp is this program's. The run evaluates the bytes it read,
 * never an older file: any mismatch, short or damaged entry, or doubt parses
 * them again and rewrites the entry (a temporary file in the same
 * directory, renamed). Only a checklist that parsed without error is
 * cached; the parse has no warnings, so a hit says what a parse would.
 *
 * Not a way in: the directory must be a directory (not a symbolic link)
 * owned by the effective user and writable by no one else, and an entry a
 * regular file owned by that user and writable by no one else, or the
 * cache is ignored (the reason goes to the caller's note). The cache never
 * fails a run: whatever goes wrong with it, the checklist is parsed.
 *
 * Entries are keyed by the checklist's path, the program and its stamp, one
 * file each (checklist-<64-bit hash>.cache); a store keeps the directory to
 * RP_CLCACHE_ENTRIES of them, removing those written longest ago, and
 * removes temporary files a killed writer left more than an hour ago.
 */
#ifndef RP_CLCACHE_H
#define RP_CLCACHE_H

#include <stddef.h>

#include "checklist.h"
#include "util.h"

#define RP_CLCACHE_ENTRIES 64
#define RP_CLCACHE_DEFAULT_DIR "/var/cache/robopager"

/* The directory to use: $CACHE_DIRECTORY's first entry (systemd's
 * CacheDirectory=) when set, else configured ([robopager] cache_dir; "none"
 * turns the cache off), else RP_CLCACHE_DEFAULT_DIR if it exists. NULL for
 * no cache. Points into the environment, configured or a constant; out
 * (size n) holds a copy when one is needed. */
const char *rp_clcache_dir(const char *configured, char *out, size_t n);

/* rp_checklist_load (the same checks of the file, the same errors) through
 * the cache in dir (NULL: none) for program. note (size notelen) receives
 * what the cache did, for -v: "hit", "miss: ..." (stored or why not), or
 * "ignored: ...". Returns 0, or -1 with err; free cl in both cases. */
int rp_checklist_load_cached(const char *path, const char *dir, const char *program,
    struct rp_checklist *cl, struct rp_err *err, char *note, size_t notelen);

/* The serialized form, for the module and its tests. stamp identifies the
 * program (rp_clcache_stamp); content (clen bytes) is the checklist's text.
 * Appends the entry to out. */
void rp_clcache_encode(const struct rp_checklist *cl, const char *stamp, const char *content,
    size_t clen, struct rp_buf *out);

/* Fills cl (path: path) from an entry of n bytes, validated throughout:
 * returns 0 only if the entry is whole and well formed, its stamp is stamp
 * and its copy of the checklist is content (clen bytes) exactly; stamp or
 * content NULL skips that comparison (for the fuzzer). -1 otherwise, cl
 * empty. */
int rp_clcache_decode(const void *buf, size_t n, const char *stamp, const char *content,
    size_t clen, const char *path, struct rp_checklist *cl);

/* This program's stamp: its version, the format and its executable's
 * identity. -1 if the executable cannot be identified (then no cache). */
int rp_clcache_stamp(char *out, size_t n);

#endif
