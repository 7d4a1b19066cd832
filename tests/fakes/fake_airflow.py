#!/usr/bin/env python3
"""A stand-in for Airflow's REST API, for tests on loopback: the stable API
v1 of Airflow 2's webserver and API v2 of Airflow 3's API server, as
Airflow documents them.

Served (as the server version set with /_server allows):
  2.x  GET /api/v1/version                    (no credentials needed)
       GET /api/v1/dags/<dag_id>              DAG (is_paused), or 404 problem+json
       GET /api/v1/dags/<dag_id>/dagRuns      {"dag_runs": [...], "total_entries": N};
                                              an unknown DAG is an empty list, as v1 has it
       basic auth (or a bearer token set with /_token); 401 problem+json
       {"detail", "status", "title", "type"} with WWW-Authenticate: Basic
  3.x  POST /auth/token                       {"username", "password"} (JSON) ->
                                              201 {"access_token": "<JWT>"}; 401
                                              {"detail": "Invalid credentials"}
       GET /api/v2/version                    (no credentials needed)
       GET /api/v2/dags/<dag_id>              or 404 {"detail": "Dag with id ... was not found"}
       GET /api/v2/dags/<dag_id>/dagRuns      or 404 {"detail": "The DAG with dag_id: `...` was not found"}
       Authorization: Bearer <a JWT it issued, or the token set with /_token>;
       401 {"detail": "Not authenticated"} / {"detail": "Invalid JWT token"}
  order_by is checked against the fields each version sorts by (400
  otherwise), limit must be a whole number from 1 (400/422 otherwise) and
  is capped at 100 (maximum_page_limit); runs are sorted as asked.

Control (same port):
  PUT  /_dag/<dag_id>   body {"runs": [{"id", "state", "logical", "start", "end"}...],
                        "is_paused": bool}; times as ISO-8601 (Z); logical may be null
  DELETE /_dag/<dag_id> forget it (then it does not exist)
  POST /_server         body: 2 (a 2.x webserver: v2 paths and /auth/token 404),
                        3 (a 3.x API server: v1 paths 404; the default) or both
  POST /_users          body "user:password" (default robopager:af-pass-5ec2e7)
  POST /_token          body: a static bearer token both versions accept ("" none)
  POST /_mode/<key>     body: ok | 500 | garbage | huge | slow:SECONDS | close | 401 | 403 | 404
                        for a dag_id's requests, or key _token for /auth/token
  GET  /_hits/<key>     requests a dag_id (runs and DAG) or _token got, and how
                        many of them carried which auth: {"hits", "basic", "bearer", "none"}
  GET  /_log            one line per API request: "<method> <path?query> <auth kind> <status>"
  POST /_reset          all of the above back to its start

For make bench: FAKE_AIRFLOW_DELAY (seconds) delays every API answer, and
FAKE_AIRFLOW_DEFAULT (the JSON of /_dag's body) answers DAGs no test has set.

Usage: fake_airflow.py PORTFILE
"""
import base64
import json
import os
import secrets
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler

from fakeserver import serve

LOCK = threading.Lock()
DELAY = float(os.environ.get("FAKE_AIRFLOW_DELAY") or 0)
DEFAULT = json.loads(os.environ["FAKE_AIRFLOW_DEFAULT"]) if os.environ.get("FAKE_AIRFLOW_DEFAULT") else None
V1_ORDER = {"id", "state", "dag_id", "execution_date", "dag_run_id", "start_date", "end_date",
            "updated_at", "external_trigger", "conf"}
V2_ORDER = {"id", "state", "dag_id", "run_id", "dag_run_id", "logical_date", "run_after",
            "start_date", "end_date", "updated_at", "conf", "duration"}
MAX_PAGE = 100


def fresh():
    return {"dags": {}, "server": "3", "user": "robopager", "password": "af-pass-5ec2e7",
            "token": "", "jwts": set(), "mode": {}, "hits": {}, "log": []}


S = fresh()


def v1_time(t):
    """Airflow 2 writes +00:00."""
    return None if t is None else t.replace("Z", "+00:00")


def v2_time(t):
    """Airflow 3 (pydantic) writes Z."""
    return None if t is None else t.replace("+00:00", "Z")


def jwt():
    def b64(d):
        return base64.urlsafe_b64encode(json.dumps(d).encode()).rstrip(b"=").decode()
    sig = base64.urlsafe_b64encode(secrets.token_bytes(32)).rstrip(b"=").decode()
    return "%s.%s.%s" % (b64({"alg": "HS512", "typ": "JWT"}),
                         b64({"sub": "1", "jti": secrets.token_hex(8), "exp": int(time.time()) + 86400}), sig)


def problem(status, title, detail, kind):
    return {"detail": detail, "status": status, "title": title,
            "type": "https://airflow.apache.org/docs/apache-airflow/2.10.5/"
                    "stable-rest-api-ref.html#section/Errors/" + kind}


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
        self.status = code

    def body(self):
        n = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(n)

    # --- control -------------------------------------------------------

    def control(self, method):
        path = urllib.parse.unquote(self.path)
        with LOCK:
            if method == "PUT" and path.startswith("/_dag/"):
                S["dags"][path[6:]] = json.loads(self.body())
            elif method == "DELETE" and path.startswith("/_dag/"):
                S["dags"].pop(path[6:], None)
            elif method == "POST" and path == "/_server":
                S["server"] = self.body().decode().strip()
            elif method == "POST" and path == "/_users":
                S["user"], S["password"] = self.body().decode().split(":", 1)
            elif method == "POST" and path == "/_token":
                S["token"] = self.body().decode().strip()
            elif method == "POST" and path.startswith("/_mode/"):
                S["mode"][path[7:]] = self.body().decode().strip()
            elif method == "GET" and path.startswith("/_hits/"):
                h = S["hits"].get(path[7:], {})
                return self.reply(200, {"hits": sum(h.values()), "basic": h.get("basic", 0),
                                        "bearer": h.get("bearer", 0), "none": h.get("none", 0)})
            elif method == "GET" and path == "/_log":
                return self.reply(200, ("".join(l + "\n" for l in S["log"])).encode(), "text/plain")
            elif method == "POST" and path == "/_reset":
                self.body()
                S.clear()
                S.update(fresh())
            else:
                return self.reply(404, {"error": "no such control"})
        return self.reply(200, {"ok": True})

    # --- the API -------------------------------------------------------

    def auth_kind(self):
        a = self.headers.get("Authorization") or ""
        return "basic" if a.startswith("Basic ") else "bearer" if a.startswith("Bearer ") else "none"

    def count(self, key):
        with LOCK:
            h = S["hits"].setdefault(key, {})
            k = self.auth_kind()
            h[k] = h.get(k, 0) + 1

    def injected(self, key):
        """Answers as /_mode says for key; True when it did."""
        with LOCK:
            mode = S["mode"].get(key, "ok")
        if mode.startswith("slow:"):
            time.sleep(float(mode[5:]))
            return False
        if mode == "500":
            self.reply(500, problem(500, "Internal Server Error", "injected", "Unknown"),
                       "application/problem+json")
        elif mode == "garbage":
            self.reply(200, b"\x00\xffnot json at all{{", "text/plain")
        elif mode == "huge":
            self.reply(200, b'{"dag_runs": [], "pad": "' + b"x" * (3 * 1024 * 1024) + b'"}')
        elif mode == "close":
            self.close_connection = True
            self.status = 0
        elif mode in ("401", "403", "404"):
            self.reply(int(mode), {"detail": "injected %s" % mode})
        else:
            return False
        return True

    def authorized_v1(self):
        a = self.headers.get("Authorization") or ""
        with LOCK:
            user, pw, tok = S["user"], S["password"], S["token"]
        if a.startswith("Basic "):
            try:
                u, p = base64.b64decode(a[6:]).decode().split(":", 1)
            except Exception:
                u, p = None, None
            if u == user and p == pw:
                return True
        elif a.startswith("Bearer ") and tok and a[7:] == tok:
            return True
        self.reply(401, problem(401, "Unauthorized", None, "Unauthenticated"),
                   "application/problem+json", [("WWW-Authenticate", "Basic")])
        return False

    def authorized_v2(self):
        a = self.headers.get("Authorization") or ""
        if not a.startswith("Bearer "):
            self.reply(401, {"detail": "Not authenticated"}, headers=[("WWW-Authenticate", "Bearer")])
            return False
        with LOCK:
            ok = a[7:] in S["jwts"] or (S["token"] and a[7:] == S["token"])
        if not ok:
            self.reply(401, {"detail": "Invalid JWT token"})
        return ok

    def dag(self, dag_id):
        with LOCK:
            d = S["dags"].get(dag_id)
        if d is None and DEFAULT is not None:
            d = DEFAULT
        return d

    def run_json(self, dag_id, r, version):
        if version == 1:
            return {"dag_run_id": r["id"], "dag_id": dag_id,
                    "logical_date": v1_time(r.get("logical")), "execution_date": v1_time(r.get("logical")),
                    "start_date": v1_time(r.get("start")), "end_date": v1_time(r.get("end")),
                    "data_interval_start": v1_time(r.get("logical")), "data_interval_end": v1_time(r.get("logical")),
                    "last_scheduling_decision": None, "run_type": "scheduled", "state": r["state"],
                    "external_trigger": False, "conf": {}, "note": None}
        return {"dag_run_id": r["id"], "dag_id": dag_id, "logical_date": v2_time(r.get("logical")),
                "queued_at": v2_time(r.get("start") or r.get("logical")),
                "start_date": v2_time(r.get("start")), "end_date": v2_time(r.get("end")),
                "duration": None, "data_interval_start": v2_time(r.get("logical")),
                "data_interval_end": v2_time(r.get("logical")),
                "run_after": v2_time(r.get("logical") or r.get("start")),
                "last_scheduling_decision": None, "run_type": "scheduled", "state": r["state"],
                "triggered_by": "timetable", "triggering_user_name": None, "conf": {}, "note": None,
                "dag_versions": [], "bundle_version": None, "dag_display_name": dag_id}

    def dag_runs(self, version, dag_id, query):
        order = (query.get("order_by") or ["id"])[0]
        allowed = V1_ORDER if version == 1 else V2_ORDER
        if order.lstrip("-") not in allowed:
            msg = "Ordering with '%s' is disallowed or the attribute does not exist on the model" % order.lstrip("-")
            if version == 1:
                return self.reply(400, problem(400, "Bad Request", msg, "BadRequest"), "application/problem+json")
            return self.reply(400, {"detail": msg})
        limit = (query.get("limit") or ["100" if version == 1 else "50"])[0]
        if not limit.isdigit() or int(limit) < 1:
            if version == 1:
                return self.reply(400, problem(400, "Bad Request", "limit: '%s' is not a valid integer" % limit,
                                               "BadRequest"), "application/problem+json")
            return self.reply(422, {"detail": [{"type": "int_parsing", "loc": ["query", "limit"],
                                                "msg": "Input should be a valid integer"}]})
        d = self.dag(dag_id)
        if d is None and version == 2:
            return self.reply(404, {"detail": "The DAG with dag_id: `%s` was not found" % dag_id})
        runs = list((d or {}).get("runs", []))
        field = {"execution_date": "logical", "logical_date": "logical", "start_date": "start",
                 "end_date": "end", "run_after": "logical"}.get(order.lstrip("-"), "id")
        have = [r for r in runs if r.get(field) is not None]
        have.sort(key=lambda r: r[field], reverse=order.startswith("-"))
        runs = have + [r for r in runs if r.get(field) is None]
        page = runs[:min(int(limit), MAX_PAGE)]
        self.reply(200, {"dag_runs": [self.run_json(dag_id, r, version) for r in page],
                         "total_entries": len(runs)})

    def dag_info(self, version, dag_id):
        d = self.dag(dag_id)
        if d is None:
            if version == 1:
                return self.reply(404, problem(404, "DAG not found", "The DAG with dag_id: %s was not found" % dag_id,
                                               "NotFound"), "application/problem+json")
            return self.reply(404, {"detail": "Dag with id %s was not found" % dag_id})
        self.reply(200, {"dag_id": dag_id, "dag_display_name": dag_id, "is_paused": bool(d.get("is_paused")),
                         "is_active": True, "fileloc": "/opt/airflow/dags/%s.py" % dag_id,
                         "owners": ["data"], "tags": [], "timetable_description": "At 06:00"})

    def api(self, method):
        raw = self.body() if method in ("POST", "PUT") else b""
        parsed = urllib.parse.urlsplit(self.path)
        path, query = parsed.path, urllib.parse.parse_qs(parsed.query)
        with LOCK:
            server = S["server"]
        v1 = server in ("2", "both")
        v2 = server in ("3", "both")
        if path == "/auth/token" and method == "POST" and v2:
            self.count("_token")
            if self.injected("_token"):
                return
            try:
                b = json.loads(raw or b"{}")
                user, pw = b["username"], b["password"]
            except Exception:
                return self.reply(400, {"detail": "Username and password must be provided"})
            with LOCK:
                good = user == S["user"] and pw == S["password"]
                tok = jwt() if good else None
                if good:
                    S["jwts"].add(tok)
            if not good:
                return self.reply(401, {"detail": "Invalid credentials"})
            return self.reply(201, {"access_token": tok})
        if path == "/api/v1/version" and method == "GET" and v1:
            return self.reply(200, {"version": "2.10.5", "git_version": None})
        if path == "/api/v2/version" and method == "GET" and v2:
            return self.reply(200, {"version": "3.0.2", "git_version": None})
        for version, on in ((1, v1), (2, v2)):
            prefix = "/api/v%d/dags/" % version
            if not (path.startswith(prefix) and on and method == "GET"):
                continue
            rest = path[len(prefix):].split("/")
            dag_id = urllib.parse.unquote(rest[0])
            if len(rest) > 2 or (len(rest) == 2 and rest[1] != "dagRuns"):
                break
            self.count(dag_id)
            if self.injected(dag_id):
                return
            if not (self.authorized_v1() if version == 1 else self.authorized_v2()):
                return
            if DELAY:
                time.sleep(DELAY)
            if len(rest) == 2:
                return self.dag_runs(version, dag_id, query)
            return self.dag_info(version, dag_id)
        # What each server says for a path it has no route for.
        if server == "2":
            return self.reply(404, b"<!DOCTYPE html><title>Airflow 404 = lots of circles</title>", "text/html")
        self.reply(404, {"detail": "Not Found"})

    def handle_any(self, method):
        if self.path.startswith("/_"):
            return self.control(method)
        self.status = 0
        self.api(method)
        with LOCK:
            S["log"].append("%s %s %s %s" % (method, self.path, self.auth_kind(), self.status))

    def do_GET(self):
        self.handle_any("GET")

    def do_POST(self):
        self.handle_any("POST")

    def do_PUT(self):
        self.handle_any("PUT")

    def do_DELETE(self):
        self.handle_any("DELETE")


if __name__ == "__main__":
    serve(Handler)
