"""What every fake shares: serve a handler on a free loopback port and
publish the port in a file (written whole, by rename) for the test to read.
With FAKE_TLS_CERT and FAKE_TLS_KEY set it speaks HTTPS with that
certificate."""
import os
import ssl
import sys
from http.server import ThreadingHTTPServer


class Server(ThreadingHTTPServer):
    # Robopager opens up to 64 connections at once; the default backlog of
    # 5 would make the fake, not the client, drop them.
    request_queue_size = 256
    daemon_threads = True


def serve(handler):
    portfile = sys.argv[1]
    srv = Server(("127.0.0.1", 0), handler)
    if os.environ.get("FAKE_TLS_CERT"):
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(os.environ["FAKE_TLS_CERT"], os.environ["FAKE_TLS_KEY"])
        srv.socket = ctx.wrap_socket(srv.socket, server_side=True)
    with open(portfile + ".tmp", "w") as f:
        f.write(str(srv.server_address[1]))
    os.rename(portfile + ".tmp", portfile)
    srv.serve_forever()
