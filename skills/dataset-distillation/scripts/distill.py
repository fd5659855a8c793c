#!/usr/bin/env python3
"""Distil source documents into a chat-format instruction dataset with an OpenAI-compatible endpoint.

Each source file is chunked (headings/paragraphs, at most --chunk-chars), and every (chunk, template) item
asks the model for --pairs-per-chunk instruction/response pairs as JSON. Finished items are appended to
OUT/raw.jsonl as soon as they complete (keyed by a hash of chunk text, template and model), so a rerun with
the same arguments skips them; train.jsonl, eval.jsonl and stats.json are always rebuilt from raw.jsonl
(validation, exact and near-duplicate removal, hash-based train/eval split).

Standard library only (Python 3.11+). Progress and the summary go to stdout as JSON lines; human messages
to stderr. Exit status: 0 done, 1 some items failed (or the run was stopped), 2 bad arguments or missing
key, 3 another run holds OUT, 130 interrupted.
"""
from __future__ import annotations

import argparse
import concurrent.futures
import email.utils
import fcntl
import hashlib
import html
import html.parser
import http.client
import json
import os
import random
import re
import signal
import socket
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

DEFAULT_BASE_URL = "https://openrouter.ai/api/v1"
DEFAULT_KEY_ENVS = ("OPENROUTER_API_KEY", "OPENAI_API_KEY")
DEFAULT_TEMPLATES = "qa,troubleshooting,code,comparison"
SOURCE_EXTENSIONS = {".md", ".markdown", ".txt", ".rst", ".html", ".htm"}
SKILL_DIR = Path(__file__).resolve().parent.parent
RAW_FORMAT = "mux-swarm-distill-raw/1"
STATE_FORMAT = "mux-swarm-distill-state/1"
STATS_FORMAT = "mux-swarm-distill-stats/1"

GENERATOR_SYSTEM_PROMPT = (
    "You are an expert technical writer who creates supervised fine-tuning data for a domain-specialist "
    "assistant. You only state facts supported by the source document or certainly true in the domain. "
    "You reply with JSON only."
)

OUTPUT_FORMAT = (
    "Reply with JSON only, exactly this shape and nothing else:\n"
    '{"pairs": [{"instruction": "...", "response": "..."}]}\n'
    "Both fields are strings (escape newlines inside them as \\n). Write fewer pairs, or {\"pairs\": []}, "
    "when the document does not support {n} good ones; never pad with weak or repeated pairs."
)

# Lower-case phrases that mark a refusal or an assistant talking about itself; such pairs are dropped.
REFUSAL_ANYWHERE = ("as an ai", "as a language model", "as an artificial intelligence", "i am an ai", "i'm an ai")
REFUSAL_AT_START = (
    "i'm sorry", "i am sorry", "sorry, but", "i cannot", "i can't", "i can not", "i'm unable", "i am unable",
    "i won't", "i will not", "unfortunately, i cannot", "unfortunately, i can't",
)
INSTRUCTION_KEYS = ("instruction", "question", "prompt", "input", "query")
RESPONSE_KEYS = ("response", "answer", "output", "completion")
FATAL_STATUSES = {401, 402, 403, 404}


def now_iso() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds").replace("+00:00", "Z")


def sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def emit(event: dict[str, Any]) -> None:
    """One JSON line on stdout."""
    sys.stdout.write(json.dumps(event, ensure_ascii=False) + "\n")
    sys.stdout.flush()


def say(message: str) -> None:
    """One human line on stderr (already scrubbed by the caller when it may hold server text)."""
    sys.stderr.write(f"distill: {message}\n")
    sys.stderr.flush()


# ---------------------------------------------------------------------------------------------------------
# Secrets


class Scrubber:
    """Removes API keys, and any recognisable piece of them, from text that will be printed or stored."""

    def __init__(self, secrets: list[str]) -> None:
        self.secrets = [secret for secret in secrets if secret]
        self._token = re.compile(r"[A-Za-z0-9_\-\.\*\u2026]{4,}")

    def __call__(self, text: Any) -> str:
        text = str(text)
        for secret in self.secrets:
            text = text.replace(secret, "[redacted]")
        if not self.secrets:
            return text

        def check(match: re.Match[str]) -> str:
            token = match.group(0)
            masked = "*" in token or "\u2026" in token or "..." in token
            for piece in re.split(r"[^A-Za-z0-9]+", token):
                long_enough = len(piece) >= 6 or (masked and len(piece) >= 3)
                if long_enough and any(piece in secret for secret in self.secrets):
                    return "[redacted]"
            return token

        return self._token.sub(check, text)


# ---------------------------------------------------------------------------------------------------------
# OpenAI-compatible client (urllib)


class ApiError(Exception):
    def __init__(self, message: str, status: int | None = None, attempts: int = 1, fatal: bool = False) -> None:
        super().__init__(message)
        self.message = message
        self.status = status
        self.attempts = attempts
        self.fatal = fatal


def parse_retry_after(headers: Any) -> float | None:
    if headers is None:
        return None
    value = headers.get("retry-after-ms")
    if value:
        try:
            return max(0.0, float(value) / 1000.0)
        except ValueError:
            pass
    value = headers.get("retry-after")
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
        return max(0.0, when.timestamp() - time.time())
    except (TypeError, ValueError):
        return None


def error_message(raw: bytes) -> str:
    text = raw.decode("utf-8", errors="replace")
    try:
        payload = json.loads(text)
    except json.JSONDecodeError:
        return text.strip()[:500]
    if isinstance(payload, dict):
        error = payload.get("error", payload)
        if isinstance(error, dict) and error.get("message"):
            return str(error["message"])[:500]
        if isinstance(error, str):
            return error[:500]
    return text.strip()[:500]


class ChatClient:
    def __init__(self, base_url: str, key: str | None, scrub: Scrubber, *, timeout: float, max_attempts: int,
                 backoff_base: float, max_backoff: float, max_retry_wait: float) -> None:
        self.url = base_url.rstrip("/") + "/chat/completions"
        self.key = key
        self.scrub = scrub
        self.timeout = timeout
        self.max_attempts = max(1, max_attempts)
        self.backoff_base = backoff_base
        self.max_backoff = max_backoff
        self.max_retry_wait = max_retry_wait
        self.lock = threading.Lock()
        self.requests = 0

    def _count(self) -> None:
        with self.lock:
            self.requests += 1

    def _wait(self, attempt: int, retry_after: float | None) -> None:
        if retry_after is not None:
            delay = min(retry_after, self.max_retry_wait)
        else:
            delay = min(self.max_backoff, self.backoff_base * (2 ** (attempt - 1)))
            delay *= random.uniform(0.8, 1.2)
        time.sleep(delay)

    def complete(self, body: dict[str, Any]) -> tuple[dict[str, Any], int]:
        """POST the body; returns (response JSON, HTTP attempts). Raises ApiError."""
        data = json.dumps(body).encode("utf-8")
        headers = {"Content-Type": "application/json", "Accept": "application/json", "User-Agent": "mux-swarm-skill/1"}
        if self.key:
            headers["Authorization"] = f"Bearer {self.key}"
        last = "no attempt made"
        last_status: int | None = None
        for attempt in range(1, self.max_attempts + 1):
            self._count()
            retry_after: float | None = None
            request = urllib.request.Request(self.url, data=data, headers=headers, method="POST")
            try:
                with urllib.request.urlopen(request, timeout=self.timeout) as response:
                    raw = response.read()
                try:
                    payload = json.loads(raw.decode("utf-8"))
                except (json.JSONDecodeError, UnicodeDecodeError):
                    last, last_status = "the endpoint answered with a body that is not JSON", None
                else:
                    if isinstance(payload, dict) and isinstance(payload.get("choices"), list) and payload["choices"]:
                        return payload, attempt
                    # OpenRouter can answer 200 with {"error": {...}} for an upstream failure.
                    code = None
                    if isinstance(payload, dict) and isinstance(payload.get("error"), dict):
                        code = payload["error"].get("code")
                    message = error_message(raw)
                    if isinstance(code, int) and 400 <= code < 500 and code != 429:
                        raise ApiError(self.scrub(f"HTTP 200 with error {code}: {message}"), code, attempt, code in FATAL_STATUSES)
                    last, last_status = f"no choices in the answer: {message}", code if isinstance(code, int) else None
            except urllib.error.HTTPError as error:
                status = error.code
                message = self.scrub(error_message(error.read() or b""))
                retry_after = parse_retry_after(error.headers)
                should_retry = (error.headers.get("x-should-retry") or "").lower() if error.headers else ""
                retryable = (status == 429 or status >= 500) and should_retry != "false"
                if not retryable:
                    raise ApiError(f"HTTP {status}: {message}", status, attempt, status in FATAL_STATUSES) from None
                last, last_status = f"HTTP {status}: {message}", status
            except (urllib.error.URLError, http.client.HTTPException, ConnectionError, TimeoutError, socket.timeout, OSError) as error:
                reason = getattr(error, "reason", error)
                last, last_status = self.scrub(f"connection error: {reason}"), None
            if attempt < self.max_attempts:
                self._wait(attempt, retry_after)
        raise ApiError(f"gave up after {self.max_attempts} attempts; last: {last}", last_status, self.max_attempts)


def message_text(payload: dict[str, Any]) -> str:
    choice = payload["choices"][0] if payload.get("choices") else {}
    message = choice.get("message") or {}
    content = message.get("content")
    if isinstance(content, list):
        return "".join(part.get("text", "") for part in content if isinstance(part, dict))
    return content if isinstance(content, str) else ""


def resolve_key(name: str | None, base_url: str, required: bool) -> tuple[str | None, str]:
    """Returns (key, description of where it came from). Exits 2 when a needed key is missing."""
    if name:
        value = os.environ.get(name, "")
        if not value:
            say(f"the API key variable {name} is not set (or empty); export it, or name another with --api-key-env")
            sys.exit(2)
        return value, name
    for candidate in DEFAULT_KEY_ENVS:
        value = os.environ.get(candidate, "")
        if value:
            return value, candidate
    host = urllib.parse.urlparse(base_url).hostname or ""
    if not required or host in {"localhost", "127.0.0.1", "::1"}:
        return None, "none"
    say(f"no API key: set {DEFAULT_KEY_ENVS[0]} (or {DEFAULT_KEY_ENVS[1]}), or name the variable with --api-key-env")
    sys.exit(2)


# ---------------------------------------------------------------------------------------------------------
# Sources and chunking

HEADING = re.compile(r"^\s{0,3}#{1,6}\s+\S")
RST_UNDERLINE = re.compile(r"^([=\-~^\"'`#*+:.])\1{2,}\s*$")


class _HtmlText(html.parser.HTMLParser):
    BLOCKS = {"p", "div", "br", "li", "tr", "table", "section", "article", "blockquote", "pre", "ul", "ol", "dd", "dt", "hr"}
    SKIP = {"script", "style", "noscript", "head", "svg", "nav"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skip = 0
        self.pre = 0

    def handle_starttag(self, tag: str, attrs: Any) -> None:
        if tag in self.SKIP:
            self.skip += 1
        elif re.fullmatch(r"h[1-6]", tag):
            self.parts.append("\n\n" + "#" * int(tag[1]) + " ")
        elif tag == "pre":
            self.pre += 1
            self.parts.append("\n\n```\n")
        elif tag == "li":
            self.parts.append("\n- ")
        elif tag in self.BLOCKS:
            self.parts.append("\n\n" if tag in {"p", "div", "section", "article", "table", "blockquote"} else "\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in self.SKIP:
            self.skip = max(0, self.skip - 1)
        elif re.fullmatch(r"h[1-6]", tag):
            self.parts.append("\n\n")
        elif tag == "pre":
            self.pre = max(0, self.pre - 1)
            self.parts.append("\n```\n\n")
        elif tag in self.BLOCKS:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if self.skip:
            return
        self.parts.append(data if self.pre else re.sub(r"[ \t\r\n]+", " ", data))


def html_to_text(source: str) -> str:
    parser = _HtmlText()
    parser.feed(source)
    parser.close()
    text = "".join(parser.parts)
    return "\n".join(line.strip() if not line.startswith("    ") else line.rstrip() for line in text.split("\n"))


def rst_to_text(source: str) -> str:
    """Turns underlined (and over/underlined) rst titles into markdown headings, for chunking."""
    lines = source.split("\n")
    out: list[str] = []
    levels: list[str] = []
    index = 0
    while index < len(lines):
        line = lines[index]
        nxt = lines[index + 1] if index + 1 < len(lines) else ""
        if RST_UNDERLINE.match(line) and index + 2 < len(lines) and RST_UNDERLINE.match(lines[index + 2]) and lines[index + 1].strip():
            line, nxt, index = lines[index + 1], lines[index + 2], index + 1
        if line.strip() and RST_UNDERLINE.match(nxt) and len(nxt.strip()) >= len(line.strip()) and not RST_UNDERLINE.match(line):
            char = nxt.strip()[0]
            if char not in levels:
                levels.append(char)
            out.append("#" * min(6, levels.index(char) + 1) + " " + line.strip())
            index += 2
            continue
        out.append(line)
        index += 1
    return "\n".join(out)


def read_source(path: Path) -> str:
    text = path.read_text(encoding="utf-8", errors="replace")
    suffix = path.suffix.lower()
    if suffix in {".html", ".htm"}:
        text = html_to_text(text)
    elif suffix == ".rst":
        text = rst_to_text(text)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = "\n".join(line.rstrip() for line in text.split("\n"))
    return re.sub(r"\n{3,}", "\n\n", text).strip()


def find_sources(entries: list[str]) -> list[tuple[str, Path]]:
    """(display name, path) of every source file, in a stable order; exits 2 when one is missing."""
    found: list[tuple[str, Path]] = []
    seen: set[str] = set()
    for entry in entries:
        path = Path(entry)
        if path.is_dir():
            for root, dirs, files in os.walk(path):
                dirs[:] = sorted(d for d in dirs if not d.startswith("."))
                for name in sorted(files):
                    candidate = Path(root) / name
                    if name.startswith(".") or candidate.suffix.lower() not in SOURCE_EXTENSIONS:
                        continue
                    real = os.path.realpath(candidate)
                    if real not in seen:
                        seen.add(real)
                        found.append((os.path.normpath(str(candidate)), candidate))
        elif path.is_file():
            real = os.path.realpath(path)
            if real not in seen:
                seen.add(real)
                found.append((os.path.normpath(entry), path))
        else:
            say(f"source not found: {entry}")
            sys.exit(2)
    return found


@dataclass
class Block:
    text: str
    heading: bool = False


def split_blocks(text: str) -> list[Block]:
    """Paragraphs and headings; a fenced code block stays whole."""
    blocks: list[Block] = []
    current: list[str] = []
    fence: str | None = None

    def flush() -> None:
        if current and "\n".join(current).strip():
            blocks.append(Block("\n".join(current).strip("\n")))
        current.clear()

    for line in text.split("\n"):
        stripped = line.strip()
        if fence is not None:
            current.append(line)
            if stripped.startswith(fence):
                fence = None
            continue
        if stripped.startswith("```") or stripped.startswith("~~~"):
            fence = stripped[:3]
            current.append(line)
            continue
        if HEADING.match(line):
            flush()
            blocks.append(Block(stripped, heading=True))
            continue
        if not stripped:
            flush()
            continue
        current.append(line)
    flush()
    return blocks


def split_long(text: str, limit: int) -> list[str]:
    pieces: list[str] = []
    current = ""
    for line in text.split("\n"):
        while len(line) > limit:
            if current:
                pieces.append(current)
                current = ""
            pieces.append(line[:limit])
            line = line[limit:]
        candidate = f"{current}\n{line}" if current else line
        if len(candidate) > limit:
            pieces.append(current)
            current = line
        else:
            current = candidate
    if current.strip():
        pieces.append(current)
    return [piece for piece in pieces if piece.strip()]


def chunk_text(text: str, limit: int, minimum: int) -> list[str]:
    """Chunks of at most `limit` characters; a heading starts a new chunk once the current one has `minimum`."""
    chunks: list[str] = []
    current = ""
    for block in split_blocks(text):
        if block.heading and len(current) >= minimum:
            chunks.append(current)
            current = ""
        pieces = [block.text] if len(block.text) <= limit else split_long(block.text, limit)
        for piece in pieces:
            candidate = f"{current}\n\n{piece}" if current else piece
            if len(candidate) <= limit:
                current = candidate
            else:
                if current:
                    chunks.append(current)
                current = piece
    if current.strip():
        chunks.append(current)
    return chunks


# ---------------------------------------------------------------------------------------------------------
# Templates, prompts and parsing


def load_templates(names: list[str], extra_dir: str | None) -> dict[str, str]:
    directories = ([Path(extra_dir)] if extra_dir else []) + [SKILL_DIR / "templates"]
    templates: dict[str, str] = {}
    for name in names:
        if not re.fullmatch(r"[a-z0-9][a-z0-9_\-]*", name):
            say(f"bad template name {name!r}: lowercase letters, digits, '-' and '_'")
            sys.exit(2)
        for directory in directories:
            path = directory / f"{name}.txt"
            if path.is_file():
                templates[name] = path.read_text(encoding="utf-8")
                break
        else:
            available = sorted({p.stem for d in directories if d.is_dir() for p in d.glob("*.txt")})
            say(f"unknown template {name!r}; available: {', '.join(available) or 'none'}")
            sys.exit(2)
    return templates


def render(template: str, values: dict[str, str]) -> str:
    """Replaces {n}, {source}, {template}, {format} and {chunk} in one pass (the chunk is never re-read)."""
    return re.sub(r"\{(n|source|template|format|chunk)\}", lambda match: values[match.group(1)], template)


def _candidates(text: str) -> list[Any]:
    """JSON values found in a model reply: the whole text, fenced blocks, then each balanced {...} / [...]."""
    values: list[Any] = []
    stripped = text.strip()
    try:
        values.append(json.loads(stripped))
    except json.JSONDecodeError:
        pass
    for match in re.finditer(r"```[a-zA-Z0-9_-]*\s*\n?(.*?)```", text, re.S):
        try:
            values.append(json.loads(match.group(1).strip()))
        except json.JSONDecodeError:
            pass
    decoder = json.JSONDecoder()
    for index, char in enumerate(text):
        if char in "{[":
            try:
                value, _ = decoder.raw_decode(text, index)
            except json.JSONDecodeError:
                continue
            values.append(value)
            if len(values) > 50:
                break
    return values


def _pick(item: dict[str, Any], keys: tuple[str, ...]) -> Any:
    lowered = {str(k).lower(): v for k, v in item.items()}
    for key in keys:
        if key in lowered:
            return lowered[key]
    return None


def parse_pairs(text: str) -> tuple[list[Any] | None, str]:
    """(pairs, "") or (None, reason). Pairs keep the model's values; validation happens at build time."""
    if not text.strip():
        return None, "empty reply"
    for value in _candidates(text):
        items: Any = None
        if isinstance(value, dict):
            for key in ("pairs", "examples", "data", "items"):
                if isinstance(value.get(key), list):
                    items = value[key]
                    break
            if items is None and _pick(value, INSTRUCTION_KEYS) is not None:
                items = [value]
        elif isinstance(value, list) and all(isinstance(v, dict) for v in value):
            items = value
        if items is None:
            continue
        pairs: list[Any] = []
        for item in items:
            if isinstance(item, dict):
                pairs.append({"instruction": _pick(item, INSTRUCTION_KEYS), "response": _pick(item, RESPONSE_KEYS)})
            else:
                pairs.append(item)
        return pairs, ""
    return None, "no JSON object with a \"pairs\" list in the reply"


# ---------------------------------------------------------------------------------------------------------
# Validation, de-duplication, split


def normalise(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip().lower()


def words(text: str) -> list[str]:
    return re.findall(r"\w+", text.lower())


def shingles(text: str, size: int) -> frozenset[tuple[str, ...]]:
    tokens = words(text)
    if len(tokens) < size:
        return frozenset([tuple(tokens)]) if tokens else frozenset()
    return frozenset(tuple(tokens[i:i + size]) for i in range(len(tokens) - size + 1))


def validate(pair: Any, limits: argparse.Namespace) -> str | None:
    """None when the pair is usable, else the reason it is dropped."""
    if not isinstance(pair, dict):
        return "not_an_object"
    instruction, response = pair.get("instruction"), pair.get("response")
    if not isinstance(instruction, str) or not isinstance(response, str):
        return "not_strings"
    instruction, response = instruction.strip(), response.strip()
    if not instruction or not response:
        return "empty"
    if len(instruction) < limits.min_instruction_chars:
        return "instruction_too_short"
    if len(instruction) > limits.max_instruction_chars:
        return "instruction_too_long"
    if len(response) < limits.min_response_chars:
        return "response_too_short"
    if len(response) > limits.max_response_chars:
        return "response_too_long"
    ni, nr = normalise(instruction), normalise(response)
    if ni == nr or (len(ni) > 20 and ni in nr and len(ni) >= 0.8 * len(nr)):
        return "copy_of_response"
    for text in (ni, nr):
        if any(phrase in text for phrase in REFUSAL_ANYWHERE):
            return "refusal"
    if nr.startswith(REFUSAL_AT_START):
        return "refusal"
    return None


class NearDuplicates:
    """Jaccard similarity of word shingles against every kept instruction, via an inverted index."""

    def __init__(self, threshold: float) -> None:
        self.threshold = threshold
        self.kept: list[frozenset[tuple[str, ...]]] = []
        self.index: dict[tuple[str, ...], list[int]] = {}

    def is_near_duplicate(self, sh: frozenset[tuple[str, ...]]) -> bool:
        if not sh:
            return False
        overlap: dict[int, int] = {}
        for shingle in sh:
            for kept in self.index.get(shingle, ()):
                overlap[kept] = overlap.get(kept, 0) + 1
        for kept, shared in overlap.items():
            union = len(sh) + len(self.kept[kept]) - shared
            if union and shared / union >= self.threshold:
                return True
        return False

    def add(self, sh: frozenset[tuple[str, ...]]) -> None:
        number = len(self.kept)
        self.kept.append(sh)
        for shingle in sh:
            self.index.setdefault(shingle, []).append(number)


def is_eval(seed: int, instruction: str, fraction: float) -> bool:
    """Stable split: the pair's hash, not its position, decides (so resuming never moves a pair)."""
    digest = sha256(f"{seed}:{normalise(instruction)}")
    return int(digest[:16], 16) / float(1 << 64) < fraction


# ---------------------------------------------------------------------------------------------------------
# Plan, raw log, state


@dataclass
class Item:
    key: str
    source: str
    chunk_index: int
    template: str
    chunk: str

    @property
    def label(self) -> str:
        return f"{self.source}#{self.chunk_index}"


@dataclass
class Plan:
    sources: int
    chunks: int
    duplicate_chunks: int
    items: list[Item] = field(default_factory=list)


def build_plan(args: argparse.Namespace, templates: dict[str, str]) -> Plan:
    sources = find_sources(args.sources)
    if not sources:
        say("no source files found (looked for " + ", ".join(sorted(SOURCE_EXTENSIONS)) + ")")
        sys.exit(2)
    plan = Plan(sources=len(sources), chunks=0, duplicate_chunks=0)
    seen_chunks: set[str] = set()
    for name, path in sources:
        for index, chunk in enumerate(chunk_text(read_source(path), args.chunk_chars, args.min_chunk_chars)):
            plan.chunks += 1
            chunk_hash = sha256(chunk)
            if chunk_hash in seen_chunks:
                plan.duplicate_chunks += 1
                continue
            seen_chunks.add(chunk_hash)
            for template_name, template_text in templates.items():
                key = sha256(json.dumps([chunk_hash, template_name, sha256(template_text), args.model, args.pairs_per_chunk]))[:32]
                plan.items.append(Item(key, name, index, template_name, chunk))
    return plan


def load_raw(path: Path) -> tuple[dict[str, dict[str, Any]], int]:
    """Latest record per key, and how many lines could not be read (a line cut by a kill)."""
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


class RawLog:
    """Append-only raw.jsonl: one whole line per finished item, flushed and synced at once."""

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


def item_status(records: dict[str, dict[str, Any]], item: Item) -> str:
    record = records.get(item.key)
    if record is None:
        return "pending"
    return "done" if record.get("status") == "ok" else "failed"


def write_state(out: Path, args: argparse.Namespace, plan: Plan, records: dict[str, dict[str, Any]]) -> None:
    counts = {"done": 0, "failed": 0, "pending": 0}
    for item in plan.items:
        counts[item_status(records, item)] += 1
    state = {
        "format": STATE_FORMAT,
        "updated_at": now_iso(),
        "model": args.model,
        "templates": list(args.template_names),
        "pairs_per_chunk": args.pairs_per_chunk,
        "items": len(plan.items),
        **counts,
        "raw": "raw.jsonl",
    }
    write_atomic(out / "state.json", json.dumps(state, indent=2) + "\n")


# ---------------------------------------------------------------------------------------------------------
# Generation


def request_body(args: argparse.Namespace, item: Item, template: str) -> dict[str, Any]:
    values = {"n": str(args.pairs_per_chunk), "source": item.label, "template": item.template, "chunk": item.chunk}
    values["format"] = render(OUTPUT_FORMAT, {**values, "format": "", "chunk": ""})
    body: dict[str, Any] = {
        "model": args.model,
        "messages": [
            {"role": "system", "content": GENERATOR_SYSTEM_PROMPT},
            {"role": "user", "content": render(template, values)},
        ],
        "temperature": args.temperature,
    }
    if args.max_tokens:
        body["max_tokens"] = args.max_tokens
    if args.json_mode:
        body["response_format"] = {"type": "json_object"}
    body.update(args.extra_body)
    return body


def add_usage(total: dict[str, float], payload: dict[str, Any]) -> None:
    usage = payload.get("usage")
    if not isinstance(usage, dict):
        return
    for name in ("prompt_tokens", "completion_tokens", "cost"):
        value = usage.get(name)
        if isinstance(value, (int, float)):
            total[name] = total.get(name, 0) + value


def generate(client: ChatClient, args: argparse.Namespace, item: Item, template: str, stop: threading.Event) -> dict[str, Any]:
    """Runs one item: a request, and one more when the reply cannot be parsed. Returns the raw record."""
    record: dict[str, Any] = {
        "format": RAW_FORMAT, "key": item.key, "source": item.label, "template": item.template, "model": args.model,
    }
    usage: dict[str, float] = {}
    requests = 0
    reason = ""
    raw_reply = ""
    for _ in range(2):
        if stop.is_set():
            raise ApiError("stopped", None, 0)
        try:
            payload, attempts = client.complete(request_body(args, item, template))
        except ApiError as error:
            requests += error.attempts
            if error.fatal:
                raise
            record.update(status="failed", reason=error.message, requests=requests, usage=usage, finished_at=now_iso())
            return record
        requests += attempts
        add_usage(usage, payload)
        raw_reply = message_text(payload)
        pairs, reason = parse_pairs(raw_reply)
        if pairs is not None:
            record.update(status="ok", pairs=pairs, requests=requests, usage=usage, finished_at=now_iso())
            return record
    record.update(status="failed", reason=f"invalid output: {reason}", reply=client.scrub(raw_reply[:500]),
                  requests=requests, usage=usage, finished_at=now_iso())
    return record


# ---------------------------------------------------------------------------------------------------------
# Build outputs


def build_outputs(out: Path, args: argparse.Namespace, plan: Plan, records: dict[str, dict[str, Any]], run: dict[str, Any]) -> dict[str, Any]:
    system_prompt = args.system_prompt
    exact: set[str] = set()
    near = NearDuplicates(args.near_duplicate_threshold)
    train: list[str] = []
    evaluation: list[str] = []
    invalid: dict[str, int] = {}
    by_template: dict[str, dict[str, int]] = {name: {"generated": 0, "kept": 0} for name in args.template_names}
    counts = {"done": 0, "failed": 0, "pending": 0}
    generated = duplicates_exact = duplicates_near = requests = 0
    usage: dict[str, float] = {}
    failed_items: list[dict[str, str]] = []
    for item in plan.items:
        status = item_status(records, item)
        counts[status] += 1
        record = records.get(item.key)
        if record is None:
            continue
        requests += int(record.get("requests", 0) or 0)
        for name, value in (record.get("usage") or {}).items():
            if isinstance(value, (int, float)):
                usage[name] = usage.get(name, 0) + value
        if status == "failed":
            failed_items.append({"source": item.label, "template": item.template, "reason": str(record.get("reason", ""))})
            continue
        for pair in record.get("pairs") or []:
            generated += 1
            by_template[item.template]["generated"] += 1
            reason = validate(pair, args)
            if reason:
                invalid[reason] = invalid.get(reason, 0) + 1
                continue
            instruction, response = pair["instruction"].strip(), pair["response"].strip()
            digest = sha256(normalise(instruction))
            if digest in exact:
                duplicates_exact += 1
                continue
            sh = shingles(instruction, args.shingle_size)
            if near.is_near_duplicate(sh):
                duplicates_near += 1
                continue
            exact.add(digest)
            near.add(sh)
            by_template[item.template]["kept"] += 1
            messages = ([{"role": "system", "content": system_prompt}] if system_prompt else []) + [
                {"role": "user", "content": instruction},
                {"role": "assistant", "content": response},
            ]
            line = json.dumps({"messages": messages, "meta": {"source": item.label, "template": item.template}}, ensure_ascii=False)
            (evaluation if is_eval(args.seed, instruction, args.eval_fraction) else train).append(line)
    write_atomic(out / "train.jsonl", "".join(line + "\n" for line in train))
    write_atomic(out / "eval.jsonl", "".join(line + "\n" for line in evaluation))
    stats = {
        "format": STATS_FORMAT,
        "model": args.model,
        "templates": list(args.template_names),
        "pairs_per_chunk": args.pairs_per_chunk,
        "sources": plan.sources,
        "chunks": plan.chunks,
        "duplicate_chunks": plan.duplicate_chunks,
        "items": len(plan.items),
        "items_done": counts["done"],
        "items_failed": counts["failed"],
        "items_pending": counts["pending"],
        "requests": requests,
        "usage": {name: round(value, 6) for name, value in sorted(usage.items())},
        "pairs_generated": generated,
        "invalid": sum(invalid.values()),
        "invalid_reasons": dict(sorted(invalid.items())),
        "duplicates_exact": duplicates_exact,
        "duplicates_near": duplicates_near,
        "duplicates_removed": duplicates_exact + duplicates_near,
        "pairs_kept": len(train) + len(evaluation),
        "train": len(train),
        "eval": len(evaluation),
        "eval_fraction": args.eval_fraction,
        "seed": args.seed,
        "by_template": by_template,
        "failures": counts["failed"],
        "failed_items": failed_items[:100],
        "last_run": run,
    }
    write_atomic(out / "stats.json", json.dumps(stats, indent=2, ensure_ascii=False) + "\n")
    return stats


# ---------------------------------------------------------------------------------------------------------
# Main


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="distill.py",
        description="Turn source documents into chat-format instruction/response pairs with an OpenAI-compatible model.",
    )
    parser.add_argument("--sources", nargs="+", required=True, help="files or directories (.md .txt .rst .html)")
    parser.add_argument("--out", required=True, help="output directory (train.jsonl, eval.jsonl, stats.json, raw.jsonl, state.json)")
    parser.add_argument("--model", required=True, help="generator model id, e.g. openai/gpt-4o (OpenRouter naming)")
    parser.add_argument("--templates", default=DEFAULT_TEMPLATES, help=f"comma-separated (default {DEFAULT_TEMPLATES})")
    parser.add_argument("--template-dir", help="extra directory of <name>.txt templates, searched before the skill's")
    parser.add_argument("--pairs-per-chunk", type=int, default=3, help="pairs asked per chunk and template (default 3)")
    parser.add_argument("--system-prompt", help="system message put in every produced example (optional)")
    parser.add_argument("--chunk-chars", type=int, default=4000, help="maximum characters per chunk (default 4000)")
    parser.add_argument("--min-chunk-chars", type=int, default=400, help="a heading starts a new chunk only past this size (default 400)")
    parser.add_argument("--eval-fraction", type=float, default=0.05, help="share of pairs in eval.jsonl (default 0.05)")
    parser.add_argument("--seed", type=int, default=0, help="seed of the train/eval split (default 0)")
    parser.add_argument("--base-url", help=f"OpenAI-compatible base URL (default $OPENAI_BASE_URL or {DEFAULT_BASE_URL})")
    parser.add_argument("--api-key-env", help="variable holding the key (default OPENROUTER_API_KEY, then OPENAI_API_KEY)")
    parser.add_argument("--temperature", type=float, default=0.7)
    parser.add_argument("--max-tokens", type=int, help="max_tokens per request (not sent by default)")
    parser.add_argument("--json-mode", action="store_true", help='send response_format {"type": "json_object"}')
    parser.add_argument("--extra-body", default="{}", help="JSON object merged into every request body")
    parser.add_argument("--concurrency", type=int, default=1, help="parallel requests (default 1)")
    parser.add_argument("--max-items", type=int, help="stop after this many new items (a sample run)")
    parser.add_argument("--dry-run", action="store_true", help="list the items and what is done; no requests")
    parser.add_argument("--timeout", type=float, default=300.0, help="seconds per HTTP request (default 300)")
    parser.add_argument("--max-attempts", type=int, default=6, help="HTTP attempts per request on 429/5xx/connection errors")
    parser.add_argument("--backoff-base", type=float, default=1.0, help="first backoff in seconds, doubled each retry")
    parser.add_argument("--max-backoff", type=float, default=60.0)
    parser.add_argument("--max-retry-wait", type=float, default=300.0, help="cap on a server's Retry-After")
    parser.add_argument("--max-consecutive-failures", type=int, default=5, help="stop the run after this many failed items in a row")
    parser.add_argument("--min-instruction-chars", type=int, default=10)
    parser.add_argument("--max-instruction-chars", type=int, default=4000)
    parser.add_argument("--min-response-chars", type=int, default=20)
    parser.add_argument("--max-response-chars", type=int, default=16000)
    parser.add_argument("--near-duplicate-threshold", type=float, default=0.8, help="Jaccard of instruction shingles (default 0.8)")
    parser.add_argument("--shingle-size", type=int, default=5, help="words per shingle (default 5)")
    args = parser.parse_args(argv)
    args.template_names = [name.strip() for name in args.templates.split(",") if name.strip()]
    if not args.template_names:
        parser.error("--templates names no template")
    if args.pairs_per_chunk < 1 or args.chunk_chars < 200 or args.concurrency < 1:
        parser.error("--pairs-per-chunk >= 1, --chunk-chars >= 200 and --concurrency >= 1")
    if not 0.0 <= args.eval_fraction < 1.0:
        parser.error("--eval-fraction must be in [0, 1)")
    try:
        args.extra_body = json.loads(args.extra_body)
    except json.JSONDecodeError as error:
        parser.error(f"--extra-body is not JSON: {error}")
    if not isinstance(args.extra_body, dict):
        parser.error("--extra-body must be a JSON object")
    args.base_url = args.base_url or os.environ.get("OPENAI_BASE_URL") or DEFAULT_BASE_URL
    return args


def main(argv: list[str]) -> int:
    args = parse_args(argv)
    templates = load_templates(args.template_names, args.template_dir)
    plan = build_plan(args, templates)
    out = Path(args.out)
    records, broken = load_raw(out / "raw.jsonl")

    if args.dry_run:
        counts = {"done": 0, "failed": 0, "pending": 0}
        prompt_chars = 0
        for item in plan.items:
            status = item_status(records, item)
            counts[status] += 1
            if status != "done":
                prompt_chars += len(item.chunk) + len(templates[item.template])
            emit({"event": "plan", "source": item.label, "chars": len(item.chunk), "template": item.template, "status": status})
        summary = {"event": "dry-run", "sources": plan.sources, "chunks": plan.chunks, "duplicate_chunks": plan.duplicate_chunks,
                   "templates": args.template_names, "items": len(plan.items), **counts,
                   "to_request": counts["pending"] + counts["failed"], "approx_prompt_tokens": prompt_chars // 4,
                   "max_pairs": (counts["pending"] + counts["failed"]) * args.pairs_per_chunk}
        emit(summary)
        say(f"{plan.sources} files, {plan.chunks} chunks x {len(args.template_names)} templates = {len(plan.items)} items; "
            f"{counts['done']} done, {counts['failed']} failed, {counts['pending']} pending; "
            f"would request {summary['to_request']} (about {summary['approx_prompt_tokens']} prompt tokens)")
        return 0

    key, key_source = resolve_key(args.api_key_env, args.base_url, required=True)
    scrub = Scrubber([key] if key else [])
    out.mkdir(parents=True, exist_ok=True)
    lock_handle = (out / ".lock").open("w")
    try:
        fcntl.flock(lock_handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        say(f"another distill run is using {out}; wait for it or pick another --out")
        return 3
    if broken:
        say(f"{broken} unreadable line(s) in raw.jsonl ignored (a run was killed mid-write); those items run again")

    client = ChatClient(args.base_url, key, scrub, timeout=args.timeout, max_attempts=args.max_attempts,
                        backoff_base=args.backoff_base, max_backoff=args.max_backoff, max_retry_wait=args.max_retry_wait)
    todo = [item for item in plan.items if item_status(records, item) != "done"]
    skipped = len(plan.items) - len(todo)
    if args.max_items is not None:
        todo = todo[: max(0, args.max_items)]
    run: dict[str, Any] = {"started_at": now_iso(), "items_skipped": skipped, "items_attempted": 0, "requests": 0, "stopped": None}
    emit({"event": "start", "model": args.model, "base_url": args.base_url, "key_env": key_source, "items": len(plan.items),
          "done": skipped, "to_request": len(todo), "chunks": plan.chunks, "templates": args.template_names})
    say(f"{len(plan.items)} items ({plan.chunks} chunks x {len(args.template_names)} templates): {skipped} already done, {len(todo)} to request with {args.model}")

    raw = RawLog(out / "raw.jsonl")
    stop = threading.Event()
    exit_code = 0
    consecutive_failures = 0

    def on_term(signum: int, frame: Any) -> None:
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, on_term)
    executor = concurrent.futures.ThreadPoolExecutor(max_workers=args.concurrency)
    queue = iter(todo)
    in_flight: dict[concurrent.futures.Future[dict[str, Any]], Item] = {}
    number = 0

    def refill() -> None:
        # Items are handed out only as results come back, so a stop takes effect before the next request.
        while not stop.is_set() and len(in_flight) < args.concurrency:
            item = next(queue, None)
            if item is None:
                return
            in_flight[executor.submit(generate, client, args, item, templates[item.template], stop)] = item

    try:
        refill()
        while in_flight:
            finished, _ = concurrent.futures.wait(in_flight, return_when=concurrent.futures.FIRST_COMPLETED)
            for future in finished:
                item = in_flight.pop(future)
                try:
                    record = future.result()
                except ApiError as error:
                    if error.fatal and not stop.is_set():
                        stop.set()
                        run["stopped"] = error.message
                        say(f"stopping: {error.message}" + (f" (key from {key_source})" if error.status in (401, 403) else ""))
                        exit_code = 1
                    continue
                number += 1
                raw.append(record)
                records[item.key] = record
                run["items_attempted"] += 1
                write_state(out, args, plan, records)
                event = {"event": "item", "n": number, "of": len(todo), "source": item.label, "template": item.template,
                         "status": record["status"], "requests": record.get("requests", 0)}
                if record["status"] == "ok":
                    event["pairs"] = len(record.get("pairs") or [])
                    consecutive_failures = 0
                else:
                    event["reason"] = record.get("reason", "")
                    say(f"failed {item.label} [{item.template}]: {record.get('reason', '')}")
                    consecutive_failures += 1
                    if consecutive_failures >= args.max_consecutive_failures and not stop.is_set():
                        stop.set()
                        run["stopped"] = f"{consecutive_failures} items failed in a row"
                        exit_code = 1
                        say(f"stopping: {consecutive_failures} items failed in a row; check the endpoint and rerun to resume")
                emit(event)
            refill()
    except KeyboardInterrupt:
        stop.set()
        run["stopped"] = "interrupted"
        exit_code = 130
    finally:
        executor.shutdown(wait=exit_code != 130, cancel_futures=True)
        raw.close()

    run["requests"] = client.requests
    run["finished_at"] = now_iso()
    write_state(out, args, plan, records)
    stats = build_outputs(out, args, plan, records, run)
    summary = {key: stats[key] for key in ("items", "items_done", "items_failed", "items_pending", "pairs_generated", "invalid",
                                           "duplicates_exact", "duplicates_near", "pairs_kept", "train", "eval")}
    emit({"event": "summary", **summary, "requests_this_run": client.requests, "out": str(out)})
    say(f"{stats['pairs_kept']} pairs kept ({stats['train']} train, {stats['eval']} eval) of {stats['pairs_generated']} generated; "
        f"{stats['invalid']} invalid, {stats['duplicates_removed']} duplicates; {stats['items_failed']} failed and "
        f"{stats['items_pending']} pending items; {client.requests} requests this run")
    if exit_code == 130:
        # Worker threads may still sit in a request; do not wait for them.
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(130)
    if exit_code:
        return exit_code
    return 1 if stats["items_failed"] else 0


if __name__ == "__main__":
    try:
        sys.exit(main(sys.argv[1:]))
    except KeyboardInterrupt:
        sys.exit(130)
