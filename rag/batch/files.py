"""Batch files: questions in (JSONL or CSV), one result record per question out (JSONL or CSV).

Output is append-only. Each record is one `write` on an unbuffered file, so a killed process
leaves at most one torn last record; `repair_output` cuts it away before a run appends again.
Only answers, abstentions and bad-input errors count as done: a question that failed for any
other reason (a timeout, the model server down) is asked again by the next run, which appends
a newer record; readers keep the last record per id (`read_results`).
"""

from __future__ import annotations

import csv
import io
import json
import os
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from rag.errors import BadRequest
from rag.types import Filters

FORMATS = ("jsonl", "csv")
FINAL_ERRORS = frozenset({"bad_input"})  # retrying cannot help these
CSV_FIELDS = ["id", "question", "answer", "abstained", "error", "error_type", "citations", "organisation",
              "doc", "year", "language", "total_ms"]
_FILTER_KEYS = {"org": "organisation", "organisation": "organisation", "organization": "organisation",
                "doc": "doc", "year": "year", "lang": "language", "language": "language"}


@dataclass(frozen=True)
class BatchItem:
    """One input row: `row` is its 1-based number among the data rows; `error` says why it cannot be asked."""

    row: int
    id: str
    question: str
    filters: Filters | None = None
    error: str | None = None


def jsonl_objects(text: str, path: Path | str) -> Iterator[tuple[int, object]]:
    """(line number, parsed value) of each non-blank line of a JSONL text; a bad line is refused with its number."""
    for n, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            yield n, json.loads(line)
        except json.JSONDecodeError as exc:
            raise BadRequest(f"{path}:{n}: not JSON ({exc.msg})") from exc


def detect_format(path: Path, given: str | None = None) -> str:
    """'csv' for .csv/.tsv files, else 'jsonl' (or what the caller says)."""
    if given:
        if given not in FORMATS:
            raise BadRequest(f"unknown batch format {given!r}; use one of {', '.join(FORMATS)}")
        return given
    return "csv" if Path(path).suffix.lower() in (".csv", ".tsv") else "jsonl"


# --- input -------------------------------------------------------------------------------
def _filters(obj: dict) -> Filters | None:
    values: dict = {}
    nested = obj.get("filters") if isinstance(obj.get("filters"), dict) else {}
    for key, value in {**nested, **obj}.items():
        name = _FILTER_KEYS.get(str(key).lower())
        if name and value not in (None, ""):
            values[name] = value
    if "year" in values:
        try:
            values["year"] = int(str(values["year"]).strip())
        except ValueError:
            raise BadRequest(f"year {values['year']!r} is not a number") from None
    for name in ("organisation", "doc", "language"):
        if name in values:
            values[name] = str(values[name]).strip()
    filters = Filters(**values)
    return None if filters.is_empty() else filters


def _item(row: int, obj: object, question_field: str, id_field: str) -> BatchItem:
    if not isinstance(obj, dict):
        return BatchItem(row, f"row{row}", "", error="the row is not an object with a question")
    raw_id = obj.get(id_field)
    item_id = str(raw_id).strip() if raw_id not in (None, "") else f"row{row}"
    question = obj.get(question_field)
    question = question.strip() if isinstance(question, str) else ""
    if not question:
        return BatchItem(row, item_id, "", error=f"empty or missing '{question_field}'")
    try:
        return BatchItem(row, item_id, question, _filters(obj))
    except BadRequest as exc:
        return BatchItem(row, item_id, question, error=str(exc))


def _jsonl_items(data: bytes, question_field: str, id_field: str) -> Iterator[BatchItem]:
    row = 0
    for raw in data.split(b"\n"):
        if not raw.strip():
            continue
        row += 1
        try:
            obj = json.loads(raw.decode("utf-8"))
        except (UnicodeDecodeError, ValueError) as exc:
            yield BatchItem(row, f"row{row}", "", error=f"unreadable line: {type(exc).__name__}")
            continue
        yield _item(row, obj, question_field, id_field)


def _csv_items(text: str, delimiter: str, question_field: str, id_field: str) -> Iterator[BatchItem]:
    reader = csv.DictReader(io.StringIO(text, newline=""), delimiter=delimiter)
    if reader.fieldnames is None or question_field not in reader.fieldnames:
        raise BadRequest(f"the CSV file has no '{question_field}' column (columns: {reader.fieldnames})")
    row = 0
    while True:
        try:
            obj = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            row += 1
            yield BatchItem(row, f"row{row}", "", error=f"unreadable CSV row: {exc}")
            continue
        row += 1
        if None in obj:  # more cells than header columns
            yield BatchItem(row, f"row{row}", "", error="the CSV row has more cells than the header")
            continue
        yield _item(row, obj, question_field, id_field)


def read_items(path: Path, fmt: str | None = None, question_field: str = "question",
               id_field: str = "id") -> list[BatchItem]:
    """Every row of a JSONL or CSV question file; bad rows come back with `error` set, never raise."""
    path = Path(path)
    data = path.read_bytes()
    if detect_format(path, fmt) == "jsonl":
        return list(_jsonl_items(data, question_field, id_field))
    text = data.decode("utf-8-sig", errors="replace")
    return list(_csv_items(text, "\t" if path.suffix.lower() == ".tsv" else ",", question_field, id_field))


# --- output ------------------------------------------------------------------------------
def csv_row(record: dict) -> list:
    """A result record as the CSV columns (citations as compact JSON)."""
    filters = record.get("filters") or {}
    total = (record.get("timings") or {}).get("batch_total")
    abstained = record.get("abstained")
    return [record["id"], record["question"], record.get("answer") or "",
            "" if abstained is None else str(bool(abstained)).lower(), record.get("error") or "",
            record.get("error_type") or "", json.dumps(record.get("citations") or [], ensure_ascii=False),
            filters.get("organisation") or "", filters.get("doc") or "", filters.get("year") or "",
            filters.get("language") or "", "" if total is None else total]


def _encode(record: dict, fmt: str) -> bytes:
    if fmt == "jsonl":
        return (json.dumps(record, ensure_ascii=False) + "\n").encode("utf-8")
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\n").writerow(csv_row(record))
    return buf.getvalue().encode("utf-8")


def _jsonl_records(data: bytes) -> Iterator[tuple[int, dict | None]]:
    """(end offset, record or None if unreadable) per complete line."""
    start = 0
    while (end := data.find(b"\n", start)) != -1:
        line = data[start:end]
        if line.strip():
            try:
                obj = json.loads(line.decode("utf-8"))
                yield end + 1, obj if isinstance(obj, dict) else None
            except (UnicodeDecodeError, ValueError):
                yield end + 1, None
        start = end + 1


def _csv_records(data: bytes) -> Iterator[tuple[int, dict | None]]:
    """(end offset, record) per complete CSV record after the header; stops at a torn one."""
    lines = data.split(b"\n")
    complete = lines[:-1]  # the part after the last newline is torn (or empty)
    offsets, pos = [], 0
    for line in complete:
        pos += len(line) + 1
        offsets.append(pos)
    consumed = 0

    def feed():
        nonlocal consumed
        for line in complete:
            consumed += 1
            yield line.decode("utf-8", errors="replace") + "\n"

    reader = csv.reader(feed())
    try:
        header = next(reader)
        if header != CSV_FIELDS:
            raise BadRequest(f"the CSV output has other columns than a batch result ({header[:4]}...)")
        for cells in reader:
            if len(cells) != len(CSV_FIELDS):
                return
            yield offsets[consumed - 1], dict(zip(CSV_FIELDS, cells))
    except StopIteration:
        return
    except csv.Error:
        return  # an unterminated quote: the last record was torn


def repair_output(path: Path, fmt: str) -> int:
    """Cut a torn or unreadable last record off an output file; returns the bytes removed."""
    path = Path(path)
    if not path.exists():
        return 0
    data = path.read_bytes()
    good = 0
    if fmt == "csv":
        first = data.find(b"\n")
        good = first + 1 if first != -1 and data[:first].decode("utf-8", "replace") == ",".join(CSV_FIELDS) else 0
        for end, _ in _csv_records(data):
            good = end
    else:
        for end, obj in _jsonl_records(data):
            if obj is not None or end != data.rfind(b"\n") + 1:  # only the very last line may be cut
                good = end
    if good < len(data):
        with path.open("r+b") as f:
            f.truncate(good)
            os.fsync(f.fileno())
    return len(data) - good


def read_results(path: Path, fmt: str | None = None) -> list[dict]:
    """The records of an output file, the last one per id, in first-seen order."""
    path = Path(path)
    if not path.exists():
        return []
    data = path.read_bytes()
    records = _csv_records(data) if detect_format(path, fmt) == "csv" else _jsonl_records(data)
    latest: dict[str, dict] = {}
    for _, obj in records:
        if obj is not None and "id" in obj:
            latest[str(obj["id"])] = obj
    return list(latest.values())


def done_ids(path: Path, fmt: str | None = None) -> set[str]:
    """Ids with a final record (an answer, an abstention, or a bad-input error) in the output."""
    return {r["id"] for r in read_results(path, fmt) if not r.get("error") or r.get("error_type") in FINAL_ERRORS}


class ResultWriter:
    """Appends records, one `write` each, flushed at once; fsync at most `fsync_seconds` apart."""

    def __init__(self, path: Path, fmt: str, fsync_seconds: float = 1.0):
        self.path, self.fmt, self.fsync_seconds = Path(path), fmt, fsync_seconds
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._file = open(self.path, "ab", buffering=0)  # unbuffered: a record is in the kernel when write returns
        self._lock = threading.Lock()
        self._synced = time.monotonic()
        if fmt == "csv" and self._file.tell() == 0:
            self._file.write((",".join(CSV_FIELDS) + "\n").encode())

    def write(self, record: dict) -> None:
        """Append one record (thread-safe)."""
        data = _encode(record, self.fmt)
        with self._lock:
            self._file.write(data)
            if time.monotonic() - self._synced >= self.fsync_seconds:
                os.fsync(self._file.fileno())
                self._synced = time.monotonic()

    def close(self) -> None:
        with self._lock:
            if not self._file.closed:
                os.fsync(self._file.fileno())
                self._file.close()
