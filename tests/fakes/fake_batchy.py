#!/usr/bin/env python3
"""A stand-in for batchy's status API, for tests on loopback.

GET /get_status/<wf_name> answers {"global": {...}} as set by a test, or 404
for a workflow it does not know.

Control (same port):
  PUT  /_set/<wf>    body: the JSON of "global" (status, batch_start, batch_end)
  POST /_mode/<wf>   body: ok | 500 | garbage | huge | slow:SECONDS | close
  GET  /_hits/<wf>   how many status requests the workflow got

For make bench: FAKE_BATCHY_DELAY (seconds) delays every status answer,
and FAKE_BATCHY_DEFAULT (the JSON of "global") answers workflows no test
has set.

Usage: fake_batchy.py PORTFILE
"""
import json
import os
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler

from fakeserver import serve

LOCK = threading.Lock()
STATE = {}
MODE = {}
HITS = {}
DELAY = float(os.environ.get("FAKE_BATCHY_DELAY") or 0)
DEFAULT = json.loads(os.environ["FAKE_BATCHY_DEFAULT"]) if os.environ.get("FAKE_BATCHY_DEFAULT") else None


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, fmt, *args):
        pass

    def reply(self, code, data, ctype="application/json"):
        if not isinstance(data, bytes):
            data = json.dumps(data).encode()
        self.send_response(code)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def wf(self, prefix):
        return urllib.parse.unquote(self.path[len(prefix):])

    def do_GET(self):
        if self.path.startswith("/_hits/"):
            with LOCK:
                return self.reply(200, {"hits": HITS.get(self.wf("/_hits/"), 0)})
        if not self.path.startswith("/get_status/"):
            return self.reply(404, {"error": "not found"})
        wf = self.wf("/get_status/")
        with LOCK:
            HITS[wf] = HITS.get(wf, 0) + 1
            mode = MODE.get(wf, "ok")
            glob = STATE.get(wf)
        if mode.startswith("slow:"):
            time.sleep(float(mode[5:]))
        elif mode == "500":
            return self.reply(500, b"Internal Server Error", "text/plain")
        elif mode == "garbage":
            return self.reply(200, b"\x00\xffnot json at all{{", "text/plain")
        elif mode == "huge":
            return self.reply(200, b'{"global": {"pad": "' + b"x" * (3 * 1024 * 1024) + b'"}}')
        elif mode == "close":
            self.close_connection = True
            return
        if DELAY:
            time.sleep(DELAY)
        if glob is None and DEFAULT is not None:
            glob = DEFAULT
        if glob is None:
            return self.reply(404, {"error": "unknown workflow %s" % wf})
        self.reply(200, {"name": wf, "global": glob})

    def do_PUT(self):
        n = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(n)
        if not self.path.startswith("/_set/"):
            return self.reply(404, {"error": "not found"})
        with LOCK:
            STATE[self.wf("/_set/")] = json.loads(body)
        self.reply(200, {"ok": True})

    def do_POST(self):
        n = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(n).decode().strip()
        if not self.path.startswith("/_mode/"):
            return self.reply(404, {"error": "not found"})
        with LOCK:
            MODE[self.wf("/_mode/")] = body
        self.reply(200, {"ok": True})


if __name__ == "__main__":
    serve(Handler)
