#!/usr/bin/env python3
"""Compare a base model and a specialist (e.g. a LoRA adapter) on domain prompts with LLM judges.

Answers come from OpenAI-compatible endpoints (cached in OUT/answers-<system>.jsonl) or from JSONL files.
Each judge model scores both answers of every prompt 1-5 (correctness, depth, actionability), seeing them in
a seeded random A/B order; judgements are cached in OUT/judgements.jsonl, so a rerun only asks for what is
missing. Writes OUT/evaluation.json (format "mux-swarm-evaluation/1") and OUT/evaluation.md.

Standard library only (Python 3.11+), with the OpenAI-compatible client and file helpers it shares with the
dataset-distillation skill in skills/.shared (keep that folder beside the skill folder). Progress and the
summary go to stdout as JSON lines; human messages to stderr. Exit status: 0 every prompt scored, 1 some
prompt unscored (or the run was stopped), 2 bad arguments or missing key, 3 another run holds OUT, 130
interrupted.
"""
from __future__ import annotations

import argparse
import json
import re
import sys
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

# skills/.shared holds the OpenAI-compatible client and file helpers shared with the dataset-distillation skill.
SHARED_DIR = Path(__file__).resolve().parents[2] / ".shared"
if not all((SHARED_DIR / name).is_file() for name in ("openai_http.py", "skill_io.py")):
    sys.exit(f"evaluate: {SHARED_DIR} lacks openai_http.py or skill_io.py; copy skills/.shared too, beside the skill folder")
sys.path.insert(0, str(SHARED_DIR))
sys.dont_write_bytecode = True  # keep __pycache__ out of the skills folder
from openai_http import DEFAULT_BASE_URL, ApiError, ChatClient, Runner, Scrubber, add_client_arguments, add_usage, ask_parsed
from openai_http import base_url_or_default, json_candidates, json_object_argument, message_text, resolve_key
from skill_io import AppendLog, emit, exit_interrupted, interrupt_on_sigterm, lock_run_dir, make_say, now_iso
from skill_io import read_records, run_main, sha256, write_atomic

EVALUATION_FORMAT = "mux-swarm-evaluation/1"
ANSWER_FORMAT = "mux-swarm-eval-answer/1"
JUDGEMENT_FORMAT = "mux-swarm-eval-judgement/1"
SYSTEMS = ("base", "specialist")

JUDGE_SYSTEM_PROMPT = (
    "You are a strict, impartial expert judge of technical answers. You score each answer on its own merits, "
    "ignore the order in which the answers are shown, do not reward length for its own sake, and reply with "
    "JSON only."
)

DEFAULT_RUBRIC = """Score each answer from 1 to 5 (integers) on correctness, depth and actionability taken together:
5 = correct, complete and directly usable by a practitioner (precise commands, code or steps; no errors);
4 = correct and useful, with minor gaps;
3 = mostly correct but shallow, generic or missing important steps;
2 = significant errors, or mostly unhelpful;
1 = wrong, harmful, off-topic or a refusal.
Correctness weighs most: a confident wrong statement costs more than an omission. When a reference answer is
given, take it as the ground truth for facts, but do not penalise correct additions. Judge each answer
independently; both may get the same score."""

JUDGE_REPLY_FORMAT = (
    "Reply with JSON only, exactly this shape:\n"
    '{"a": {"score": <1-5>, "reason": "<one or two sentences>"}, "b": {"score": <1-5>, "reason": "<one or two sentences>"}}'
)


say = make_say("evaluate")


@dataclass
class Endpoint:
    url: str
    key: str | None
    key_source: str


def resolve_endpoint(url: str, key_env: str | None, option: str) -> Endpoint:
    """The key for one endpoint; exits 2 when it is needed and missing (a localhost endpoint may go without)."""
    key, source = resolve_key(key_env, url, option, say, name_url=True)
    return Endpoint(url, key, source)


def _score(value: Any) -> float | None:
    if isinstance(value, dict):
        for key in ("score", "rating", "value", "total"):
            if key in value:
                return _score(value[key])
        return None
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        number = float(value)
    elif isinstance(value, str):
        match = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*(?:/\s*5)?\s*", value)
        if not match:
            return None
        number = float(match.group(1))
    else:
        return None
    return number if 1.0 <= number <= 5.0 else None


def _reason(value: Any) -> str:
    if isinstance(value, dict):
        for key in ("reason", "reasoning", "rationale", "explanation", "justification"):
            if isinstance(value.get(key), str):
                return value[key]
    return ""


def _side(value: dict[str, Any], letter: str) -> Any:
    for key, item in value.items():
        name = re.sub(r"[^a-z]", "", str(key).lower())
        if name in (letter, f"answer{letter}", f"response{letter}", f"score{letter}", f"assistant{letter}"):
            return item
    return None


SCORE_AFTER = r"[^0-9\n]{0,24}?(\d+(?:\.\d+)?)(?:\s*/\s*5)?"


def _text_scores(text: str) -> tuple[float | None, float | None]:
    """Scores from prose: "Answer A ... Score: 4 ... Answer B ... Score: 3", "Score A: 4", "A: 4/5", or two bare "Score: n"."""
    found: dict[str, float | None] = {}
    for letter in ("A", "B"):
        patterns = [
            rf"\bscore\s*(?:for\s*)?(?:answer|response)?\s*\(?{letter}\)?\s*[:=\-]\s*\**\s*(\d+(?:\.\d+)?)",
            rf"\b(?:answer|response|assistant)\s*\(?{letter}\)?\**\s*(?:score|rating)?\s*[:=\-]\s*\**\s*(\d+(?:\.\d+)?)",
            rf"(?m)^\W*{letter}\W{{0,3}}\s*[:=\-]\s*\**\s*(\d+(?:\.\d+)?)",
        ]
        for pattern in patterns:
            match = re.search(pattern, text, re.I)
            if match:
                found[letter] = _score(match.group(1))
                break
    if found.get("A") is not None and found.get("B") is not None:
        return found["A"], found["B"]
    # Sections: everything from the "Answer B" header on belongs to B.
    marker = re.search(r"\b(?:answer|response)\s*\(?B\)?\b", text, re.I)
    score = re.compile(r"\b(?:score|rating)\b" + SCORE_AFTER, re.I)
    if marker:
        first = score.search(text[: marker.start()])
        second = score.search(text[marker.start():])
        if first and second:
            return _score(first.group(1)), _score(second.group(1))
    bare = score.findall(text)
    if len(bare) == 2:
        return _score(bare[0]), _score(bare[1])
    return None, None


def parse_judgement(text: str) -> tuple[dict[str, Any] | None, str]:
    """({"a": score, "b": score, "a_reason", "b_reason"}, "") or (None, why)."""
    if not text.strip():
        return None, "empty reply"
    for value in json_candidates(text):
        if not isinstance(value, dict):
            continue
        a, b = _side(value, "a"), _side(value, "b")
        score_a, score_b = _score(a), _score(b)
        if score_a is not None and score_b is not None:
            return {"a": score_a, "b": score_b, "a_reason": _reason(a), "b_reason": _reason(b)}, ""
    score_a, score_b = _text_scores(text)
    if score_a is not None and score_b is not None:
        return {"a": score_a, "b": score_b, "a_reason": "", "b_reason": ""}, ""
    return None, "no score from 1 to 5 for both answers in the reply"


# ---------------------------------------------------------------------------------------------------------
# Files


def read_jsonl(path: Path, what: str) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    try:
        lines = path.read_text(encoding="utf-8").split("\n")
    except OSError as error:
        say(f"cannot read {what} {path}: {error.strerror}")
        sys.exit(2)
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except json.JSONDecodeError as error:
            say(f"{path}:{number}: not JSON ({error.msg})")
            sys.exit(2)
        if not isinstance(row, dict):
            say(f"{path}:{number}: expected a JSON object")
            sys.exit(2)
        rows.append(row)
    return rows


@dataclass
class Prompt:
    id: str
    topic: str
    prompt: str
    reference: str | None


def load_prompts(path: Path) -> list[Prompt]:
    prompts: list[Prompt] = []
    seen: set[str] = set()
    for number, row in enumerate(read_jsonl(path, "prompts"), start=1):
        text = row.get("prompt")
        if row.get("id") is None or not isinstance(text, str) or not text.strip():
            say(f"{path}: prompt {number} needs an \"id\" and a non-empty \"prompt\"")
            sys.exit(2)
        prompt_id = str(row["id"])
        if prompt_id in seen:
            say(f"{path}: the id {prompt_id!r} is used twice")
            sys.exit(2)
        seen.add(prompt_id)
        topic = row.get("topic")
        if not isinstance(topic, str) or not topic.strip():
            first = text.strip().split("\n")[0]
            topic = first if len(first) <= 60 else first[:57].rstrip() + "..."
        reference = row.get("reference")
        prompts.append(Prompt(prompt_id, topic.strip(), text, reference if isinstance(reference, str) and reference.strip() else None))
    if not prompts:
        say(f"{path} has no prompt")
        sys.exit(2)
    return prompts


def strip_think(text: str) -> str:
    return re.sub(r"<think>.*?</think>\s*", "", text, flags=re.S).strip()


def load_answer_file(path: Path, keep_think: bool) -> dict[str, str]:
    answers: dict[str, str] = {}
    for number, row in enumerate(read_jsonl(path, "answers"), start=1):
        answer = row.get("answer", row.get("response"))
        if row.get("id") is None or not isinstance(answer, str):
            say(f"{path}: line {number} needs an \"id\" and a string \"answer\"")
            sys.exit(2)
        answers[str(row["id"])] = answer if keep_think else strip_think(answer)
    return answers


# ---------------------------------------------------------------------------------------------------------
# Tasks


def merge_usage(total: dict[str, float], record: dict[str, Any]) -> None:
    for name, value in (record.get("usage") or {}).items():
        if isinstance(value, (int, float)):
            total[name] = total.get(name, 0) + value


@dataclass
class AnswerTask:
    system: str
    prompt: Prompt
    key: str
    model: str


@dataclass
class JudgeTask:
    prompt: Prompt
    judge: str
    repeat: int
    key: str
    base_first: bool
    answers: dict[str, str]


def answer_key(args: argparse.Namespace, model: str, prompt: Prompt) -> str:
    return sha256(json.dumps([model, args.system_prompt or "", prompt.prompt, args.max_tokens, args.temperature,
                              args.answer_extra_body, args.keep_think], sort_keys=True))[:32]


def judgement_key(args: argparse.Namespace, judge: str, repeat: int, prompt: Prompt, answers: dict[str, str], rubric: str) -> str:
    return sha256(json.dumps([judge, repeat, args.seed, prompt.id, prompt.prompt, prompt.reference or "", sha256(rubric),
                              sha256(answers["base"]), sha256(answers["specialist"])]))[:32]


def base_goes_first(seed: int, prompt_id: str, judge: str, repeat: int) -> bool:
    """The seeded A/B order of one judgement: stable across runs, independent of the order work is done in."""
    return int(sha256(f"{seed}:{prompt_id}:{judge}:{repeat}")[:8], 16) % 2 == 0


def run_answer(client: ChatClient, args: argparse.Namespace, task: AnswerTask, stop: threading.Event) -> dict[str, Any]:
    if stop.is_set():
        raise ApiError("stopped")
    messages = ([{"role": "system", "content": args.system_prompt}] if args.system_prompt else []) + [
        {"role": "user", "content": task.prompt.prompt}
    ]
    body: dict[str, Any] = {"model": task.model, "messages": messages, "temperature": args.temperature}
    if args.max_tokens:
        body["max_tokens"] = args.max_tokens
    body.update(args.answer_extra_body)
    record: dict[str, Any] = {"format": ANSWER_FORMAT, "key": task.key, "id": task.prompt.id, "system": task.system, "model": task.model}
    try:
        payload, attempts = client.complete(body)
    except ApiError as error:
        if error.fatal:
            raise
        record.update(status="failed", reason=error.message, requests=error.attempts, finished_at=now_iso())
        return record
    usage: dict[str, float] = {}
    add_usage(usage, payload)
    text = message_text(payload)
    answer = text if args.keep_think else strip_think(text)
    record.update(status="ok", answer=answer, requests=attempts, usage=usage, finished_at=now_iso())
    return record


def judge_message(task: JudgeTask, rubric: str) -> str:
    first, second = ("base", "specialist") if task.base_first else ("specialist", "base")
    parts = ["Evaluate two answers to the same question.", "", f"Topic: {task.prompt.topic}", "",
             "[Question]", task.prompt.prompt.strip(), "[End of Question]", ""]
    if task.prompt.reference:
        parts += ["[Reference answer]", task.prompt.reference.strip(), "[End of Reference answer]", ""]
    parts += ["[Answer A]", task.answers[first].strip(), "[End of Answer A]", "",
              "[Answer B]", task.answers[second].strip(), "[End of Answer B]", "",
              rubric.strip(), "", JUDGE_REPLY_FORMAT]
    return "\n".join(parts)


def run_judgement(client: ChatClient, args: argparse.Namespace, task: JudgeTask, rubric: str, stop: threading.Event) -> dict[str, Any]:
    record: dict[str, Any] = {
        "format": JUDGEMENT_FORMAT, "key": task.key, "prompt_id": task.prompt.id, "judge": task.judge, "repeat": task.repeat,
        "order": "base-first" if task.base_first else "specialist-first",
    }
    body: dict[str, Any] = {
        "model": task.judge,
        "messages": [{"role": "system", "content": JUDGE_SYSTEM_PROMPT}, {"role": "user", "content": judge_message(task, rubric)}],
        "temperature": args.judge_temperature,
    }
    if args.judge_max_tokens:
        body["max_tokens"] = args.judge_max_tokens
    # An unparseable judgement is asked once more, then recorded as missing.
    exchange = ask_parsed(client, body, parse_judgement, stop)
    usage, requests = exchange.usage, exchange.requests
    if exchange.error is not None:
        record.update(status="missing", reason=exchange.error, requests=requests, usage=usage, finished_at=now_iso())
    elif exchange.parsed is not None:
        parsed = exchange.parsed
        a_system, b_system = ("base", "specialist") if task.base_first else ("specialist", "base")
        record.update(status="ok", **{a_system: parsed["a"], b_system: parsed["b"],
                                      f"{a_system}_reason": parsed["a_reason"], f"{b_system}_reason": parsed["b_reason"]},
                      requests=requests, usage=usage, finished_at=now_iso())
    else:
        record.update(status="missing", reason=f"unparseable judgement: {exchange.reason}", reply=client.scrub(exchange.reply[:500]),
                      requests=requests, usage=usage, finished_at=now_iso())
    return record


# ---------------------------------------------------------------------------------------------------------
# Results


def mean(values: list[float]) -> float | None:
    return sum(values) / len(values) if values else None


def r2(value: float | None) -> float | None:
    return None if value is None else round(value, 2) + 0.0


def plain(score: float) -> int | float:
    return int(score) if float(score).is_integer() else score


def signed(value: float | None) -> str:
    if value is None:
        return "n/a"
    value = round(value, 2) + 0.0
    return f"+{value:.2f}" if value >= 0 else f"{value:.2f}"


def fixed(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.2f}"


def build_evaluation(args: argparse.Namespace, prompts: list[Prompt], labels: dict[str, str], judges: list[str],
                     tasks: dict[tuple[str, str, int], JudgeTask], judgements: dict[str, dict[str, Any]]) -> dict[str, Any]:
    rows: list[dict[str, Any]] = []
    base_means: list[float] = []
    specialist_means: list[float] = []
    wins = {"specialist": 0, "base": 0, "ties": 0}
    missing_total = 0
    for prompt in prompts:
        scores = {judge: {"base": [], "specialist": []} for judge in judges}
        missing = 0
        for judge in judges:
            for repeat in range(args.judge_repeats):
                task = tasks.get((prompt.id, judge, repeat))
                record = judgements.get(task.key) if task else None
                if record is None or record.get("status") != "ok":
                    missing += 1
                    continue
                scores[judge]["base"].append(plain(record["base"]))
                scores[judge]["specialist"].append(plain(record["specialist"]))
        all_base = [float(s) for judge in judges for s in scores[judge]["base"]]
        all_specialist = [float(s) for judge in judges for s in scores[judge]["specialist"]]
        base, specialist = mean(all_base), mean(all_specialist)
        delta = None if base is None or specialist is None else specialist - base
        if base is not None and specialist is not None and delta is not None:
            base_means.append(base)
            specialist_means.append(specialist)
            rounded = round(delta, 2)
            wins["specialist" if rounded > 0 else "base" if rounded < 0 else "ties"] += 1
        missing_total += missing
        rows.append({"id": prompt.id, "topic": prompt.topic, "base_score": r2(base), "specialist_score": r2(specialist),
                     "delta": r2(delta), "scores": scores, "missing_judgements": missing})
    base_all, specialist_all = mean(base_means), mean(specialist_means)
    delta_all = None if base_all is None or specialist_all is None else specialist_all - base_all
    relative = None if delta_all is None or not base_all else round(delta_all / base_all, 3) + 0.0
    return {
        "format": EVALUATION_FORMAT,
        "created_at": now_iso(),
        "base": {"model": labels["base"]},
        "specialist": {"model": labels["specialist"]},
        "judges": judges,
        "prompts": rows,
        "aggregate": {
            "base": r2(base_all), "specialist": r2(specialist_all), "delta": r2(delta_all), "relative_delta": relative,
            "prompts": len(base_means), "specialist_wins": wins["specialist"], "base_wins": wins["base"], "ties": wins["ties"],
            "missing_judgements": missing_total,
        },
    }


def plural(count: int, word: str) -> str:
    return word if count == 1 else f"{word}s"


def cell(text: str) -> str:
    return re.sub(r"\s+", " ", text).replace("|", "\\|").strip()


def evaluation_markdown(evaluation: dict[str, Any], repeats: int) -> str:
    aggregate = evaluation["aggregate"]
    judges = evaluation["judges"]
    lines = [
        "# Evaluation: base vs specialist",
        "",
        f"Base: `{evaluation['base']['model']}`. Specialist: `{evaluation['specialist']['model']}`. "
        f"Judges: {', '.join(f'`{judge}`' for judge in judges)}"
        + (f", {repeats} repeats each." if repeats > 1 else "."),
        "",
        "| # | Prompt Topic | Base | Specialist | Delta |",
        "|---|---|---|---|---|",
    ]
    for number, row in enumerate(evaluation["prompts"], start=1):
        lines.append(f"| {number} | {cell(row['topic'])} | {fixed(row['base_score'])} | {fixed(row['specialist_score'])} | {signed(row['delta'])} |")
    lines.append(f"| Aggregate | | {fixed(aggregate['base'])} | {fixed(aggregate['specialist'])} | {signed(aggregate['delta'])} |")
    relative = aggregate["relative_delta"]
    relative_text = "n/a" if relative is None else f"{relative * 100:+.1f}%"
    unscored = len(evaluation["prompts"]) - aggregate["prompts"]
    judge_word = "judge" if len(judges) == 1 else "judges"
    lines += [
        "",
        f"The result is directional, not definitive: {aggregate['prompts']} {plural(aggregate['prompts'], 'prompt')} scored by {len(judges)} LLM {judge_word}"
        + (f" ({repeats} repeats each)" if repeats > 1 else "")
        + ", 1-5 on correctness, depth and actionability, with the answers shown in a seeded random A/B order. "
        f"Relative delta {relative_text}; specialist wins {aggregate['specialist_wins']}, base wins {aggregate['base_wins']}, "
        f"ties {aggregate['ties']}; missing judgements {aggregate['missing_judgements']}"
        + (f"; {unscored} {plural(unscored, 'prompt')} unscored (n/a)" if unscored else "")
        + ". A difference of a few tenths on a few prompts is within judge noise.",
        "",
    ]
    return "\n".join(lines)


# ---------------------------------------------------------------------------------------------------------
# Main


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="evaluate.py", description="Compare a base model and a specialist with LLM judges.")
    parser.add_argument("--prompts", required=True, help='JSONL: {"id", "topic"?, "prompt", "reference"?} per line')
    parser.add_argument("--out", required=True, help="output directory")
    for system in SYSTEMS:
        parser.add_argument(f"--{system}-answers", help=f'JSONL of {{"id", "answer"}}: the {system} answers, instead of generating them')
        parser.add_argument(f"--{system}-model", help=f"{system} model id to generate answers with (the label with --{system}-answers)")
        parser.add_argument(f"--{system}-url", help=f"endpoint of the {system} model (default: the judge URL)")
        parser.add_argument(f"--{system}-key-env", help=f"variable holding the {system} endpoint's key")
    parser.add_argument("--judge-model", action="append", required=True, help="judge model id; repeat for several judges")
    parser.add_argument("--judge-url", help=f"judge endpoint (default $OPENAI_BASE_URL or {DEFAULT_BASE_URL})")
    parser.add_argument("--judge-key-env", "--api-key-env", dest="judge_key_env",
                        help="variable holding the judge key (default OPENROUTER_API_KEY, then OPENAI_API_KEY)")
    parser.add_argument("--judge-repeats", type=int, default=1, help="judgements per judge and prompt (default 1)")
    parser.add_argument("--judge-temperature", type=float, default=0.0)
    parser.add_argument("--judge-max-tokens", type=int, help="max_tokens of judge requests (not sent by default)")
    parser.add_argument("--rubric", help="file replacing the default rubric text")
    parser.add_argument("--seed", type=int, default=0, help="seed of the A/B order (default 0)")
    parser.add_argument("--system-prompt", help="system message for answer generation (e.g. the one used in training)")
    parser.add_argument("--temperature", type=float, default=0.0, help="answer temperature (default 0)")
    parser.add_argument("--max-tokens", type=int, default=2048, help="answer max_tokens (default 2048; 0 = not sent)")
    parser.add_argument("--answer-extra-body", default="{}", help='JSON merged into answer requests, e.g. {"chat_template_kwargs": {"enable_thinking": false}}')
    parser.add_argument("--keep-think", action="store_true", help="keep <think>...</think> blocks in answers (stripped by default)")
    parser.add_argument("--concurrency", type=int, default=1, help="parallel requests (default 1)")
    add_client_arguments(parser)
    args = parser.parse_args(argv)
    args.judge_url = base_url_or_default(args.judge_url)
    args.judge_models = list(dict.fromkeys(model.strip() for model in args.judge_model if model.strip()))
    if not args.judge_models:
        parser.error("--judge-model names no model")
    if args.judge_repeats < 1 or args.concurrency < 1:
        parser.error("--judge-repeats and --concurrency must be at least 1")
    args.answer_extra_body = json_object_argument(parser, args.answer_extra_body, "--answer-extra-body")
    for system in SYSTEMS:
        answers, model, url = (getattr(args, f"{system}_{name}") for name in ("answers", "model", "url"))
        if answers and url:
            parser.error(f"--{system}-answers and --{system}-url are exclusive")
        if not answers and not model:
            parser.error(f"give --{system}-answers FILE, or --{system}-model (with --{system}-url for a local server)")
    return args


def main(argv: list[str]) -> int:
    args = parse_args(argv)
    prompts = load_prompts(Path(args.prompts))
    rubric = Path(args.rubric).read_text(encoding="utf-8") if args.rubric else DEFAULT_RUBRIC
    out = Path(args.out)

    # Endpoints and keys first: a missing key stops before anything is written.
    judge_endpoint = resolve_endpoint(args.judge_url, args.judge_key_env, "--judge-key-env")
    endpoints: dict[str, Endpoint] = {}
    labels: dict[str, str] = {}
    for system in SYSTEMS:
        answers_file = getattr(args, f"{system}_answers")
        model = getattr(args, f"{system}_model")
        labels[system] = model or Path(answers_file).name
        if not answers_file:
            url = getattr(args, f"{system}_url") or args.judge_url
            endpoints[system] = resolve_endpoint(url, getattr(args, f"{system}_key_env"), f"--{system}-key-env")
    scrub = Scrubber([e.key for e in [judge_endpoint, *endpoints.values()] if e.key])

    def client_for(endpoint: Endpoint) -> ChatClient:
        return ChatClient.from_args(endpoint.url, endpoint.key, scrub, args)

    lock = lock_run_dir(out)
    if lock is None:
        say(f"another evaluation run is using {out}; wait for it or pick another --out")
        return 3

    interrupt_on_sigterm()
    stop = threading.Event()
    runner = Runner(args.concurrency, stop)
    counts = {"answer_requests": 0, "judge_requests": 0, "answers_generated": 0, "answers_cached": 0, "answers_failed": 0,
              "judgements_made": 0, "judgements_cached": 0, "judgements_missing": 0}
    emit({"event": "start", "prompts": len(prompts), "base": labels["base"], "specialist": labels["specialist"],
          "judges": args.judge_models, "repeats": args.judge_repeats})

    usage_total: dict[str, float] = {}

    # 1. Answers.
    answers: dict[str, dict[str, str]] = {}
    tasks: dict[tuple[str, str, int], JudgeTask] = {}
    judgements: dict[str, dict[str, Any]] = {}
    interrupted = False
    try:
        for system in SYSTEMS:
            answers_file = getattr(args, f"{system}_answers")
            if answers_file:
                answers[system] = load_answer_file(Path(answers_file), args.keep_think)
                missing = [p.id for p in prompts if p.id not in answers[system]]
                if missing:
                    say(f"{answers_file} has no answer for prompt(s) {', '.join(missing[:10])}; they stay unscored")
                continue
            model = getattr(args, f"{system}_model")
            cache_path = out / f"answers-{system}.jsonl"
            cache = read_records(cache_path)[0]
            answers[system] = {}
            todo: list[AnswerTask] = []
            for prompt in prompts:
                key = answer_key(args, model, prompt)
                record = cache.get(key)
                if record and record.get("status") == "ok" and isinstance(record.get("answer"), str):
                    answers[system][prompt.id] = record["answer"]
                    counts["answers_cached"] += 1
                else:
                    todo.append(AnswerTask(system, prompt, key, model))
            if not todo:
                continue
            say(f"{system}: generating {len(todo)} answer(s) with {model} at {endpoints[system].url}")
            client = client_for(endpoints[system])
            log = AppendLog(cache_path)

            def answered(task: AnswerTask, record: dict[str, Any]) -> None:
                log.append(record)
                counts["answer_requests"] += int(record.get("requests", 0))
                merge_usage(usage_total, record)
                if record["status"] == "ok":
                    answers[task.system][task.prompt.id] = record["answer"]
                    counts["answers_generated"] += 1
                    if not record["answer"].strip():
                        say(f"{task.system} answer to {task.prompt.id} is empty (max tokens spent on reasoning?)")
                else:
                    counts["answers_failed"] += 1
                    say(f"{task.system} answer to {task.prompt.id} failed: {record.get('reason', '')}")
                emit({"event": "answer", "system": task.system, "id": task.prompt.id, "status": record["status"],
                      "requests": record.get("requests", 0)})

            try:
                runner.run(todo, lambda task, c=client: run_answer(c, args, task, stop), answered)
            finally:
                log.close()
            if runner.fatal:
                break

        # 2. Judgements.
        for prompt in prompts:
            pair = {system: answers.get(system, {}).get(prompt.id) for system in SYSTEMS}
            if pair["base"] is None or pair["specialist"] is None:
                continue
            for judge in args.judge_models:
                for repeat in range(args.judge_repeats):
                    both = {"base": pair["base"], "specialist": pair["specialist"]}
                    key = judgement_key(args, judge, repeat, prompt, both, rubric)
                    tasks[(prompt.id, judge, repeat)] = JudgeTask(prompt, judge, repeat, key, base_goes_first(args.seed, prompt.id, judge, repeat), both)
        judgements_path = out / "judgements.jsonl"
        judgements = read_records(judgements_path)[0]
        todo_judgements = [task for task in tasks.values() if judgements.get(task.key, {}).get("status") != "ok"]
        counts["judgements_cached"] = len(tasks) - len(todo_judgements)
        if todo_judgements and not runner.fatal:
            say(f"judging: {len(todo_judgements)} judgement(s) to ask ({counts['judgements_cached']} cached)")
            judge_client = client_for(judge_endpoint)
            log = AppendLog(judgements_path)

            def judged(task: JudgeTask, record: dict[str, Any]) -> None:
                log.append(record)
                judgements[task.key] = record
                counts["judge_requests"] += int(record.get("requests", 0))
                merge_usage(usage_total, record)
                if record["status"] == "ok":
                    counts["judgements_made"] += 1
                else:
                    counts["judgements_missing"] += 1
                    say(f"judgement missing: {task.judge} on {task.prompt.id} (repeat {task.repeat}): {record.get('reason', '')}")
                emit({"event": "judgement", "id": task.prompt.id, "judge": task.judge, "repeat": task.repeat,
                      "order": record["order"], "status": record["status"], "base": record.get("base"),
                      "specialist": record.get("specialist"), "requests": record.get("requests", 0)})

            try:
                runner.run(todo_judgements, lambda task: run_judgement(judge_client, args, task, rubric, stop), judged)
            finally:
                log.close()
    except KeyboardInterrupt:
        stop.set()
        interrupted = True
        judgements = read_records(out / "judgements.jsonl")[0]

    if runner.fatal:
        hint = ""
        if runner.fatal_status in (401, 403):
            hint = " (check the key: " + ", ".join(f"{name} from {e.key_source}" for name, e in [("judge", judge_endpoint), *endpoints.items()]) + ")"
        say(f"stopping: {runner.fatal}{hint}")

    # 3. Results.
    evaluation = build_evaluation(args, prompts, labels, args.judge_models, tasks, judgements)
    write_atomic(out / "evaluation.json", json.dumps(evaluation, indent=2, ensure_ascii=False) + "\n")
    write_atomic(out / "evaluation.md", evaluation_markdown(evaluation, args.judge_repeats))
    aggregate = evaluation["aggregate"]
    unscored = [row["id"] for row in evaluation["prompts"] if row["base_score"] is None]
    emit({"event": "summary", **aggregate, "unscored": unscored, **counts,
          "usage_this_run": {name: round(value, 6) for name, value in sorted(usage_total.items())},
          "evaluation": str(out / "evaluation.json"), "markdown": str(out / "evaluation.md")})
    say(f"base {fixed(aggregate['base'])}, specialist {fixed(aggregate['specialist'])}, delta {signed(aggregate['delta'])} "
        f"over {aggregate['prompts']} prompts; {aggregate['missing_judgements']} missing judgements; "
        f"{counts['answer_requests']} answer and {counts['judge_requests']} judge requests this run")
    if interrupted:
        exit_interrupted()
    return 1 if unscored or runner.fatal else 0


if __name__ == "__main__":
    run_main(main)
