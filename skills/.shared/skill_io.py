"""Output and run-directory helpers shared by the skills' scripts (dataset-distillation, evaluation).

JSON lines on stdout and human lines on stderr, timestamps and hashes, append-only JSONL logs that survive a
kill, atomic rewrites, the lock that keeps two runs out of one output directory, and SIGTERM / Ctrl-C
handling. Standard library only (Python 3.11+); see openai_http.py for how the scripts import it.
"""
from __future__ import annotations

import fcntl
import hashlib
import json
import os
import signal
import sys
from datetime import datetime, timezone
from pathlib import Path
from typing import IO, Any, Callable


def now_iso() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds").replace("+00:00", "Z")


def sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def emit(event: dict[str, Any]) -> None:
    """One JSON line on stdout."""
    sys.stdout.write(json.dumps(event, ensure_ascii=False) + "\n")
    sys.stdout.flush()


def make_say(program: str) -> Callable[[str], None]:
    """say(message): one human line on stderr, "<program>: message"."""

    def say(message: str) -> None:
        """One human line on stderr (already scrubbed by the caller when it may hold server text)."""
        sys.stderr.write(f"{program}: {message}\n")
        sys.stderr.flush()

    return say


# ---------------------------------------------------------------------------------------------------------
# Files


def read_records(path: Path) -> tuple[dict[str, dict[str, Any]], int]:
    """Latest record per "key" in a JSONL log, and how many lines could not be read (a line cut by a kill)."""
    records: dict[str, dict[str, Any]] = {}
    broken = 0
    if not path.exists():
        return records, broken
    with path.open("r", encoding="utf-8", errors="replace") as handle:
        for line in handle:
            if not line.strip():
                continue
            try:
                record = json.loads(line)
            except json.JSONDecodeError:
                broken += 1
                continue
            if isinstance(record, dict) and isinstance(record.get("key"), str):
                records[record["key"]] = record
    return records, broken


class AppendLog:
    """Append-only JSONL log: one whole line per finished task, flushed and synced at once."""

    def __init__(self, path: Path) -> None:
        self.fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
        size = os.fstat(self.fd).st_size
        if size:
            with path.open("rb") as handle:
                handle.seek(size - 1)
                if handle.read(1) != b"\n":
                    os.write(self.fd, b"\n")  # a line cut by a kill stays unreadable, alone

    def append(self, record: dict[str, Any]) -> None:
        os.write(self.fd, (json.dumps(record, ensure_ascii=False) + "\n").encode("utf-8"))
        os.fsync(self.fd)

    def close(self) -> None:
        os.close(self.fd)


def write_atomic(path: Path, text: str) -> None:
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    with temporary.open("w", encoding="utf-8") as handle:
        handle.write(text)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(temporary, path)


def lock_run_dir(out: Path) -> IO[str] | None:
    """Creates `out` and locks it for this process: the open lock file (keep it referenced while the run
    lasts), or None when another run holds the lock."""
    out.mkdir(parents=True, exist_ok=True)
    handle = (out / ".lock").open("w")
    try:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        handle.close()
        return None
    return handle


# ---------------------------------------------------------------------------------------------------------
# Signals and exit


def interrupt_on_sigterm() -> None:
    """SIGTERM raises KeyboardInterrupt in the main thread, as Ctrl-C does."""

    def on_term(signum: int, frame: Any) -> None:
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, on_term)


def exit_interrupted() -> None:
    """Exits 130 at once: worker threads may still sit in a request; do not wait for them."""
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(130)


def run_main(main: Callable[[list[str]], int]) -> None:
    """sys.exit(main(arguments)), 130 on an interrupt."""
    try:
        sys.exit(main(sys.argv[1:]))
    except KeyboardInterrupt:
        sys.exit(130)
