#!/usr/bin/env python3
"""Serves the local Hex repository (and the toolchain mirror) the way the tests' mirror does, for
scripts/check-hex-repo:

    hex-serve.py PORT_FILE LOG_FILE ORG_KEY_FILE ROOT [ROOT...]

- Binds 127.0.0.1 on a free port and writes the port to PORT_FILE once it listens.
- GET/HEAD of /PATH answers the first ROOT/PATH that is a file (so the toolchain mirror's /builds/... and
  the Hex repository's /installs/..., /names, /packages/..., /tarballs/... come from one base URL, as
  Mix 1.18 reads HEX_BUILDS_URL for `mix local.hex`/`mix local.rebar` and Hex reads HEX_MIRROR).
- /repos/<org>/... requires the request header `authorization: <key>` with the key in ORG_KEY_FILE (what
  Hex sends for a repo configured with an auth key): 401 without it, 403 with another one.
- Appends "<status> <path> auth=<yes|no>" per request to LOG_FILE, for request counts.
Standard library only.
"""

import http.server
import os
import sys
import threading

port_file, log_file, org_key_file = sys.argv[1:4]
roots = [os.path.realpath(root) for root in sys.argv[4:]]
with open(org_key_file, encoding="ascii") as key_file:
    org_key = key_file.read().strip()
log_lock = threading.Lock()


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, format, *args):
        pass

    def record(self, status):
        auth = "yes" if self.headers.get("authorization") else "no"
        with log_lock, open(log_file, "a", encoding="utf-8") as log:
            log.write(f"{status} {self.path} auth={auth}\n")

    def answer(self, status, body=b"", head=False):
        self.record(status)
        self.send_response(status)
        self.send_header("content-length", str(len(body)))
        self.end_headers()
        if not head:
            self.wfile.write(body)

    def serve(self, head):
        path = self.path.split("?", 1)[0]
        parts = [part for part in path.split("/") if part]
        if any(part in (".", "..") for part in parts):
            return self.answer(400, head=head)
        if len(parts) >= 2 and parts[0] == "repos":
            given = self.headers.get("authorization")
            if not given:
                return self.answer(401, b"missing authorization\n", head)
            if given != org_key:
                return self.answer(403, b"wrong key\n", head)
        for root in roots:
            file = os.path.join(root, *parts)
            if parts and os.path.isfile(file):
                with open(file, "rb") as f:
                    return self.answer(200, f.read(), head)
        return self.answer(404, head=head)

    def do_GET(self):
        self.serve(head=False)

    def do_HEAD(self):
        self.serve(head=True)


server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
tmp = port_file + ".tmp"
with open(tmp, "w", encoding="ascii") as f:
    f.write(str(server.server_address[1]))
os.replace(tmp, port_file)
server.serve_forever()
