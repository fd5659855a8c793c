#!/usr/bin/env python3
"""Distil source documents into a chat-format instruction dataset with an OpenAI-compatible endpoint.

Each source file is chunked (headings/paragraphs, at most --chunk-chars), and every (chunk, template) item
asks the model for --pairs-per-chunk instruction/response pairs as JSON. Finished items are appended to
OUT/raw.jsonl as soon as they complete (keyed by a hash of chunk text, template and model), so a rerun with
the same arguments skips them; train.jsonl, eval.jsonl and stats.json are always rebuilt from raw.jsonl
(validation, exact and near-duplicate removal, hash-based train/eval split).

Standard library only (Python 3.11+), with the OpenAI-compatible client and file helpers it shares with the
evaluation skill in skills/.shared (keep that folder beside the skill folder). Progress and the summary go
to stdout as JSON lines; human messages to stderr. Exit status: 0 done, 1 some items failed (or the run was
stopped), 2 bad arguments or missing key, 3 another run holds OUT, 130 interrupted.
"""
from __future__ import annotations

import argparse
import html
import html.parser
import json
import os
import re
import sys
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

SKILL_DIR = Path(__file__).resolve().parent.parent
# skills/.shared holds the OpenAI-compatible client and file helpers shared with the evaluation skill.
SHARED_DIR = SKILL_DIR.parent / ".shared"
if not all((SHARED_DIR / name).is_file() for name in ("openai_http.py", "skill_io.py")):
    sys.exit(f"distill: {SHARED_DIR} lacks openai_http.py or skill_io.py; copy skills/.shared too, beside the skill folder")
sys.path.insert(0, str(SHARED_DIR))
sys.dont_write_bytecode = True  # keep __pycache__ out of the skills folder
from openai_http import DEFAULT_BASE_URL, ApiError, ChatClient, Runner, Scrubber, add_client_arguments, ask_parsed
from openai_http import base_url_or_default, json_candidates, json_object_argument, resolve_key
from skill_io import AppendLog, emit, exit_interrupted, interrupt_on_sigterm, lock_run_dir, make_say, now_iso
from skill_io import read_records, run_main, sha256, write_atomic

DEFAULT_TEMPLATES = "qa,troubleshooting,code,comparison"
SOURCE_EXTENSIONS = {".md", ".markdown", ".txt", ".rst", ".html", ".htm"}
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

say = make_say("distill")


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
    for value in json_candidates(text):
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


def generate(client: ChatClient, args: argparse.Namespace, item: Item, template: str, stop: threading.Event) -> dict[str, Any]:
    """Runs one item: a request, and one more when the reply cannot be parsed. Returns the raw record."""
    record: dict[str, Any] = {
        "format": RAW_FORMAT, "key": item.key, "source": item.label, "template": item.template, "model": args.model,
    }
    exchange = ask_parsed(client, request_body(args, item, template), parse_pairs, stop)
    usage, requests = exchange.usage, exchange.requests
    if exchange.error is not None:
        record.update(status="failed", reason=exchange.error, requests=requests, usage=usage, finished_at=now_iso())
    elif exchange.parsed is not None:
        record.update(status="ok", pairs=exchange.parsed, requests=requests, usage=usage, finished_at=now_iso())
    else:
        record.update(status="failed", reason=f"invalid output: {exchange.reason}", reply=client.scrub(exchange.reply[:500]),
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
    add_client_arguments(parser)
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
    args.extra_body = json_object_argument(parser, args.extra_body, "--extra-body")
    args.base_url = base_url_or_default(args.base_url)
    return args


def main(argv: list[str]) -> int:
    args = parse_args(argv)
    templates = load_templates(args.template_names, args.template_dir)
    plan = build_plan(args, templates)
    out = Path(args.out)
    records, broken = read_records(out / "raw.jsonl")

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

    key, key_source = resolve_key(args.api_key_env, args.base_url, "--api-key-env", say)
    scrub = Scrubber([key] if key else [])
    lock = lock_run_dir(out)
    if lock is None:
        say(f"another distill run is using {out}; wait for it or pick another --out")
        return 3
    if broken:
        say(f"{broken} unreadable line(s) in raw.jsonl ignored (a run was killed mid-write); those items run again")

    client = ChatClient.from_args(args.base_url, key, scrub, args)
    todo = [item for item in plan.items if item_status(records, item) != "done"]
    skipped = len(plan.items) - len(todo)
    if args.max_items is not None:
        todo = todo[: max(0, args.max_items)]
    run: dict[str, Any] = {"started_at": now_iso(), "items_skipped": skipped, "items_attempted": 0, "requests": 0, "stopped": None}
    emit({"event": "start", "model": args.model, "base_url": args.base_url, "key_env": key_source, "items": len(plan.items),
          "done": skipped, "to_request": len(todo), "chunks": plan.chunks, "templates": args.template_names})
    say(f"{len(plan.items)} items ({plan.chunks} chunks x {len(args.template_names)} templates): {skipped} already done, {len(todo)} to request with {args.model}")

    raw = AppendLog(out / "raw.jsonl")
    stop = threading.Event()
    exit_code = 0
    consecutive_failures = 0
    number = 0

    def stopped_by(error: ApiError) -> None:
        nonlocal exit_code
        run["stopped"] = error.message
        say(f"stopping: {error.message}" + (f" (key from {key_source})" if error.status in (401, 403) else ""))
        exit_code = 1

    def finished(item: Item, record: dict[str, Any]) -> None:
        nonlocal exit_code, consecutive_failures, number
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

    interrupt_on_sigterm()
    runner = Runner(args.concurrency, stop, on_fatal=stopped_by)
    try:
        runner.run(todo, lambda item: generate(client, args, item, templates[item.template], stop), finished)
    except KeyboardInterrupt:
        run["stopped"] = "interrupted"
        exit_code = 130
    finally:
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
        exit_interrupted()
    if exit_code:
        return exit_code
    return 1 if stats["items_failed"] else 0


if __name__ == "__main__":
    run_main(main)
