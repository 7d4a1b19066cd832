# The cache of the parsed checklist ([robopager] cache_dir,
# $CACHE_DIRECTORY): used from the second run on (said at -v), never for a
# checklist whose bytes changed (same size, same modification time
# included), ignored when it is not the user's alone, damaged entries
# rewritten, and a run gives the same results and messages with it as
# without. Sourced by tests/run-tests.sh.

CC="$WORK/clcache"
CCD="$CC/cache"
mkdir -p "$CC"
mkdir -m 700 "$CCD"
CCCFG="$CC/etl.cfg"
write_config "$CCCFG" clc
sed -i "/^\[robopager\]$/a cache_dir = $CCD" "$CCCFG"
NOCFG="$CC/nocache.cfg"
write_config "$NOCFG" clc
sed -i "/^\[robopager\]$/a cache_dir = none" "$NOCFG"
chmod 600 "$CCCFG" "$NOCFG"
CCL="$CC/list.yaml"
cat >"$CCL" <<'EOC'
alpha_check:
    type: batchy
    pd_description: "cache alpha"
    pd_service: "0123456789abcdef0123456789abcdef"
    wf_name: "clc_alpha"
    check_time: "09:00"
    poll_sec: 60
    latency_min: 60
beta_check:
    type: batchy
    pd_description: "cache beta"
    pd_service: "0123456789abcdef0123456789abcdef"
    wf_name: "clc_beta"
    check_time: "09:00"
    poll_sec: 60
    latency_min: 600
    days: [mon-fri]
EOC
chmod 600 "$CCL"
wf_set clc_alpha '{"status":"success","batch_start":"2026-11-26T14:00:00","batch_end":"2026-11-26T14:30:00"}'
wf_set clc_beta '{"status":"failed","batch_start":"2026-11-26T14:00:00","batch_end":"2026-11-26T14:30:00"}'
# A dry run (-n) at a fixed time, so that every run says the same.
clc() { rp rp-latency-check -f "${CFGFILE:-$CCCFG}" -y "$CCL" -n -v --now 2026-11-26T10:00 "$@"; }
cache_line() { printf '%s\n' "$ERR" | grep 'checklist cache: ' || true; }
# What a run says but the cache line.
said() { printf '%s\n%s\n%s\n' "$RC" "$OUTP" "$(printf '%s\n' "$ERR" | grep -v -e 'checklist cache: ' -e 'Redis round trips*, [0-9]* ms$')"; }
entry() { ls "$CCD"/checklist-*.cache 2>/dev/null | head -n 1; }

CFGFILE=$NOCFG clc
NOCACHE=$(said)
expect "clcache: cache_dir = none: no cache, and nothing said of it" "" "$(cache_line)"
expect_match "clcache: the runs evaluate" "OK alpha_check" "$OUT"

clc
expect_match "clcache: first run: a miss, stored" "checklist cache: miss .*stored in $CCD/checklist-[0-9a-f]{16}\.cache" "$(cache_line)"
expect "clcache: first run: as without a cache" "$NOCACHE" "$(said)"
E=$(entry)
expect "clcache: the entry is the user's alone" "600 $(id -u)" "$(stat -c '%a %u' "$E")"
clc
expect_match "clcache: second run: a hit" "checklist cache: hit \($CCD/" "$(cache_line)"
expect "clcache: a hit says what a parse says" "$NOCACHE" "$(said)"

# One character changed, the size and the modification time restored.
touch -r "$CCL" "$CC/stamp"
sed -i 's/^alpha_check:/alphb_check:/' "$CCL"
touch -r "$CC/stamp" "$CCL"
clc
expect_match "clcache: a change of content with the same size and time: a miss" "checklist cache: miss" "$(cache_line)"
expect_match "clcache: ... and the run evaluates the new checklist" "alphb_check" "$OUT"
expect_no_match "clcache: ... not the old one" "alpha_check" "$OUT"
clc
expect_match "clcache: the new checklist is a hit next" "checklist cache: hit" "$(cache_line)"
expect_match "clcache: ... with its own checks" "alphb_check" "$OUT"
sed -i 's/^alphb_check:/alpha_check:/' "$CCL"
touch -r "$CC/stamp" "$CCL"
clc
expect "clcache: back to the first checklist, the first results" "$NOCACHE" "$(said)"

# Damaged entries: cut short, or garbage; ignored, then rewritten.
E=$(entry)
truncate -s 40 "$E"
clc
expect_match "clcache: a truncated entry: a miss" "checklist cache: miss \(.*damaged\), stored" "$(cache_line)"
expect "clcache: ... the results as without a cache" "$NOCACHE" "$(said)"
clc
expect_match "clcache: ... rewritten: a hit next" "checklist cache: hit" "$(cache_line)"
head -c 5000 /dev/urandom >"$E"
clc
expect_match "clcache: a garbage entry: a miss" "checklist cache: miss" "$(cache_line)"
expect "clcache: ... the results as without a cache" "$NOCACHE" "$(said)"

# Not the user's alone: ignored (and said at -v), never used.
E=$(entry)
chmod 664 "$E"
clc
expect_match "clcache: an entry its group can write: not used" "checklist cache: miss \(.*can be written by its group\)" "$(cache_line)"
expect "clcache: ... the results as without a cache" "$NOCACHE" "$(said)"
E=$(entry)
chown nobody "$E"
clc
expect_match "clcache: someone else's entry: not used" "checklist cache: miss \(.*is owned by uid [0-9]+, not by uid $(id -u)" "$(cache_line)"
E=$(entry)
SUM=$(cksum <"$CCL")
ln -sf "$CCL" "$E"
clc
expect_match "clcache: a symbolic link for an entry: not used" "checklist cache: miss \(.*(Too many levels|symbolic link)" "$(cache_line)"
expect "clcache: ... what it points to untouched" "$SUM" "$(cksum <"$CCL")"
expect "clcache: ... replaced by an entry of ours" "regular file" "$(stat -c %F "$(entry)")"
rm -f "$(entry)"
chmod 777 "$CCD"
clc
expect_match "clcache: a directory every user can write: ignored" "checklist cache: ignored: $CCD can be written by every user" "$(cache_line)"
expect "clcache: ... nothing written there" "" "$(entry)"
expect "clcache: ... the results as without a cache" "$NOCACHE" "$(said)"
chmod 700 "$CCD"
chown nobody "$CCD"
clc
expect_match "clcache: someone else's directory: ignored" "checklist cache: ignored: $CCD is owned by uid" "$(cache_line)"
chown root "$CCD"
ln -s "$CCD" "$CC/link"
sed "s|^cache_dir = .*|cache_dir = $CC/link|" "$CCCFG" >"$CC/link.cfg"; chmod 600 "$CC/link.cfg"
CFGFILE="$CC/link.cfg" clc
expect_match "clcache: a symbolic link for the directory: ignored" "checklist cache: ignored: $CC/link: " "$(cache_line)"
rm -f "$CC/link"
CFGFILE="$CC/link.cfg" clc
expect_match "clcache: a directory that is not there: ignored, the run goes on" "checklist cache: ignored: $CC/link: No such file" "$(cache_line)"
expect "clcache: ... the results as without a cache" "$NOCACHE" "$(said)"

# $CACHE_DIRECTORY (systemd's CacheDirectory=) before the configuration.
mkdir -m 700 "$CC/env"
CACHE_DIRECTORY="$CC/env" clc
expect_match "clcache: \$CACHE_DIRECTORY first" "checklist cache: miss .*stored in $CC/env/" "$(cache_line)"
CACHE_DIRECTORY="$CC/env" clc
expect_match "clcache: \$CACHE_DIRECTORY: a hit next" "checklist cache: hit \($CC/env/" "$(cache_line)"

# A checklist with an error: the same error with the cache, never stored.
cp "$CCL" "$CC/good.yaml"
printf '    frobnicate: 1\n' >>"$CCL"
CFGFILE=$NOCFG clc
BAD=$(said)
expect "clcache: a bad checklist: exit 78" 78 "$RC"
clc
expect "clcache: ... the same error with the cache" "$BAD" "$(said)"
clc
expect "clcache: ... every time" "$BAD" "$(said)"
cp "$CC/good.yaml" "$CCL"
clc
expect "clcache: ... and the good one after it as before" "$NOCACHE" "$(said)"

# robopager runs both programs in its own executable: its entries are its
# own, and rp-latency-check's stay a hit.
mkdir -m 700 "$CC/rb"
CACHE_DIRECTORY="$CC/rb" clc
rbp() { CACHE_DIRECTORY="$CC/rb" rp robopager -f "$CCCFG" -y "$CCL" -n -v --now 2026-11-26T10:00; }
rbp
rbp
expect "clcache: robopager: every load a hit the second time" "hit hit hit" \
	"$(cache_line | sed -E 's/.*checklist cache: ([a-z]+).*/\1/' | tr '\n' ' ' | sed 's/ $//')"
CACHE_DIRECTORY="$CC/rb" clc
expect_match "clcache: ... and rp-latency-check's entry still a hit" "checklist cache: hit" "$(cache_line)"
# (Not under valgrind: there every program's executable is valgrind's
# own, so robopager's entries and rp-latency-check's share their stamp.)
[ -n "${RP_WRAP:-}" ] || expect "clcache: ... four entries" 4 "$(ls "$CC/rb" | wc -l)"
