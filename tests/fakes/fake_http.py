#!/usr/bin/env python3
"""A stand-in for any HTTP JSON status endpoint (an http check's url), for
tests on loopback: GET <path> answers the JSON a test set for that path,
after checking the credentials the test asked for, or 404.

Control (same port; PATH is the served path without its leading slash,
percent-encoded as one segment by the helpers):
  PUT  /_set/PATH    body: the JSON document to serve at /PATH
  POST /_auth/PATH   body: "bearer TOKEN" or "basic USER:PASSWORD" (required
                     from then on: 401 without it) or "" (none)
  POST /_mode/PATH   body: ok | 500 | garbage | huge | slow:SECONDS | close
  GET  /_hits/PATH   {"hits": N, "auth": [the Authorization kinds received]}

For make bench: FAKE_HTTP_DELAY (seconds) delays every answer, and
FAKE_HTTP_DEFAULT (a JSON document) answers paths no test has set.

Usage: fake_http.py PORTFILE
"""
import base64
import json
import os
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler

from fakeserver import serve

LOCK = threading.Lock()
DOCS, AUTH, MODE, HITS = {}, {}, {}, {}
DELAY = float(os.environ.get("FAKE_HTTP_DELAY") or 0)
DEFAULT = os.environ.get("FAKE_HTTP_DEFAULT")


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, fmt, *args):
        pass

    def reply(self, code, data, ctype="application/json", headers=()):
        if not isinstance(data, bytes):
            data = json.dumps(data).encode()
        self.send_response(code)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(data)))
        for k, v in headers:
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(data)

    def key(self, prefix):
        return urllib.parse.unquote(self.path[len(prefix):])

    def do_GET(self):
        if self.path.startswith("/_hits/"):
            with LOCK:
                h = HITS.get(self.key("/_hits/"), [])
                return self.reply(200, {"hits": len(h), "auth": h})
        path = urllib.parse.urlsplit(self.path).path.lstrip("/")
        given = self.headers.get("Authorization") or ""
        with LOCK:
            HITS.setdefault(path, []).append(given.split(" ")[0] if given else "none")
            mode = MODE.get(path, "ok")
            doc = DOCS.get(path, DEFAULT)
            want = AUTH.get(path, "")
        if mode.startswith("slow:"):
            time.sleep(float(mode[5:]))
        elif mode == "500":
            return self.reply(500, b"Internal Server Error", "text/plain")
        elif mode == "garbage":
            return self.reply(200, b"\x00\xffnot json at all{{", "text/plain")
        elif mode == "huge":
            return self.reply(200, b'{"pad": "' + b"x" * (3 * 1024 * 1024) + b'"}')
        elif mode == "close":
            self.close_connection = True
            return
        if want:
            kind, cred = want.split(" ", 1)
            expect = "Bearer " + cred if kind == "bearer" else \
                "Basic " + base64.b64encode(cred.encode()).decode()
            if given != expect:
                return self.reply(401, {"error": "unauthorized"},
                                  headers=[("WWW-Authenticate", "Bearer" if kind == "bearer" else "Basic")])
        if DELAY:
            time.sleep(DELAY)
        if doc is None:
            return self.reply(404, {"error": "not found"})
        self.reply(200, doc.encode() if isinstance(doc, str) else doc)

    def do_PUT(self):
        n = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(n).decode()
        if not self.path.startswith("/_set/"):
            return self.reply(404, {"error": "not found"})
        with LOCK:
            DOCS[self.key("/_set/")] = body
        self.reply(200, {"ok": True})

    def do_POST(self):
        n = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(n).decode().strip()
        with LOCK:
            if self.path.startswith("/_auth/"):
                AUTH[self.key("/_auth/")] = body
            elif self.path.startswith("/_mode/"):
                MODE[self.key("/_mode/")] = body
            else:
                return self.reply(404, {"error": "not found"})
        self.reply(200, {"ok": True})


if __name__ == "__main__":
    serve(Handler)
