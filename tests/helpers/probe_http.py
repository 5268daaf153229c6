#!/usr/bin/env python3
"""A keep-alive HTTP/1.1 upstream for the probe tests: every GET gets
200 with a Content-Length body, connections are kept until the client
closes. Loopback only; exits after --lifetime seconds.

  probe_http.py --port-file F [--host 127.0.0.1] [--lifetime 60]
"""
import argparse
import http.server
import socketserver
import threading


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_GET(self):
        body = b"hello from the probe test\n"
        self.send_response(200)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


class Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True
    request_queue_size = 128  # every probe connection at once, no SYN retried

    def handle_error(self, request, client_address):
        pass  # a reset peer is what the tests make happen


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--port-file", required=True)
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--lifetime", type=float, default=60.0)
    a = ap.parse_args()
    srv = Server((a.host, 0), Handler)
    with open(a.port_file + ".tmp", "w") as f:
        f.write("%d\n" % srv.server_address[1])
    import os
    os.rename(a.port_file + ".tmp", a.port_file)
    threading.Timer(a.lifetime, srv.shutdown).start()
    srv.serve_forever()


if __name__ == "__main__":
    main()
