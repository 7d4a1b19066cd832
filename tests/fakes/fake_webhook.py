#!/usr/bin/env python3
"""A receiver of Robopager's webhooks, and of Alertmanager's, for tests.

POST /hook/NAME: Robopager's signed event. The signature is checked as a
receiver documented in the README does: X-Robopager-Signature must be the
HMAC-SHA256 of the body, in hex, with NAME's secret (POST /_secret/NAME,
body the secret) as the key, else 401; the body must be version 1 of the
schema (keys and types; status, action and time as documented), else 400.
Answers 200 {"ok":true}, or what tests inject. Events answered 200 are
counted per incident (dedup_key): a trigger for an incident already open is
a repeat a receiver folds (counted, not reopened).

POST /am/NAME: an Alertmanager webhook notification (version "4"): each
alert of it is recorded with the instance that sent it (externalURL), and
counted per instance and dedup_key label: fired (a firing notice for an
alert not firing at that instance), open, resolved.

Control (same port):
  POST /_secret/NAME  the key of NAME's signatures
  POST /_fail         answers to give next to /hook/: "429 500 400 slow:3",
                      "down:CODE" until "up"; 429 comes with Retry-After: 1
  POST /_reset        forget everything but the secrets
  GET  /_events       JSON list: {"path", "http", "event", "signature_ok", "raw"}
  GET  /_incidents    JSON {NAME: {dedup_key: {"opened", "open", "triggers",
                      "resolves", "warnings"}}}
  GET  /_am           JSON list of the alerts notified: {"instance", "status",
                      "dedup_key", "labels"}
  GET  /_am_incidents JSON {instance: {dedup_key: {"fired", "open", "resolved"}}}

Usage: fake_webhook.py PORTFILE
"""
import hashlib
import hmac
import json
import re
import threading
import time
from http.server import BaseHTTPRequestHandler

from fakeserver import serve

LOCK = threading.Lock()
SECRETS = {}
EVENTS = []
SCRIPT = []
STICKY = [None]
INCIDENTS = {}
AM = []
AM_INC = {}
GENERATION = [0]
ISO = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$")
SCHEMA = {"version": int, "check": str, "type": str, "status": str, "action": str,
          "dedup_key": str, "summary": str, "description": (str, type(None)), "host": str,
          "details": dict, "time": str}


def validate(ev):
    if not isinstance(ev, dict):
        return "not a JSON object"
    if ev.get("version") != 1:
        return "version is not 1"
    for k, t in SCHEMA.items():
        if k not in ev:
            return "%s missing" % k
        if not isinstance(ev[k], t) or (t is int and isinstance(ev[k], bool)):
            return "%s of the wrong type" % k
    if ev["status"] not in ("OK", "WARNING", "CRITICAL", "UNKNOWN"):
        return "status %r" % ev["status"]
    if ev["action"] not in ("trigger", "resolve", "warning"):
        return "action %r" % ev["action"]
    if not ev["dedup_key"] or not ISO.match(ev["time"]):
        return "dedup_key or time"
    return None


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, fmt, *args):
        pass

    def reply(self, code, body, extra=None):
        data = json.dumps(body).encode()
        self.send_response(code)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        for k, v in (extra or {}).items():
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self):
        with LOCK:
            out = {"/_events": list(EVENTS), "/_incidents": INCIDENTS, "/_am": list(AM),
                   "/_am_incidents": AM_INC}.get(self.path)
            out = json.loads(json.dumps(out)) if out is not None else None
        if out is None:
            return self.reply(404, {"error": "not found"})
        self.reply(200, out)

    def do_POST(self):
        raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        if self.path.startswith("/_secret/"):
            with LOCK:
                SECRETS[self.path[9:]] = raw
            return self.reply(200, {"ok": True})
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
        if self.path == "/_reset":
            with LOCK:
                for v in (EVENTS, SCRIPT, AM):
                    v.clear()
                INCIDENTS.clear()
                AM_INC.clear()
                STICKY[0] = None
                GENERATION[0] += 1
            return self.reply(200, {"ok": True})
        if self.path.startswith("/am/"):
            return self.alertmanager(raw)
        if not self.path.startswith("/hook/"):
            return self.reply(404, {"error": "not found"})
        name = self.path[6:]
        with LOCK:
            step = SCRIPT.pop(0) if SCRIPT else STICKY[0]
            gen = GENERATION[0]
            secret = SECRETS.get(name)
        delay = 0.0
        if step and step.startswith("slow:"):
            delay, step = float(step[5:]), None
        try:
            ev = json.loads(raw)
        except ValueError:
            ev = None
        want = hmac.new(secret, raw, hashlib.sha256).hexdigest() if secret is not None else None
        ok = want is not None and hmac.compare_digest(
            want, self.headers.get("X-Robopager-Signature") or "")
        if step in ("429", "500", "502", "503", "400", "404"):
            self.record(name, ev, int(step), ok, gen, raw)
            return self.reply(int(step), {"error": "injected %s" % step},
                              {"Retry-After": "1"} if step == "429" else None)
        if not ok:
            self.record(name, ev, 401, ok, gen, raw)
            return self.reply(401, {"error": "bad signature"})
        why = validate(ev)
        if why:
            self.record(name, ev, 400, ok, gen, raw)
            return self.reply(400, {"error": why})
        self.record(name, ev, 200, ok, gen, raw)
        with LOCK:
            if gen == GENERATION[0]:
                inc = INCIDENTS.setdefault(name, {}).setdefault(ev["dedup_key"], {
                    "opened": 0, "open": False, "triggers": 0, "resolves": 0, "warnings": 0})
                if ev["action"] == "trigger":
                    inc["triggers"] += 1
                    if not inc["open"]:
                        inc["opened"] += 1
                        inc["open"] = True
                elif ev["action"] == "resolve":
                    inc["resolves"] += 1
                    inc["open"] = False
                else:
                    inc["warnings"] += 1
        if delay:
            time.sleep(delay)
        self.reply(200, {"ok": True})

    def record(self, name, ev, code, ok, gen, raw):
        with LOCK:
            if gen == GENERATION[0]:
                EVENTS.append({"path": self.path, "http": code, "event": ev, "signature_ok": ok,
                               "raw": raw.decode(errors="replace")})

    def alertmanager(self, raw):
        try:
            n = json.loads(raw)
        except ValueError:
            return self.reply(400, {"error": "not JSON"})
        if not isinstance(n, dict) or n.get("version") != "4" or not isinstance(n.get("alerts"), list):
            return self.reply(400, {"error": "not an Alertmanager notification"})
        inst = n.get("externalURL", "?")
        with LOCK:
            for a in n["alerts"]:
                key = (a.get("labels") or {}).get("dedup_key", "?")
                AM.append({"instance": inst, "status": a.get("status"), "dedup_key": key,
                           "labels": a.get("labels")})
                inc = AM_INC.setdefault(inst, {}).setdefault(key, {"fired": 0, "open": False,
                                                                   "resolved": 0})
                if a.get("status") == "firing" and not inc["open"]:
                    inc["fired"] += 1
                    inc["open"] = True
                elif a.get("status") == "resolved" and inc["open"]:
                    inc["resolved"] += 1
                    inc["open"] = False
        self.reply(200, {"ok": True})


if __name__ == "__main__":
    serve(Handler)
