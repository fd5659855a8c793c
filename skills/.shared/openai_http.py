"""The OpenAI-compatible chat client shared by the skills' scripts (dataset-distillation, evaluation).

POST {base}/chat/completions with urllib: retries with exponential backoff on 429, 5xx and connection
errors, honours Retry-After, and stops at once (ApiError.fatal) on 401/402/403/404. Also: the API key
lookup, scrubbing of the key from any text that is printed or stored, the pieces of a reply the scripts read
(text, usage, JSON values), a runner for parallel requests that stops on a fatal error, and the
command-line options of the client.

Standard library only (Python 3.11+). The scripts import it from skills/.shared (a folder the skills server
does not list), so a script copied elsewhere needs skills/.shared copied beside its skill folder.
"""
from __future__ import annotations

import argparse
import concurrent.futures
import email.utils
import http.client
import json
import os
import random
import re
import socket
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from typing import Any, Callable, Iterable

DEFAULT_BASE_URL = "https://openrouter.ai/api/v1"
DEFAULT_KEY_ENVS = ("OPENROUTER_API_KEY", "OPENAI_API_KEY")
FATAL_STATUSES = {401, 402, 403, 404}
LOCAL_HOSTS = {"localhost", "127.0.0.1", "::1"}


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


def resolve_key(env_name: str | None, url: str, option: str, say: Callable[[str], None], *,
                name_url: bool = False) -> tuple[str | None, str]:
    """(key, where it came from) for one endpoint: the variable `env_name` when given (`option` names it on
    the command line), else the first of DEFAULT_KEY_ENVS that is set; a localhost endpoint may go without
    (key None, "none"). Otherwise says what to set and exits 2. `name_url` puts the URL in that message."""
    if env_name:
        value = os.environ.get(env_name, "")
        if not value:
            say(f"the API key variable {env_name} is not set (or empty); export it, or name another with {option}")
            sys.exit(2)
        return value, env_name
    for candidate in DEFAULT_KEY_ENVS:
        value = os.environ.get(candidate, "")
        if value:
            return value, candidate
    host = urllib.parse.urlparse(url).hostname or ""
    if host in LOCAL_HOSTS:
        return None, "none"
    where = f" for {url}" if name_url else ""
    say(f"no API key{where}: set {DEFAULT_KEY_ENVS[0]} (or {DEFAULT_KEY_ENVS[1]}), or name the variable with {option}")
    sys.exit(2)


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

    @classmethod
    def from_args(cls, base_url: str, key: str | None, scrub: Scrubber, args: argparse.Namespace) -> ChatClient:
        """A client with the options of add_client_arguments."""
        return cls(base_url, key, scrub, timeout=args.timeout, max_attempts=args.max_attempts, backoff_base=args.backoff_base,
                   max_backoff=args.max_backoff, max_retry_wait=args.max_retry_wait)

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


# ---------------------------------------------------------------------------------------------------------
# Replies


def message_text(payload: dict[str, Any]) -> str:
    choice = payload["choices"][0] if payload.get("choices") else {}
    message = choice.get("message") or {}
    content = message.get("content")
    if isinstance(content, list):
        return "".join(part.get("text", "") for part in content if isinstance(part, dict))
    return content if isinstance(content, str) else ""


def add_usage(total: dict[str, float], payload: dict[str, Any]) -> None:
    usage = payload.get("usage")
    if not isinstance(usage, dict):
        return
    for name in ("prompt_tokens", "completion_tokens", "cost"):
        value = usage.get(name)
        if isinstance(value, (int, float)):
            total[name] = total.get(name, 0) + value


def json_candidates(text: str) -> list[Any]:
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


@dataclass
class Exchange:
    """What ask_parsed got: the parsed reply, or the reason there is none (with the last reply's text)."""
    parsed: Any = None
    error: str | None = None
    reason: str = ""
    reply: str = ""
    requests: int = 0
    usage: dict[str, float] = field(default_factory=dict)


def ask_parsed(client: ChatClient, body: dict[str, Any], parse: Callable[[str], tuple[Any, str]], stop: threading.Event,
               tries: int = 2) -> Exchange:
    """Sends the body until `parse` (reply text -> (value or None, reason)) accepts a reply, `tries` times
    at most. A non-fatal ApiError ends it with `error` set; a fatal one, or a stop, is raised."""
    exchange = Exchange()
    for _ in range(tries):
        if stop.is_set():
            raise ApiError("stopped", None, 0)
        try:
            payload, attempts = client.complete(body)
        except ApiError as error:
            exchange.requests += error.attempts
            if error.fatal:
                raise
            exchange.error = error.message
            return exchange
        exchange.requests += attempts
        add_usage(exchange.usage, payload)
        exchange.reply = message_text(payload)
        exchange.parsed, exchange.reason = parse(exchange.reply)
        if exchange.parsed is not None:
            return exchange
    return exchange


# ---------------------------------------------------------------------------------------------------------
# Parallel requests


class Runner:
    """Runs tasks with bounded parallelism, handing one out only when a slot frees, and stops on a fatal error.

    `work(task)` returns a record, handed to `done(task, record)` in the calling thread; an ApiError from
    `work` drops the task, and a fatal one sets `stop`, `fatal` and `fatal_status` and calls `on_fatal(error)`.
    Ctrl-C (KeyboardInterrupt) sets `stop` and is raised without waiting for requests still in flight."""

    def __init__(self, concurrency: int, stop: threading.Event, on_fatal: Callable[[ApiError], None] | None = None) -> None:
        self.concurrency = concurrency
        self.stop = stop
        self.on_fatal = on_fatal
        self.fatal: str | None = None
        self.fatal_status: int | None = None

    def run(self, tasks: Iterable[Any], work: Callable[[Any], dict[str, Any]], done: Callable[[Any, dict[str, Any]], None]) -> None:
        queue = iter(tasks)
        in_flight: dict[concurrent.futures.Future[dict[str, Any]], Any] = {}
        executor = concurrent.futures.ThreadPoolExecutor(max_workers=self.concurrency)

        def refill() -> None:
            # Tasks are handed out only as results come back, so a stop takes effect before the next request.
            while not self.stop.is_set() and len(in_flight) < self.concurrency:
                task = next(queue, None)
                if task is None:
                    return
                in_flight[executor.submit(work, task)] = task

        interrupted = False
        try:
            refill()
            while in_flight:
                finished, _ = concurrent.futures.wait(in_flight, return_when=concurrent.futures.FIRST_COMPLETED)
                for future in finished:
                    task = in_flight.pop(future)
                    try:
                        record = future.result()
                    except ApiError as error:
                        if error.fatal and not self.stop.is_set():
                            self.stop.set()
                            self.fatal, self.fatal_status = error.message, error.status
                            if self.on_fatal is not None:
                                self.on_fatal(error)
                        continue
                    done(task, record)
                refill()
        except KeyboardInterrupt:
            interrupted = True
            self.stop.set()
            raise
        finally:
            # On an interrupt, do not wait for requests still in flight.
            executor.shutdown(wait=not interrupted, cancel_futures=True)


# ---------------------------------------------------------------------------------------------------------
# Command line


def add_client_arguments(parser: argparse.ArgumentParser) -> None:
    """--timeout, --max-attempts, --backoff-base, --max-backoff and --max-retry-wait (see ChatClient.from_args)."""
    parser.add_argument("--timeout", type=float, default=300.0, help="seconds per HTTP request (default 300)")
    parser.add_argument("--max-attempts", type=int, default=6, help="HTTP attempts per request on 429/5xx/connection errors")
    parser.add_argument("--backoff-base", type=float, default=1.0, help="first backoff in seconds, doubled each retry")
    parser.add_argument("--max-backoff", type=float, default=60.0)
    parser.add_argument("--max-retry-wait", type=float, default=300.0, help="cap on a server's Retry-After")


def base_url_or_default(url: str | None) -> str:
    """The URL given, else $OPENAI_BASE_URL, else DEFAULT_BASE_URL."""
    return url or os.environ.get("OPENAI_BASE_URL") or DEFAULT_BASE_URL


def json_object_argument(parser: argparse.ArgumentParser, text: str, option: str) -> dict[str, Any]:
    """The value of an option that holds a JSON object; a parser error (exit 2) otherwise."""
    try:
        value = json.loads(text)
    except json.JSONDecodeError as error:
        parser.error(f"{option} is not JSON: {error}")
    if not isinstance(value, dict):
        parser.error(f"{option} must be a JSON object")
    return value
