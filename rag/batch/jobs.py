"""Batch jobs of the HTTP API: questions and results in SQLite, so jobs survive a restart.

    jobs(id, owner, status queued|running|done, created, finished, total, k, last_error)
    items(job_id, seq, item_id, question, filters, result)   result: the record's JSON, once done

A job runs through the same engine as `gqa batch` (rag.batch.engine.run_batch). Each finished item is
committed at once; on start-up every job that is not done is queued again and only its items
without a result are asked. The database lives beside the index (settings.batch_jobs_db), never
inside an index version, which is immutable and pruned.

Several processes may share one database (`gqa serve --workers N`, or two servers over one index):
the database is the queue, and only the process holding its lock file (`<db>.lock`, an flock the
kernel releases when the process dies) runs jobs, everyone's; the others wait to take over.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import secrets
import sqlite3
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import asdict
from pathlib import Path

from rag.batch.engine import BatchOptions, run_batch
from rag.batch.files import BatchItem
from rag.settings import Settings
from rag.types import Filters

log = logging.getLogger("gqa.batch")

SCHEMA = """
CREATE TABLE IF NOT EXISTS jobs (id TEXT PRIMARY KEY, owner TEXT, status TEXT NOT NULL, created REAL NOT NULL,
    finished REAL, total INTEGER NOT NULL, k INTEGER, last_error TEXT);
CREATE TABLE IF NOT EXISTS items (job_id TEXT NOT NULL, seq INTEGER NOT NULL, item_id TEXT NOT NULL,
    question TEXT NOT NULL, filters TEXT, result TEXT, PRIMARY KEY (job_id, seq));
CREATE INDEX IF NOT EXISTS items_by_id ON items (job_id, item_id);
"""


def jobs_db_path(settings: Settings) -> Path:
    """settings.batch_jobs_db, else batch_jobs.sqlite beside the index link (outside every version)."""
    if settings.batch_jobs_db is not None:
        return Path(settings.batch_jobs_db)
    return Path(settings.index).absolute().parent / "batch_jobs.sqlite"


def owner_of(api_key: str | None) -> str | None:
    """What is stored about the key that created a job: a hash, never the key."""
    return hashlib.sha256(api_key.encode()).hexdigest() if api_key else None


class JobStore:
    """The jobs database; one connection shared by threads, serialised by a lock."""

    def __init__(self, path: Path):
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self._db = sqlite3.connect(str(path), check_same_thread=False, isolation_level=None)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.executescript(SCHEMA)
        self._lock = threading.Lock()

    def _run(self, sql: str, args: tuple = ()) -> list[tuple]:
        with self._lock:
            return self._db.execute(sql, args).fetchall()

    def create(self, items: list[BatchItem], owner: str | None, k: int | None) -> str:
        """Store a new queued job; returns its id (random: it is a capability, not content)."""
        job_id = secrets.token_urlsafe(12)
        rows = [(job_id, i, it.id, it.question, json.dumps(asdict(it.filters)) if it.filters else None)
                for i, it in enumerate(items)]
        with self._lock:
            self._db.execute("BEGIN")
            self._db.execute("INSERT INTO jobs (id, owner, status, created, total, k) VALUES (?, ?, 'queued', ?, ?, ?)",
                             (job_id, owner, time.time(), len(items), k))
            self._db.executemany("INSERT INTO items (job_id, seq, item_id, question, filters) VALUES (?, ?, ?, ?, ?)",
                                 rows)
            self._db.execute("COMMIT")
        return job_id

    def job(self, job_id: str) -> dict | None:
        """The job's state and counts, or None."""
        rows = self._run("SELECT id, owner, status, created, finished, total, k, last_error FROM jobs WHERE id = ?",
                         (job_id,))
        if not rows:
            return None
        keys = ("id", "owner", "status", "created", "finished", "total", "k", "last_error")
        job = dict(zip(keys, rows[0]))
        counts = self._run(
            "SELECT count(result), sum(json_extract(result, '$.error') IS NOT NULL), "
            "sum(json_extract(result, '$.abstained') = 1) FROM items WHERE job_id = ?", (job_id,))[0]
        done, failed, abstained = (c or 0 for c in counts)
        job.update(done=done, failed=failed, abstained=abstained, answered=done - failed - abstained)
        return job

    def results(self, job_id: str) -> Iterator[dict]:
        """The finished items' records, in input order."""
        for (result,) in self._run("SELECT result FROM items WHERE job_id = ? AND result IS NOT NULL ORDER BY seq",
                                   (job_id,)):
            yield json.loads(result)

    def pending(self, job_id: str) -> list[BatchItem]:
        """Items of a job that have no result yet."""
        rows = self._run("SELECT seq, item_id, question, filters FROM items WHERE job_id = ? AND result IS NULL "
                         "ORDER BY seq", (job_id,))
        return [BatchItem(seq + 1, item_id, q, Filters(**json.loads(f)) if f else None) for seq, item_id, q, f in rows]

    def save(self, job_id: str, record: dict) -> None:
        self._run("UPDATE items SET result = ? WHERE job_id = ? AND item_id = ? AND result IS NULL",
                  (json.dumps(record, ensure_ascii=False), job_id, record["id"]))

    def set_status(self, job_id: str, status: str, error: str | None = None) -> None:
        finished = time.time() if status == "done" else None
        self._run("UPDATE jobs SET status = ?, finished = ?, last_error = ? WHERE id = ?",
                  (status, finished, error, job_id))

    def unfinished(self) -> list[str]:
        return [r[0] for r in self._run("SELECT id FROM jobs WHERE status != 'done' ORDER BY created")]

    def close(self) -> None:
        with self._lock:
            self._db.close()


class RunnerLease:
    """An exclusive, non-blocking flock on a file: held by one runner at a time, across processes."""

    def __init__(self, path: Path):
        self.path = path
        self._fd: int | None = None

    def acquire(self) -> bool:
        """True when this runner holds the lease (now or already)."""
        if self._fd is not None:
            return True
        try:
            import fcntl
        except ImportError:  # no flock (Windows): one process per jobs DB, which is all that runs there
            self._fd = -1
            return True
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            os.close(fd)
            return False
        self._fd = fd
        return True

    def release(self) -> None:
        if self._fd is not None and self._fd >= 0:
            os.close(self._fd)  # closing the descriptor drops the flock
        self._fd = None


class JobRunner:
    """One thread that runs unfinished jobs from the database in turn, while it holds the runner lease."""

    def __init__(self, store: JobStore, get_qa: Callable[[], object], settings: Settings, poll_seconds: float = 1.0):
        self.store, self.get_qa, self.settings = store, get_qa, settings
        self.poll_seconds = poll_seconds  # how soon a job queued by another process, or a free lease, is seen
        self._lease = RunnerLease(store.path.with_name(store.path.name + ".lock"))
        self._failed: set[str] = set()  # jobs that raised here: retried by the next process, not in a loop
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="gqa-batch-jobs", daemon=True)

    def start(self) -> None:
        """Start the thread; it runs every job a previous process left unfinished once it holds the lease."""
        self._thread.start()

    def submit(self, job_id: str) -> None:
        """A job was stored: look now rather than at the next poll."""
        self._wake.set()

    def stop(self, timeout: float = 60) -> None:
        """Finish the questions in flight, take no new ones; unfinished jobs resume at the next start."""
        self._stop.set()
        self._wake.set()
        if self._thread.is_alive():
            self._thread.join(timeout)
        if not self._thread.is_alive():  # a job still running keeps the lease (until this process exits)
            self._lease.release()

    def _next_job(self) -> str | None:
        if not self._lease.acquire():
            return None
        return next((j for j in self.store.unfinished() if j not in self._failed), None)

    def _loop(self) -> None:
        while not self._stop.is_set():
            job_id = self._next_job()
            if job_id is None:
                self._wake.wait(self.poll_seconds)
                self._wake.clear()
                continue
            try:
                self._run_job(job_id)
            except Exception as exc:  # keep serving other jobs; the job stays queued for the next start
                log.error("batch job %s failed: %s", job_id, type(exc).__name__, exc_info=exc)
                self._failed.add(job_id)
                self.store.set_status(job_id, "queued", f"{type(exc).__name__}: {exc}")

    def _items(self, job_id: str) -> Iterator[BatchItem]:
        for item in self.store.pending(job_id):
            if self._stop.is_set():
                return
            yield item

    def _run_job(self, job_id: str) -> None:
        job = self.store.job(job_id)
        if job is None or job["status"] == "done":
            return
        qa = self.get_qa()
        self.store.set_status(job_id, "running")
        opts = BatchOptions(self.settings.batch_concurrency, self.settings.batch_timeout, job["k"])
        run_batch(qa, self._items(job_id), lambda record: self.store.save(job_id, record), opts)
        if self._stop.is_set():
            return
        if self.store.pending(job_id):  # not expected: every item asked records a result or an error
            raise RuntimeError("the batch run ended with questions unanswered")
        self.store.set_status(job_id, "done")
