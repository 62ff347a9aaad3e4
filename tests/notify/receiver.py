"""A loopback stand-in for the 政务微信 group robot and the SMS gateway: records every body it
is sent; fails the first `fail` requests with 502 (or answers a robot error code)."""

from __future__ import annotations

import http.server
import json
import threading


class Receiver:
    def __init__(self, fail: int = 0, errcode: int = 0):
        self.bodies: list[dict] = []
        self.headers: list[dict] = []
        self.requests = 0
        outer = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                outer.requests += 1
                if outer.requests <= fail:
                    self.send_response(502)
                    self.end_headers()
                    return
                outer.bodies.append(json.loads(body))
                outer.headers.append(dict(self.headers))
                answer = json.dumps(
                    {"errcode": errcode, "errmsg": "ok" if not errcode else "invalid webhook url"}
                )
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.end_headers()
                self.wfile.write(answer.encode())

            def log_message(self, *args):
                pass

        self.server = http.server.HTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/send"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def texts(self) -> list[str]:
        return [b["text"]["content"] if "text" in b else b["content"] for b in self.bodies]

    def close(self):
        self.server.shutdown()
        self.server.server_close()
