"""`gqa serve --workers N`: N uvicorn processes, each listening on its own SO_REUSEPORT socket.

Why not uvicorn's own `workers`: it binds one socket and hands it to every worker, and whichever
event loop wakes first accepts every connection waiting. 8 keep-alive clients landed all on one
of two workers in 2 of 3 runs, so the second core sat idle. With a socket per worker the kernel
spreads new connections over the workers by hash (as nginx's `reuse_port` does), and a worker's
socket joins only once the worker has loaded its models (asyncio listens after the lifespan).
(Linux balances connections over such sockets; not every system that has the option does.)

The parent only supervises: it replaces a worker that dies, gives up when workers keep dying as
they start, and on SIGTERM or SIGINT stops them all (each finishes its requests in flight).
"""

from __future__ import annotations

import logging
import multiprocessing
import signal
import socket
import threading
import time
from multiprocessing.connection import wait
from multiprocessing.process import BaseProcess
from typing import Any

from rag.errors import GuidelineQAError

log = logging.getLogger("gqa.workers")

APP = "api.app:app_from_environment"
QUICK_DEATH_SECONDS = 60.0  # a worker that dies this soon after its start probably cannot start at all
QUICK_DEATHS_ALLOWED = 3


class ServeFailed(GuidelineQAError):
    """The address is taken, or workers keep dying as they start: serving cannot go on."""


def _socket(host: str, port: int, reuse_port: bool) -> socket.socket:
    sock = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    if reuse_port:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    sock.bind((host, port))
    return sock


def check_port_free(host: str, port: int) -> None:
    """Refuse now, in the parent, an address something else holds (another reuse-port server included)."""
    try:
        _socket(host, port, reuse_port=False).close()
    except OSError as exc:
        raise ServeFailed(f"cannot listen on {host}:{port}: {exc.strerror or exc}; stop what holds it or "
                          "choose another --port") from exc


def _worker(host: str, port: int, config: dict[str, Any]) -> None:
    """One server process: the app from the environment, on this process's own reuse-port socket."""
    import uvicorn

    server = uvicorn.Server(uvicorn.Config(APP, factory=True, host=host, port=port, **config))
    server.run(sockets=[_socket(host, port, reuse_port=True)])  # asyncio listens once startup is done


class Supervisor:
    """Starts `workers` server processes and keeps that many running until stopped."""

    def __init__(self, host: str, port: int, workers: int, config: dict[str, Any]):
        self.host, self.port, self.workers, self.config = host, port, workers, config
        self._context = multiprocessing.get_context("spawn")  # fresh interpreters: no forked threads or locks
        self._stop = threading.Event()
        self._quick_deaths = 0

    def _start(self) -> tuple[BaseProcess, float]:
        process = self._context.Process(target=_worker, args=(self.host, self.port, self.config), name="gqa-worker")
        process.start()
        return process, time.monotonic()

    def stop(self, *_: Any) -> None:
        self._stop.set()

    def run(self) -> None:
        """Serve until SIGTERM/SIGINT; ServeFailed when the address is taken or workers keep dying at start-up."""
        if not hasattr(socket, "SO_REUSEPORT"):
            raise ServeFailed("--workers needs SO_REUSEPORT sockets (Linux and the BSDs); run one worker here")
        check_port_free(self.host, self.port)
        for sig in (signal.SIGTERM, signal.SIGINT):
            signal.signal(sig, self.stop)
        running = [self._start() for _ in range(self.workers)]
        log.info("started %d workers: %s", self.workers, " ".join(str(p.pid) for p, _ in running))
        try:
            while not self._stop.is_set():
                wait([p.sentinel for p, _ in running], timeout=0.5)
                for i, (process, started) in enumerate(running):  # in place: a replacement started before
                    running[i] = self._replace_if_dead(process, started)  # a ServeFailed is still stopped
        finally:
            self._stop_all([p for p, _ in running])

    def _replace_if_dead(self, process: BaseProcess, started: float) -> tuple[BaseProcess, float]:
        if process.is_alive() or self._stop.is_set():
            return process, started
        process.join()
        quick = time.monotonic() - started < QUICK_DEATH_SECONDS
        self._quick_deaths = self._quick_deaths + 1 if quick else 0
        if self._quick_deaths >= QUICK_DEATHS_ALLOWED:
            raise ServeFailed(f"{self._quick_deaths} workers in a row exited within {QUICK_DEATH_SECONDS:.0f} s "
                                f"of starting (last exit code {process.exitcode}); see the log above")
        log.error("worker %s exited with code %s; starting another", process.pid, process.exitcode)
        return self._start()

    def _stop_all(self, processes: list[BaseProcess], grace: float = 30.0) -> None:
        for process in processes:
            if process.is_alive():
                process.terminate()  # SIGTERM: uvicorn finishes the requests in flight, then exits
        deadline = time.monotonic() + grace
        for process in processes:
            process.join(max(0.0, deadline - time.monotonic()))
            if process.is_alive():
                log.error("worker %s did not stop within %.0f s; killing it", process.pid, grace)
                process.kill()
                process.join()
