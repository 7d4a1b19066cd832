#!/usr/bin/env python3
"""A stand-in for the PagerDuty Events API v2, for tests on loopback.

It validates every event as PagerDuty documents it (routing_key of 32
characters, event_action, dedup_key of at most 255 characters, a trigger's
payload with summary of at most 1024 characters, source and severity),
answers 202 {"status":"success","message":"Event processed","dedup_key":...}
or 400 {"status":"invalid event","message":...,"errors":[...]}, and records
what it got.

Change events (POST /v2/change/enqueue) are validated as PagerDuty documents
them too: routing_key, payload.summary of at most 1024 characters, optional
source, timestamp and custom_details, no event_action.

A dead man's switch stand-in: any GET or POST to /ping/... answers 200 and
is recorded.

Incidents are modelled as PagerDuty keeps them: a trigger whose dedup_key
has no open incident opens one (a page); a trigger for an open incident is
folded into it; a resolve closes the open incident (and is ignored without
one). A "slow:N" answer processes the event first and answers N seconds
later, as a PagerDuty whose answer is lost on the way would.

A rate limit per routing key, as PagerDuty enforces one (429 beyond it):
off until set with /_limit.

Control (for tests, same port):
  POST /_fail      body: answers to give next, e.g. "429 429 500 400 slow:3 garbage";
                   "down:CODE" (or "down:slow:N") answers so until "up"
  POST /_limit     body: N events a minute per routing key (0: off); the
                   window starts afresh
  POST /_reset     forget events, incidents, scripted answers and the limit
  GET  /_events    JSON list of every event received, with the answer given
  GET  /_log       one line per event: "<http> <action> <dedup_key> <severity> <summary>"
                   (action "change" for change events)
  GET  /_pings     one line per ping: "<method> <path> <body>"
  GET  /_incidents JSON {dedup_key: {"opened": n, "open": bool, "triggers": n,
                   "resolves": n}} over the accepted events

Usage: fake_pagerduty.py PORTFILE   (binds 127.0.0.1 on a free port, writes it)
"""
import json
import re
import threading
import time
from http.server import BaseHTTPRequestHandler

from fakeserver import serve

LOCK = threading.Lock()
EVENTS = []
SCRIPT = []
PINGS = []
STICKY = [None]       # an answer given to every event until "up"
LIMIT = [0, 0.0, {}]  # events a minute per routing key, window start, counts
INCIDENTS = {}
GENERATION = [0]  # bumped by /_reset: requests begun before it are not recorded

TOP_KEYS = {"routing_key", "event_action", "dedup_key", "payload", "images", "links",
            "client", "client_url"}
PAYLOAD_KEYS = {"summary", "source", "severity", "timestamp", "component", "group",
                "class", "custom_details"}
ISO = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$")


def validate_change(ev):
    errors = []
    if not isinstance(ev, dict):
        return ["Event object is invalid"]
    for k in ev:
        if k not in ("routing_key", "payload", "links"):
            errors.append("'%s' is not a valid field" % k)
    rk = ev.get("routing_key")
    if not isinstance(rk, str) or len(rk) != 32:
        errors.append("'routing_key' is invalid (must be 32 characters)")
    p = ev.get("payload")
    if not isinstance(p, dict):
        return errors + ["'payload' is missing or not an object"]
    for k in p:
        if k not in ("summary", "source", "timestamp", "custom_details"):
            errors.append("'payload.%s' is not a valid field" % k)
    s = p.get("summary")
    if not isinstance(s, str) or not s or len(s) > 1024:
        errors.append("'payload.summary' is invalid (1 to 1024 characters)")
    ts = p.get("timestamp")
    if ts is not None and (not isinstance(ts, str) or not ISO.match(ts)):
        errors.append("'payload.timestamp' is not ISO 8601")
    return errors


def validate(ev):
    errors = []
    if not isinstance(ev, dict):
        return ["Event object is invalid"]
    for k in ev:
        if k not in TOP_KEYS:
            errors.append("'%s' is not a valid field" % k)
    rk = ev.get("routing_key")
    if not isinstance(rk, str) or len(rk) != 32:
        errors.append("'routing_key' is invalid (must be 32 characters)")
    action = ev.get("event_action")
    if action not in ("trigger", "acknowledge", "resolve"):
        errors.append("'event_action' is invalid (must be one of: trigger, acknowledge, resolve)")
    dk = ev.get("dedup_key")
    if dk is not None and (not isinstance(dk, str) or len(dk) > 255 or dk == ""):
        errors.append("'dedup_key' is invalid (must be a string of at most 255 characters)")
    if action in ("acknowledge", "resolve") and dk is None:
        errors.append("'dedup_key' is missing")
    if action == "trigger":
        p = ev.get("payload")
        if not isinstance(p, dict):
            errors.append("'payload' is missing or not an object")
        else:
            for k in p:
                if k not in PAYLOAD_KEYS:
                    errors.append("'payload.%s' is not a valid field" % k)
            s = p.get("summary")
            if not isinstance(s, str) or not s or len(s) > 1024:
                errors.append("'payload.summary' is invalid (1 to 1024 characters)")
            if not isinstance(p.get("source"), str) or not p.get("source"):
                errors.append("'payload.source' is missing")
            if p.get("severity") not in ("critical", "error", "warning", "info"):
                errors.append("'payload.severity' is invalid")
            ts = p.get("timestamp")
            if ts is not None and (not isinstance(ts, str) or not ISO.match(ts)):
                errors.append("'payload.timestamp' is not ISO 8601")
            cd = p.get("custom_details")
            if cd is not None and not isinstance(cd, dict):
                errors.append("'payload.custom_details' must be an object")
    return errors


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, fmt, *args):
        pass

    def reply(self, code, body, ctype="application/json", extra=None):
        data = body if isinstance(body, bytes) else json.dumps(body).encode()
        self.send_response(code)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(data)))
        for k, v in (extra or {}).items():
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(data)

    def body(self):
        n = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(n)

    def do_GET(self):
        with LOCK:
            events = list(EVENTS)
        if self.path.startswith("/ping/"):
            return self.ping(b"")
        if self.path == "/_pings":
            with LOCK:
                text = "".join("%s %s %s\n" % p for p in PINGS)
            return self.reply(200, text.encode(), "text/plain")
        if self.path == "/_incidents":
            with LOCK:
                return self.reply(200, dict(INCIDENTS))
        if self.path == "/_events":
            self.reply(200, events)
        elif self.path == "/_log":
            lines = []
            for e in events:
                ev = e["event"] if isinstance(e["event"], dict) else {}
                p = ev.get("payload") or {}
                action = "change" if e["path"] == "/v2/change/enqueue" else ev.get("event_action")
                lines.append("%d %s %s %s %s" % (e["http"], action,
                             ev.get("dedup_key"), p.get("severity", "-"),
                             p.get("summary", "-")))
            self.reply(200, ("\n".join(lines) + ("\n" if lines else "")).encode(), "text/plain")
        else:
            self.reply(404, {"status": "not found"})

    def do_POST(self):
        raw = self.body()
        if self.path.startswith("/ping/"):
            return self.ping(raw)
        if self.path == "/_fail":
            with LOCK:
                for w in raw.decode().split():
                    if w.startswith("down:"):
                        STICKY[0] = w[5:]
                    elif w == "up":
                        STICKY[0] = None
                    else:
                        SCRIPT.append(w)
            return self.reply(200, {"ok": True})
        if self.path == "/_limit":
            with LOCK:
                LIMIT[0] = int(raw.decode() or "0")
                LIMIT[1] = time.monotonic()
                LIMIT[2] = {}
            return self.reply(200, {"ok": True})
        if self.path == "/_reset":
            with LOCK:
                EVENTS.clear()
                SCRIPT.clear()
                PINGS.clear()
                INCIDENTS.clear()
                STICKY[0] = None
                LIMIT[0] = 0
                GENERATION[0] += 1
            return self.reply(200, {"ok": True})
        if self.path not in ("/v2/enqueue", "/v2/change/enqueue"):
            return self.reply(404, {"status": "not found"})
        with LOCK:
            step = SCRIPT.pop(0) if SCRIPT else STICKY[0]
            self.generation = GENERATION[0]
        delay = 0.0
        if step and step.startswith("slow:"):
            delay = float(step[5:])
            step = None
        try:
            ev = json.loads(raw)
        except ValueError:
            ev = raw.decode(errors="replace")
        if step is None and self.over_limit(ev):
            step = "429"
        self.delay = delay
        if step == "garbage":
            self.record(ev, 502)
            return self.reply(502, b"<html>bad gateway</html>", "text/html")
        if step == "400":
            self.record(ev, 400)
            return self.reply(400, {"status": "invalid event", "message": "Event object is invalid",
                                    "errors": ["injected 400"]})
        if step in ("429", "500", "502", "503"):
            self.record(ev, int(step))
            extra = {"Retry-After": "1"} if step == "429" else None
            return self.reply(int(step), {"status": "throttled" if step == "429" else "error",
                                          "message": "injected %s" % step}, extra=extra)
        if (self.headers.get("Content-Type") or "").split(";")[0] != "application/json":
            self.record(ev, 400)
            return self.reply(400, {"status": "invalid event", "message": "Event object is invalid",
                                    "errors": ["Content-Type must be application/json"]})
        errors = validate(ev) if self.path == "/v2/enqueue" else validate_change(ev)
        if errors:
            self.record(ev, 400)
            return self.reply(400, {"status": "invalid event", "message": "Event object is invalid",
                                    "errors": errors})
        self.record(ev, 202)
        if self.path == "/v2/enqueue":
            self.incident(ev)
        if self.delay:
            time.sleep(self.delay)
        if self.path == "/v2/change/enqueue":
            return self.reply(202, {"status": "success", "message": "Change event processed"})
        self.reply(202, {"status": "success", "message": "Event processed",
                         "dedup_key": ev.get("dedup_key") or "generated-key"})

    def over_limit(self, ev):
        with LOCK:
            if not LIMIT[0] or not isinstance(ev, dict):
                return False
            if time.monotonic() - LIMIT[1] >= 60:
                LIMIT[1] = time.monotonic()
                LIMIT[2] = {}
            rk = str(ev.get("routing_key"))
            LIMIT[2][rk] = LIMIT[2].get(rk, 0) + 1
            return LIMIT[2][rk] > LIMIT[0]

    def incident(self, ev):
        with LOCK:
            if self.generation != GENERATION[0]:
                return
            key = ev.get("dedup_key")
            inc = INCIDENTS.setdefault(key, {"opened": 0, "open": False, "triggers": 0,
                                             "resolves": 0})
            if ev.get("event_action") == "trigger":
                inc["triggers"] += 1
                if not inc["open"]:
                    inc["opened"] += 1
                    inc["open"] = True
            elif ev.get("event_action") == "resolve":
                inc["resolves"] += 1
                inc["open"] = False

    def ping(self, body):
        with LOCK:
            PINGS.append((self.command, self.path, body.decode(errors="replace")))
        self.reply(200, b"OK", "text/plain")

    def record(self, ev, code):
        with LOCK:
            if self.generation != GENERATION[0]:
                return
            EVENTS.append({"path": self.path, "http": code, "event": ev})


if __name__ == "__main__":
    serve(Handler)
