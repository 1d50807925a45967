"""A misbehaving OpenAI-compatible server on 127.0.0.1, for faults a real model server can't be made
to show on demand: HTTP 500s, answers slower than the client's timeout, a stream cut mid-way, and
answers citing passages that were never given.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

BAD_CITATIONS = "Give intravenous artesunate for at least 24 hours [1]. Double the dose [7]. See also [42]."


def _completion(text: str) -> dict:
    return {"id": "x", "object": "text_completion", "created": 0, "model": "fault",
            "choices": [{"index": 0, "text": text, "finish_reason": "stop", "logprobs": None}],
            "usage": {"prompt_tokens": 10, "completion_tokens": 5, "total_tokens": 15}}


class _Handler(BaseHTTPRequestHandler):
    mode = "500"
    delay = 5.0
    protocol_version = "HTTP/1.1"

    def log_message(self, *args) -> None:  # quiet
        pass

    def _send(self, status: int, body: dict) -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self) -> None:
        self._send(200, {"data": [{"id": "fault"}]})

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        request = json.loads(self.rfile.read(length) or b"{}")
        if self.mode == "500":
            return self._send(500, {"error": {"message": "internal failure", "type": "server_error"}})
        if self.mode == "slow":
            time.sleep(self.delay)
            return self._send(200, _completion("too late"))
        if self.mode == "bad_citations" and not request.get("stream"):
            return self._send(200, _completion(BAD_CITATIONS))
        if self.mode in ("broken_stream", "bad_citations"):
            return self._stream(broken=self.mode == "broken_stream")
        self._send(400, {"error": {"message": f"unknown mode {self.mode}"}})

    def _stream(self, broken: bool) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        words = BAD_CITATIONS.split(" ")
        for word in words[: 3 if broken else len(words)]:
            self._chunk(b"data: " + json.dumps(_completion(word + " ")).encode() + b"\n\n")
        if broken:
            self.wfile.write(b"5\r\ndata:")  # half a chunk, then the connection drops
            self.wfile.flush()
            self.close_connection = True
            return
        self._chunk(b"data: [DONE]\n\n")
        self.wfile.write(b"0\r\n\r\n")

    def _chunk(self, data: bytes) -> None:
        self.wfile.write(b"%x\r\n" % len(data) + data + b"\r\n")
        self.wfile.flush()


@contextmanager
def fault_server(mode: str, delay: float = 5.0) -> Iterator[str]:
    """`with fault_server("500") as base_url`: modes 500, slow, broken_stream, bad_citations."""
    handler = type("Handler", (_Handler,), {"mode": mode, "delay": delay})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/v1"
    finally:
        server.shutdown()
        server.server_close()
