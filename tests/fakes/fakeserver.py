"""What every fake shares: serve a handler on a free loopback port and
publish the port in a file (written whole, by rename) for the test to read."""
import os
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
    with open(portfile + ".tmp", "w") as f:
        f.write(str(srv.server_address[1]))
    os.rename(portfile + ".tmp", portfile)
    srv.serve_forever()
