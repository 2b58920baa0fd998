#!/usr/bin/env python3
"""Serves one exposition file to every GET on loopback, as many scrape targets would.

    serve_exposition.py FILE PORT

Answers gzip when the scraper asks for it (all three scrapers do), compressed once up front, so
the server's own cost stays small next to the scrapers it feeds. Loopback only.
"""
import gzip
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

BODY = open(sys.argv[1], "rb").read()
GZ = gzip.compress(BODY, 6)


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_GET(self):
        gz = "gzip" in (self.headers.get("Accept-Encoding") or "")
        body = GZ if gz else BODY
        self.send_response(200)
        self.send_header("Content-Type", "text/plain; version=0.0.4; charset=utf-8")
        if gz:
            self.send_header("Content-Encoding", "gzip")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


ThreadingHTTPServer.daemon_threads = True
ThreadingHTTPServer(("127.0.0.1", int(sys.argv[2])), Handler).serve_forever()
