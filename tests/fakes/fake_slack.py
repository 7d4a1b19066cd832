#!/usr/bin/env python3
"""A stand-in for Slack's incoming webhooks, for tests on loopback.

POST /services/T.../B.../... takes a message as Slack documents it for
incoming webhooks: a JSON object (Content-Type application/json) with a
non-empty "text" or a non-empty "blocks" list; blocks of the types
Robopager may send, within Block Kit's limits (at most 50 blocks; a header's
plain_text of at most 150 characters; a section's text of at most 3000, or
1 to 10 fields of at most 2000; a context's 1 to 10 elements). It answers
200 "ok", or as Slack does: 400 invalid_payload / invalid_blocks / no_text,
and what tests inject.

Each message delivered is counted per incident, read from its context line
("<type> check `<name>` | <action> `<dedup_key>` | ..."): a channel folds
nothing, so a second trigger for one incident is a duplicate.

Control (same port):
  POST /_fail       answers to give next: "429 429 500 404 410 slow:3";
                    "down:CODE" (or "down:slow:N") until "up"; 429 comes
                    with Retry-After: 1
  POST /_reset      forget messages and scripted answers
  GET  /_messages   JSON list: {"path", "http", "message", "raw"} of every request
  GET  /_log        one line per request: "<http> <path> <text>"
  GET  /_incidents  JSON {dedup_key: {"trigger": n, "resolve": n, "warning": n}}
                    over the messages answered 200

Usage: fake_slack.py PORTFILE
"""
import json
import re
import threading
import time
from http.server import BaseHTTPRequestHandler

from fakeserver import serve

LOCK = threading.Lock()
MESSAGES = []
SCRIPT = []
STICKY = [None]
INCIDENTS = {}
GENERATION = [0]
TOP = {"text", "blocks", "attachments", "username", "icon_emoji", "icon_url", "channel",
       "mrkdwn", "unfurl_links", "unfurl_media", "thread_ts"}
CONTEXT = re.compile(r"\| (trigger|resolve|warning) `([^`]+)` \|")
WORDS = {"400": "invalid_payload", "403": "action_prohibited", "404": "no_service",
         "410": "channel_is_archived", "429": "rate_limited", "500": "rollup_error",
         "502": "bad gateway", "503": "service unavailable"}


def text_obj(t, kinds=("plain_text", "mrkdwn"), limit=3000):
    if not isinstance(t, dict) or t.get("type") not in kinds:
        return "a text object of type %s" % "/".join(kinds)
    s = t.get("text")
    if not isinstance(s, str) or not s or len(s) > limit:
        return "text of 1 to %d characters" % limit
    if t["type"] == "mrkdwn" and re.search(r"<(?![@#!]|https?://|mailto:)", s):
        pass  # Slack shows a bare "<" as it is; ours are escaped anyway
    return None


def validate(m):
    if not isinstance(m, dict):
        return "invalid_payload"
    for k in m:
        if k not in TOP:
            return "invalid_payload"
    text, blocks = m.get("text"), m.get("blocks")
    if text is not None and not isinstance(text, str):
        return "invalid_payload"
    if blocks is None:
        return None if text else "no_text"
    if not isinstance(blocks, list) or not blocks or len(blocks) > 50:
        return "invalid_blocks"
    for b in blocks:
        if not isinstance(b, dict):
            return "invalid_blocks"
        t = b.get("type")
        if t == "header":
            if text_obj(b.get("text"), ("plain_text",), 150):
                return "invalid_blocks"
        elif t == "section":
            if "text" in b and text_obj(b["text"]):
                return "invalid_blocks"
            f = b.get("fields")
            if f is not None and (not isinstance(f, list) or not 1 <= len(f) <= 10 or
                                  any(text_obj(x, limit=2000) for x in f)):
                return "invalid_blocks"
            if "text" not in b and f is None:
                return "invalid_blocks"
        elif t == "context":
            e = b.get("elements")
            if not isinstance(e, list) or not 1 <= len(e) <= 10 or any(text_obj(x) for x in e):
                return "invalid_blocks"
        elif t != "divider":
            return "invalid_blocks"
    return None


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, fmt, *args):
        pass

    def reply(self, code, body, ctype="text/plain", extra=None):
        data = body if isinstance(body, bytes) else (
            body.encode() if isinstance(body, str) else json.dumps(body).encode())
        self.send_response(code)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(data)))
        for k, v in (extra or {}).items():
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self):
        with LOCK:
            msgs = list(MESSAGES)
            inc = json.loads(json.dumps(INCIDENTS))
        if self.path == "/_messages":
            return self.reply(200, msgs, "application/json")
        if self.path == "/_incidents":
            return self.reply(200, inc, "application/json")
        if self.path == "/_log":
            lines = ["%d %s %s" % (m["http"], m["path"], (m["message"] or {}).get("text", "-")
                                   if isinstance(m["message"], dict) else "-") for m in msgs]
            return self.reply(200, "".join(l + "\n" for l in lines))
        self.reply(404, "not found")

    def do_POST(self):
        raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        if self.path == "/_fail":
            with LOCK:
                for w in raw.decode().split():
                    if w.startswith("down:"):
                        STICKY[0] = w[5:]
                    elif w == "up":
                        STICKY[0] = None
                    else:
                        SCRIPT.append(w)
            return self.reply(200, "ok")
        if self.path == "/_reset":
            with LOCK:
                MESSAGES.clear()
                SCRIPT.clear()
                INCIDENTS.clear()
                STICKY[0] = None
                GENERATION[0] += 1
            return self.reply(200, "ok")
        if not self.path.startswith("/services/"):
            return self.reply(404, "no_service")
        with LOCK:
            step = SCRIPT.pop(0) if SCRIPT else STICKY[0]
            gen = GENERATION[0]
        delay = 0.0
        if step and step.startswith("slow:"):
            delay, step = float(step[5:]), None
        try:
            m = json.loads(raw)
        except ValueError:
            m = None
        if step in WORDS:
            self.record(m, int(step), gen, raw)
            extra = {"Retry-After": "1"} if step == "429" else None
            return self.reply(int(step), WORDS[step], extra=extra)
        ctype = (self.headers.get("Content-Type") or "").split(";")[0]
        why = "invalid_payload" if ctype != "application/json" else validate(m)
        if why:
            self.record(m, 400, gen, raw)
            return self.reply(400, why)
        self.record(m, 200, gen, raw)
        self.incident(m, gen)
        if delay:
            time.sleep(delay)
        self.reply(200, "ok")

    def record(self, m, code, gen, raw):
        with LOCK:
            if gen == GENERATION[0]:
                MESSAGES.append({"path": self.path, "http": code, "message": m,
                                 "raw": raw.decode(errors="replace")})

    def incident(self, m, gen):
        ctx = " ".join(e.get("text", "") for b in m.get("blocks") or [] if b.get("type") == "context"
                       for e in b.get("elements") or [])
        found = CONTEXT.search(ctx)
        if not found:
            return
        with LOCK:
            if gen != GENERATION[0]:
                return
            inc = INCIDENTS.setdefault(found.group(2), {"trigger": 0, "resolve": 0, "warning": 0})
            inc[found.group(1)] += 1


if __name__ == "__main__":
    serve(Handler)
