# etl.cfg keys of the earlier tool that this Robopager does not use: the
# run goes on, with one warning line naming file, line, section and key,
# never the value; a key nobody ever had stays a configuration error.
# Sourced by tests/run-tests.sh (see tests/lib.sh for the helpers).

LCFG="$WORK/legacy.cfg"
LCL="$WORK/legacy.yaml"
LEGACY_RK=1e9ac71e9ac71e9ac71e9ac71e9ac7aa
write_config "$LCFG" lg
sed -i "s/^api_access_key = .*/&\ntest_pd_service = $LEGACY_RK/" "$LCFG"
chmod 600 "$LCFG"
LLINE=$(grep -n '^test_pd_service' "$LCFG" | cut -d: -f1)
cat >"$LCL" <<'EOC'
lg_latency:
    type: batchy
    pd_description: "legacy"
    pd_service: "0123456789abcdef0123456789abcdef"
    wf_name: "lg_flow"
    check_time: "09:00"
    poll_sec: 60
    latency_min: 60
EOC
wf_set lg_flow '{"status":"success","batch_start":"2026-12-08T14:00:00","batch_end":"2026-12-08T14:50:00"}'
rp rp-latency-check -f "$LCFG" -y "$LCL" --now 2026-12-08T10:00
expect "legacy key: the run goes on" "OK lg_latency: lg_flow: completed 10 min ago (limit 60)" "$OUT"
expect "legacy key: one warning naming file, line, section and key" \
	"rp-latency-check: $LCFG:$LLINE: [pager_duty] test_pd_service: not used by this Robopager; ignored" "$(noclock "$ERR")"
rp rp-heartbeat -f "$LCFG" -y "$LCL" --now 2026-12-08T10:00 -n
expect_match "legacy key: rp-heartbeat says it too" "^rp-heartbeat: $LCFG:$LLINE: \[pager_duty\] test_pd_service: not used" "$ERR"
expect_no_match "legacy key: its value (a key) never printed" "$LEGACY_RK" "$OUT$ERR"
sed -i "s/^test_pd_service = /prod_pd_service = /" "$LCFG"
rp rp-latency-check -f "$LCFG" -y "$LCL" --now 2026-12-08T10:01
expect "a key nobody ever had: configuration error" 78 "$RC"
expect "a key nobody ever had: says which" "rp-latency-check: $LCFG:$LLINE: [pager_duty] prod_pd_service: unknown key" "$ERR"
