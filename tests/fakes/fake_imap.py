#!/usr/bin/env python3
"""IMAP servers that misbehave, for the fault suite (Dovecot, the real one,
cannot be made to). One listener per way of failing, each on a free
loopback port; the ports are published as "mode port" lines in PORTFILE.

  slow     greets and takes the login, then never answers another command
  garbage  greets, takes the login, then answers EXAMINE with binary noise
           and no tagged answer, and closes
  huge     greets, takes the login and EXAMINE, then answers UID SEARCH
           with one untagged line of 16 MiB (more than any cap should take)
  close    accepts the connection and closes it at once
  logindisabled  advertises LOGINDISABLED (no plain-text login); a LOGIN
           sent anyway is recorded in PORTFILE.logins and refused

The login is plain LOGIN (no AUTH= capability), as RFC 3501 allows.

Usage: fake_imap.py PORTFILE
"""
import os
import socket
import socketserver
import sys
import threading
import time

MODES = ("slow", "garbage", "huge", "close", "logindisabled")


def handler_for(mode):
    class Handler(socketserver.StreamRequestHandler):
        def send(self, text):
            self.wfile.write(text if isinstance(text, bytes) else text.encode())
            self.wfile.flush()

        def handle(self):
            if mode == "close":
                return
            self.send("* OK IMAP4rev1 fake ready\r\n")
            while True:
                line = self.rfile.readline(65536)
                if not line:
                    return
                parts = line.decode(errors="replace").split(" ", 2)
                if len(parts) < 2:
                    continue
                tag, cmd = parts[0], parts[1].strip().upper()
                if cmd == "CAPABILITY":
                    caps = "IMAP4rev1 LOGINDISABLED" if mode == "logindisabled" else "IMAP4rev1"
                    self.send("* CAPABILITY %s\r\n%s OK done\r\n" % (caps, tag))
                elif cmd == "LOGIN" and mode == "logindisabled":
                    with open(sys.argv[1] + ".logins", "a") as f:
                        f.write("LOGIN\n")
                    self.send("%s NO login disabled\r\n" % tag)
                elif cmd == "LOGIN":
                    self.send("%s OK logged in\r\n" % tag)
                elif cmd == "LOGOUT":
                    self.send("* BYE\r\n%s OK bye\r\n" % tag)
                    return
                elif mode == "slow":
                    time.sleep(3600)
                    return
                elif mode == "garbage":
                    self.send(bytes(range(256)) * 64 + b"\r\n")
                    return
                elif cmd == "EXAMINE":
                    self.send("* 3 EXISTS\r\n* OK [UIDVALIDITY 1] ok\r\n"
                              "%s OK [READ-ONLY] done\r\n" % tag)
                elif cmd == "UID":
                    self.send(b"* SEARCH" + b" 123456789" * (16 * 1024 * 1024 // 10) + b"\r\n")
                    self.send("%s OK done\r\n" % tag)
                else:
                    self.send("%s BAD unknown\r\n" % tag)
    return Handler


class Server(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True


def main():
    portfile = sys.argv[1]
    lines = []
    for mode in MODES:
        srv = Server(("127.0.0.1", 0), handler_for(mode))
        lines.append("%s %d\n" % (mode, srv.server_address[1]))
        threading.Thread(target=srv.serve_forever, daemon=True).start()
    with open(portfile + ".tmp", "w") as f:
        f.writelines(lines)
    os.rename(portfile + ".tmp", portfile)
    while True:
        time.sleep(3600)


if __name__ == "__main__":
    try:
        main()
    except KeyboardInterrupt:
        pass
