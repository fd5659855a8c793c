#!/usr/bin/env python3
"""LoRA / QLoRA supervised fine-tuning on chat-format JSONL, speaking mux-swarm's training progress protocol.

Input: one JSON object per line, {"messages": [{"role": "system"|"user"|"assistant", "content": "..."}, ...]}.

stdout carries only progress JSON lines (start, log, eval, checkpoint, stopping, stopped, done, status); every
other line, including what the libraries print, goes to stderr. On SIGTERM (or SIGINT) the run saves a
checkpoint at the end of the current optimizer step and exits; running the same command again resumes from the
latest complete checkpoint (--resume auto).

--dry-run checks the arguments and the dataset and prints one JSON summary without importing torch,
transformers, trl or peft, so it works on any machine with Python 3.10+.

Exit codes: 0 finished (or stopped after saving a checkpoint); 1 crashed; 2 invalid arguments or dataset;
3 a required library is missing or unusable; 143 stopped before any checkpoint could be saved.
"""

from __future__ import annotations

import argparse
import hashlib
import importlib.util
import json
import math
import os
import re
import shutil
import signal
import sys
import threading
import time
import traceback
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO

KNOWN_ROLES = ("system", "user", "assistant")
CHARS_PER_TOKEN = 4
TEMPLATE_TOKENS_PER_MESSAGE = 4
MAX_LISTED_PROBLEMS = 50
MAX_LISTED_LINES = 20
HEARTBEAT_SECONDS = 60.0
CHECKPOINT_PATTERN = re.compile(r"^checkpoint-(\d+)$")
TRAINER_STATE_FILE = "trainer_state.json"
WEIGHT_FILES = (
    "adapter_model.safetensors",
    "adapter_model.bin",
    "model.safetensors",
    "model.safetensors.index.json",
    "pytorch_model.bin",
)
BACKEND_MODULES = ("torch", "transformers", "trl", "peft", "bitsandbytes", "accelerate", "datasets")
REQUIRED_MODULES = ("torch", "transformers", "peft", "accelerate")
MINIMUM_MAJOR = {"transformers": 5, "trl": 1}
HUB_MODEL_ID = re.compile(r"^[A-Za-z0-9][\w.-]*(/[\w.-]+)?$")
SECRET_VARIABLE = re.compile(r"TOKEN|SECRET|PASSWORD|PASSWD|CREDENTIAL|API_KEY|ACCESS_KEY|PRIVATE_KEY", re.I)

EXIT_OK = 0
EXIT_CRASH = 1
EXIT_INVALID = 2
EXIT_ENVIRONMENT = 3
EXIT_STOPPED_WITHOUT_CHECKPOINT = 143


class UsageError(Exception):
    """A problem the user fixes by changing an argument; `argument` names it."""

    def __init__(self, argument: str | None, message: str):
        super().__init__(message)
        self.argument = argument


class MissingDependencies(Exception):
    """A library the training path needs cannot be imported."""


class StopRequested(BaseException):
    """SIGTERM/SIGINT arrived before training began: nothing to checkpoint. A BaseException, like KeyboardInterrupt,
    so that a library's `except Exception` around model loading cannot swallow it."""


# --------------------------------------------------------------------------------------------------------------
# Secrets
# --------------------------------------------------------------------------------------------------------------


def secret_values() -> list[str]:
    """Values of environment variables that look like credentials (HF_TOKEN, *_API_KEY, ...), longest first."""
    values = {value for name, value in os.environ.items() if SECRET_VARIABLE.search(name) and len(value) >= 8}
    return sorted(values, key=len, reverse=True)


def scrub(text: str) -> str:
    """`text` with every credential value from the environment replaced by ***."""
    for value in secret_values():
        text = text.replace(value, "***")
    return text


# --------------------------------------------------------------------------------------------------------------
# Arguments
# --------------------------------------------------------------------------------------------------------------


def _number(text: str, kind: type) -> Any:
    try:
        return kind(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a valid {'integer' if kind is int else 'number'}: {text!r}") from None


def positive_int(text: str) -> int:
    value = _number(text, int)
    if value <= 0:
        raise argparse.ArgumentTypeError(f"must be a positive integer (got {text})")
    return value


def non_negative_int(text: str) -> int:
    value = _number(text, int)
    if value < 0:
        raise argparse.ArgumentTypeError(f"must be 0 or more (got {text})")
    return value


def positive_float(text: str) -> float:
    value = _number(text, float)
    if not math.isfinite(value) or value <= 0:
        raise argparse.ArgumentTypeError(f"must be a positive number (got {text})")
    return value


def dropout_value(text: str) -> float:
    value = _number(text, float)
    if not 0 <= value < 1:
        raise argparse.ArgumentTypeError(f"must be in [0, 1) (got {text})")
    return value


def warmup_value(text: str) -> float:
    value = _number(text, float)
    if not math.isfinite(value) or value < 0:
        raise argparse.ArgumentTypeError(f"must be 0 or more: a ratio of the total steps when < 1, else a number of steps (got {text})")
    if value >= 1 and not value.is_integer():
        raise argparse.ArgumentTypeError(f"a value >= 1 is a number of steps and must be a whole number (got {text})")
    return value


def max_steps_value(text: str) -> int:
    value = _number(text, int)
    if value == 0 or value < -1:
        raise argparse.ArgumentTypeError(f"must be -1 (use --epochs) or a positive integer (got {text})")
    return value


def target_modules_value(text: str) -> str:
    names = [name.strip() for name in text.split(",")]
    if text.strip() == "all-linear":
        return "all-linear"
    if not names or any(not re.fullmatch(r"[\w.]+", name) for name in names):
        raise argparse.ArgumentTypeError(f"must be all-linear or a comma-separated list of module names such as q_proj,v_proj (got {text!r})")
    return ",".join(names)


class HelpFormatter(argparse.ArgumentDefaultsHelpFormatter):
    """Shows defaults, except None ones and those the help text already explains."""

    def _get_help_string(self, action: argparse.Action) -> str:
        if action.default is None or "default" in (action.help or ""):
            return action.help or ""
        return super()._get_help_string(action)


class ArgumentParser(argparse.ArgumentParser):
    """argparse that, under --dry-run, also prints the argument error as the JSON summary on stdout."""

    dry_run_requested = False

    def error(self, message: str):  # type: ignore[override]
        match = re.match(r"argument ([^:]+): (.*)", message, re.S)
        problem = {"argument": match.group(1), "problem": match.group(2)} if match else {"argument": None, "problem": message}
        report_argument_problems([problem], self.dry_run_requested, usage=self.format_usage())
        sys.exit(EXIT_INVALID)


def build_parser() -> ArgumentParser:
    parser = ArgumentParser(
        prog="train.py",
        description="LoRA/QLoRA fine-tuning on chat JSONL with JSON-lines progress on stdout (mux-swarm protocol).",
        formatter_class=HelpFormatter,
    )
    data = parser.add_argument_group("model and data")
    data.add_argument("--model", required=True, help="Hugging Face model id or local model directory")
    data.add_argument("--train-file", required=True, type=Path, help="training data, chat-format JSONL")
    data.add_argument("--eval-file", type=Path, default=None, help="evaluation data, chat-format JSONL")
    data.add_argument("--output-dir", type=Path, default=Path("runs/qlora"), help="checkpoints and final/ go here")
    lora = parser.add_argument_group("LoRA")
    lora.add_argument("--lora-r", type=positive_int, default=32, help="LoRA rank")
    lora.add_argument("--lora-alpha", type=positive_int, default=None, help="LoRA alpha (default: 2 x --lora-r)")
    lora.add_argument("--lora-dropout", type=dropout_value, default=0.05, help="LoRA dropout")
    lora.add_argument("--target-modules", type=target_modules_value, default="all-linear", help="all-linear or q_proj,k_proj,...")
    training = parser.add_argument_group("training")
    training.add_argument("--max-length", type=positive_int, default=2048, help="tokens per example; longer ones are truncated")
    training.add_argument("--epochs", type=positive_float, default=1.0, help="passes over the training data")
    training.add_argument("--max-steps", type=max_steps_value, default=-1, help="optimizer steps; overrides --epochs when > 0")
    training.add_argument("--batch-size", type=positive_int, default=1, help="examples per device per micro-batch")
    training.add_argument("--grad-accum", type=positive_int, default=8, help="micro-batches per optimizer step")
    training.add_argument("--learning-rate", type=positive_float, default=2e-4, help="peak learning rate")
    training.add_argument("--warmup", type=warmup_value, default=0.03, help="warmup: ratio of total steps if < 1, else steps")
    training.add_argument("--logging-steps", type=positive_int, default=10, help="optimizer steps between log events")
    training.add_argument("--save-steps", type=positive_int, default=50, help="optimizer steps between checkpoints")
    training.add_argument("--eval-steps", type=positive_int, default=50, help="optimizer steps between evaluations")
    training.add_argument("--save-total-limit", type=non_negative_int, default=3, help="checkpoints kept (0 keeps all)")
    training.add_argument("--seed", type=non_negative_int, default=42, help="random seed")
    training.add_argument(
        "--gradient-checkpointing",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="recompute activations in the backward pass to save memory",
    )
    run = parser.add_argument_group("run")
    run.add_argument(
        "--quantization",
        choices=("auto", "4bit", "8bit", "none"),
        default="auto",
        help="auto = 4-bit NF4 when bitsandbytes and CUDA are usable, else none (bf16 LoRA; fp32 on CPU)",
    )
    run.add_argument("--trainer", choices=("auto", "trl", "transformers"), default="auto", help="auto = trl SFTTrainer when importable")
    run.add_argument("--resume", default="auto", help="auto (latest complete checkpoint-N in --output-dir), never, or a checkpoint path")
    run.add_argument("--dry-run", action="store_true", help="validate arguments and data, print a JSON summary, do not train")
    return parser


def parse_arguments(argv: list[str]) -> argparse.Namespace:
    parser = build_parser()
    parser.dry_run_requested = "--dry-run" in argv
    arguments = parser.parse_args(argv)
    if arguments.lora_alpha is None:
        arguments.lora_alpha = 2 * arguments.lora_r
    return arguments


def report_argument_problems(problems: list[dict], dry_run: bool, usage: str = "") -> None:
    """Prints each problem to stderr as `argument --x: ...`; under --dry-run also the JSON summary on stdout."""
    if usage:
        sys.stderr.write(usage)
    for problem in problems:
        prefix = f"argument {problem['argument']}: " if problem.get("argument") else ""
        sys.stderr.write(f"train.py: error: {prefix}{scrub(problem['problem'])}\n")
    if dry_run:
        summary = {"event": "dry_run", "valid": False, "train_examples": 0, "eval_examples": 0, "problems": problems, "warnings": []}
        print(scrub(json.dumps(summary)), flush=True)


def check_data_file(argument: str, path: Path | None) -> list[dict]:
    if path is None:
        return []
    if not path.exists():
        return [{"argument": argument, "problem": f"file not found: {path}"}]
    if not path.is_file():
        return [{"argument": argument, "problem": f"not a regular file: {path}"}]
    if not os.access(path, os.R_OK):
        return [{"argument": argument, "problem": f"not readable: {path}"}]
    return []


def nearest_existing_ancestor(path: Path) -> Path:
    current = path.absolute()
    while not current.exists() and current != current.parent:
        current = current.parent
    return current


def check_output_dir(path: Path) -> list[dict]:
    if path.exists():
        if not path.is_dir():
            return [{"argument": "--output-dir", "problem": f"exists and is not a directory: {path}"}]
        if not os.access(path, os.W_OK | os.X_OK):
            return [{"argument": "--output-dir", "problem": f"directory is not writable: {path}"}]
        return []
    ancestor = nearest_existing_ancestor(path)
    if not ancestor.is_dir():
        return [{"argument": "--output-dir", "problem": f"cannot be created: {ancestor} is not a directory"}]
    if not os.access(ancestor, os.W_OK | os.X_OK):
        return [{"argument": "--output-dir", "problem": f"cannot be created: {ancestor} is not writable"}]
    return []


def check_model(model: str) -> list[dict]:
    looks_like_path = model.startswith(("/", "./", "../", "~")) or os.path.exists(model)
    if looks_like_path:
        local = Path(model).expanduser()
        if not local.exists():
            return [{"argument": "--model", "problem": f"local model directory not found: {model}"}]
        if not local.is_dir():
            return [{"argument": "--model", "problem": f"not a directory: {model}"}]
        if not (local / "config.json").is_file():
            return [{"argument": "--model", "problem": f"no config.json in {model}: not a transformers model directory"}]
        return []
    if not HUB_MODEL_ID.match(model):
        return [{"argument": "--model", "problem": f"neither a local directory nor a Hub id like org/name: {model!r}"}]
    return []


def check_resume(resume: str) -> list[dict]:
    if resume in ("auto", "never"):
        return []
    path = Path(resume)
    if not path.is_dir():
        return [{"argument": "--resume", "problem": f"expected auto, never or a checkpoint directory; not found: {resume}"}]
    if not is_complete_checkpoint(path):
        return [{"argument": "--resume", "problem": f"incomplete checkpoint (no readable {TRAINER_STATE_FILE} or no weights): {resume}"}]
    return []


def validate_arguments(arguments: argparse.Namespace) -> list[dict]:
    """Checks that need the file system: data files, output directory, model, resume path."""
    return (
        check_model(arguments.model)
        + check_data_file("--train-file", arguments.train_file)
        + check_data_file("--eval-file", arguments.eval_file)
        + check_output_dir(arguments.output_dir)
        + check_resume(arguments.resume)
    )


# --------------------------------------------------------------------------------------------------------------
# Dataset validation
# --------------------------------------------------------------------------------------------------------------


@dataclass
class DatasetReport:
    path: str
    examples: list[list[dict]] = field(default_factory=list)
    example_lines: list[int] = field(default_factory=list)
    estimated_tokens: list[int] = field(default_factory=list)
    problems: list[dict] = field(default_factory=list)
    warnings: list[dict] = field(default_factory=list)
    over_length_lines: list[int] = field(default_factory=list)


def estimate_tokens(messages: list[dict]) -> int:
    """Rough token count: characters / 4 plus a few template tokens per message."""
    characters = sum(len(message["content"]) for message in messages)
    return math.ceil(characters / CHARS_PER_TOKEN) + TEMPLATE_TOKENS_PER_MESSAGE * len(messages)


def check_message(index: int, message: Any) -> str | None:
    """The problem with one message, or None."""
    where = f"message {index + 1}"
    if not isinstance(message, dict):
        return f"{where} is not an object"
    role = message.get("role")
    if not isinstance(role, str):
        return f"{where} has no string \"role\""
    if role not in KNOWN_ROLES:
        return f"{where} has unknown role {role!r} (expected one of {', '.join(KNOWN_ROLES)})"
    content = message.get("content")
    if not isinstance(content, str):
        return f"{where} ({role}): \"content\" must be a string"
    if not content.strip():
        return f"{where} ({role}) has empty content"
    return None


def check_conversation(messages: list[dict], max_length: int) -> tuple[list[str], list[str]]:
    """Problems and warnings about a list of well-formed messages as a whole."""
    problems: list[str] = []
    warnings: list[str] = []
    roles = [message["role"] for message in messages]
    if "user" not in roles:
        problems.append("no user message")
    if roles[-1] != "assistant":
        problems.append(f"last message is from {roles[-1]!r}, not the assistant: there is nothing to learn")
    if "system" in roles[1:]:
        warnings.append("a system message that is not first: some chat templates reject it")
    if any(first == second for first, second in zip(roles, roles[1:])):
        warnings.append("two consecutive messages from the same role: some chat templates reject it")
    if roles[-1] == "assistant":
        prompt_tokens = estimate_tokens(messages[:-1])
        if prompt_tokens >= max_length:
            problems.append(
                f"the messages before the last assistant reply alone are ~{prompt_tokens} tokens, over --max-length "
                f"{max_length}: truncation would cut the whole reply"
            )
    return problems, warnings


def check_record(record: Any, max_length: int) -> tuple[list[dict] | None, list[str], list[str]]:
    """(normalized messages or None, problems, warnings) for one parsed JSONL record."""
    if not isinstance(record, dict):
        return None, ["not a JSON object"], []
    if "messages" not in record:
        hint = f" (found keys: {', '.join(sorted(record)[:6])})" if record else ""
        return None, [f"missing \"messages\": expected {{\"messages\": [{{\"role\", \"content\"}}, ...]}}{hint}"], []
    messages = record["messages"]
    if not isinstance(messages, list) or not messages:
        return None, ["\"messages\" must be a non-empty list"], []
    message_problems = [problem for index, message in enumerate(messages) if (problem := check_message(index, message))]
    if message_problems:
        return None, message_problems, []
    normalized = [{"role": message["role"], "content": message["content"]} for message in messages]
    problems, warnings = check_conversation(normalized, max_length)
    return (None if problems else normalized), problems, warnings


def parse_line(raw: bytes) -> tuple[Any, str | None]:
    """(record, None) or (None, problem) for one raw JSONL line."""
    try:
        text = raw.decode("utf-8").rstrip("\r\n")
    except UnicodeDecodeError as error:
        return None, f"not UTF-8: {error.reason} at byte {error.start}"
    try:
        return json.loads(text.lstrip("\ufeff")), None
    except json.JSONDecodeError as error:
        return None, f"invalid JSON: {error.msg} (column {error.colno})"


def read_dataset(path: Path, max_length: int) -> DatasetReport:
    """Validates a chat JSONL file line by line; keeps the valid examples."""
    report = DatasetReport(path=str(path))
    with path.open("rb") as handle:
        for number, raw in enumerate(handle, start=1):
            if not raw.strip():
                continue
            record, problem = parse_line(raw)
            if problem:
                report.problems.append({"file": str(path), "line": number, "problem": problem})
                continue
            messages, problems, warnings = check_record(record, max_length)
            report.problems.extend({"file": str(path), "line": number, "problem": text} for text in problems)
            report.warnings.extend({"file": str(path), "line": number, "warning": text} for text in warnings)
            if messages is not None:
                add_example(report, messages, number, max_length)
    if not report.examples and not report.problems:
        report.problems.append({"file": str(path), "line": None, "problem": "no examples: the file is empty"})
    report.warnings.extend(duplicate_warnings(report))
    if report.over_length_lines:
        report.warnings.append(over_length_warning(report, max_length))
    return report


def add_example(report: DatasetReport, messages: list[dict], line: int, max_length: int) -> None:
    tokens = estimate_tokens(messages)
    report.examples.append(messages)
    report.example_lines.append(line)
    report.estimated_tokens.append(tokens)
    if tokens > max_length:
        report.over_length_lines.append(line)


def over_length_warning(report: DatasetReport, max_length: int) -> dict:
    lines = report.over_length_lines
    return {
        "file": report.path,
        "lines": lines[:MAX_LISTED_LINES],
        "count": len(lines),
        "warning": f"{len(lines)} example(s) longer than --max-length {max_length} (estimated at 4 characters per token): "
        "their ends will be truncated",
    }


def example_key(messages: list[dict]) -> str:
    canonical = json.dumps([[message["role"], message["content"].strip()] for message in messages], ensure_ascii=False)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def duplicate_warnings(report: DatasetReport) -> list[dict]:
    first_line: dict[str, int] = {}
    pairs: list[list[int]] = []
    for messages, line in zip(report.examples, report.example_lines):
        key = example_key(messages)
        if key in first_line:
            pairs.append([line, first_line[key]])
        else:
            first_line[key] = line
    if not pairs:
        return []
    described = ", ".join(f"line {line} = line {original}" for line, original in pairs[:MAX_LISTED_LINES])
    return [{"file": report.path, "count": len(pairs), "duplicates": pairs[:MAX_LISTED_LINES], "warning": f"{len(pairs)} duplicate example(s): {described}"}]


def overlap_warnings(train: DatasetReport, evaluation: DatasetReport | None) -> list[dict]:
    if evaluation is None:
        return []
    train_keys = {example_key(messages) for messages in train.examples}
    lines = [line for messages, line in zip(evaluation.examples, evaluation.example_lines) if example_key(messages) in train_keys]
    if not lines:
        return []
    return [{"file": evaluation.path, "lines": lines[:MAX_LISTED_LINES], "count": len(lines),
             "warning": f"{len(lines)} evaluation example(s) also appear in the training data: eval loss will look too good"}]


# --------------------------------------------------------------------------------------------------------------
# Planning: backends, quantization, trainer, resume, steps
# --------------------------------------------------------------------------------------------------------------


def module_available(name: str) -> bool:
    try:
        return importlib.util.find_spec(name) is not None
    except (ImportError, ValueError):
        return False


def detect_backends() -> dict[str, bool]:
    """Which training libraries are installed, without importing them."""
    return {name: module_available(name) for name in BACKEND_MODULES}


def installed_versions() -> dict[str, str | None]:
    """Installed distribution versions, read from package metadata (nothing is imported)."""
    import importlib.metadata  # here, not at the top: it alone doubles the start-up time of --help

    versions: dict[str, str | None] = {}
    for name in BACKEND_MODULES:
        try:
            versions[name] = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            versions[name] = None
    return versions


def version_warnings(versions: dict[str, str | None]) -> list[dict]:
    """Old majors whose argument names this script does not use (it is written for transformers 5 / trl 1)."""
    warnings = []
    for name, first_supported in MINIMUM_MAJOR.items():
        version = versions.get(name)
        major = re.match(r"(\d+)", version or "")
        if major and int(major.group(1)) < first_supported:
            warnings.append({"warning": f"{name} {version} is installed; this script uses the {name} {first_supported}.x API: pip install -r requirements.txt"})
    return warnings


def decide_quantization(requested: str, bitsandbytes_usable: bool, cuda_available: bool) -> tuple[str, str, list[str]]:
    """(mode, reason, fallbacks). Raises UsageError when an explicit 4bit/8bit request cannot be honoured."""
    if requested == "none":
        return "none", "--quantization none", []
    missing = None if cuda_available and bitsandbytes_usable else ("no CUDA device" if not cuda_available else "bitsandbytes not importable")
    if requested in ("4bit", "8bit"):
        if missing:
            raise UsageError("--quantization", f"{requested} needs bitsandbytes and a CUDA GPU: {missing}; use --quantization auto to fall back")
        return requested, f"--quantization {requested}", []
    if not missing:
        return "4bit", "bitsandbytes and CUDA usable: 4-bit NF4, double quantization, bf16 compute", []
    instead = "fp32 LoRA on CPU (very slow)" if not cuda_available else "bf16 LoRA"
    return "none", f"{missing}: {instead}", [f"{missing}: {instead} instead of 4-bit"]


def decide_trainer(requested: str, trl_usable: bool, trl_problem: str = "trl not importable") -> tuple[str, str, list[str]]:
    """(trainer, reason, fallbacks). Raises UsageError when --trainer trl is asked for and trl is unusable."""
    if requested == "transformers":
        return "transformers", "--trainer transformers", []
    if trl_usable:
        return "trl", "trl SFTTrainer" + (" (--trainer trl)" if requested == "trl" else ""), []
    if requested == "trl":
        raise UsageError("--trainer", f"{trl_problem}; install requirements.txt or use --trainer auto")
    fallback = f"{trl_problem}: plain transformers.Trainer with the chat template applied per example"
    return "transformers", fallback, [fallback]


def read_trainer_state(path: Path) -> dict | None:
    try:
        state = json.loads((path / TRAINER_STATE_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return state if isinstance(state, dict) else None


def is_complete_checkpoint(path: Path) -> bool:
    """Complete = a readable trainer_state.json (Trainer writes it last, after weights, optimizer and RNG state)
    and a weights file. A checkpoint cut short by a crash or SIGKILL lacks one of them."""
    if not path.is_dir() or read_trainer_state(path) is None:
        return False
    return any((path / name).is_file() for name in WEIGHT_FILES)


def list_checkpoints(output_dir: Path) -> list[tuple[int, Path]]:
    """(step, path) of every checkpoint-N directory, highest step first."""
    if not output_dir.is_dir():
        return []
    found = []
    for entry in output_dir.iterdir():
        match = CHECKPOINT_PATTERN.match(entry.name)
        if match and entry.is_dir():
            found.append((int(match.group(1)), entry))
    return sorted(found, reverse=True)


def find_latest_checkpoint(output_dir: Path) -> Path | None:
    """The complete checkpoint-N with the highest N (numerically: checkpoint-200 beats checkpoint-30)."""
    for _, path in list_checkpoints(output_dir):
        if is_complete_checkpoint(path):
            return path
    return None


def resolve_resume(resume: str, output_dir: Path) -> tuple[Path | None, str]:
    """(checkpoint or None, reason)."""
    if resume == "never":
        return None, "--resume never: training starts from the base model"
    if resume != "auto":
        return Path(resume), "--resume path"
    latest = find_latest_checkpoint(output_dir)
    if latest is not None:
        return latest, f"latest complete checkpoint in {output_dir}"
    incomplete = [str(path) for _, path in list_checkpoints(output_dir)]
    reason = "no checkpoint in the output directory: training starts from the base model"
    if incomplete:
        reason = f"only incomplete checkpoints ({', '.join(incomplete[:5])}): training starts from the base model"
    return None, reason


def estimate_steps(examples: int, arguments: argparse.Namespace) -> tuple[int, int]:
    """(optimizer steps per epoch, total optimizer steps), as transformers counts them (approximately)."""
    micro_batches = math.ceil(examples / arguments.batch_size)
    per_epoch = max(micro_batches // arguments.grad_accum, 1) if examples else 0
    total = arguments.max_steps if arguments.max_steps > 0 else math.ceil(arguments.epochs * per_epoch)
    return per_epoch, total


def hub_cache_has(model: str) -> bool:
    hub_cache = os.environ.get("HF_HUB_CACHE") or os.path.join(
        os.environ.get("HF_HOME") or os.path.join(os.path.expanduser("~"), ".cache", "huggingface"), "hub"
    )
    return os.path.isdir(os.path.join(hub_cache, "models--" + model.replace("/", "--")))


def model_source(model: str) -> str:
    if os.path.isdir(os.path.expanduser(model)):
        return "local directory"
    return "Hub cache" if hub_cache_has(model) else "Hub download (not in the local cache)"


def plan_backends(arguments: argparse.Namespace, backends: dict[str, bool]) -> tuple[dict, list[dict]]:
    """The quantization/trainer part of the dry-run plan, guessed without importing anything."""
    warnings: list[dict] = []
    nvidia_smi = shutil.which("nvidia-smi") is not None
    cuda_likely = backends["torch"] and nvidia_smi
    plan: dict[str, Any] = {"cuda": "likely (nvidia-smi found)" if cuda_likely else "unlikely (no torch or no nvidia-smi)"}
    try:
        quantization, reason, fallbacks = decide_quantization(arguments.quantization, backends["bitsandbytes"], cuda_likely)
    except UsageError as error:
        quantization, reason, fallbacks = None, str(error), []
        warnings.append({"warning": f"argument {error.argument}: {error}"})
    try:
        trainer, trainer_reason, trainer_fallbacks = decide_trainer(arguments.trainer, backends["trl"])
    except UsageError as error:
        trainer, trainer_reason, trainer_fallbacks = None, str(error), []
        warnings.append({"warning": f"argument {error.argument}: {error}"})
    missing = [name for name in REQUIRED_MODULES if not backends[name]]
    if trainer == "trl":
        missing += [name for name in ("trl", "datasets") if not backends[name]]
    if missing:
        warnings.append({"warning": f"cannot train on this machine: {', '.join(missing)} not importable; pip install -r requirements.txt"})
    plan.update(
        quantization=quantization, quantization_reason=reason, trainer=trainer, trainer_reason=trainer_reason,
        fallbacks=fallbacks + trainer_fallbacks, missing=missing, can_train=not missing and quantization is not None and trainer is not None,
    )
    return plan, warnings


def plan_training(arguments: argparse.Namespace, train_examples: int) -> tuple[dict, list[dict]]:
    per_epoch, total = estimate_steps(train_examples, arguments)
    warnings = []
    if total and arguments.save_steps > total:
        warnings.append({"warning": f"--save-steps {arguments.save_steps} > ~{total} total steps: no periodic checkpoint, so a crash or SIGKILL loses the run (a stop still saves one)"})
    if total and arguments.eval_file is not None and arguments.eval_steps > total:
        warnings.append({"warning": f"--eval-steps {arguments.eval_steps} > ~{total} total steps: only the final evaluation will run"})
    training = {
        "epochs": arguments.epochs, "max_steps": arguments.max_steps, "batch_size": arguments.batch_size,
        "grad_accum": arguments.grad_accum, "effective_batch": arguments.batch_size * arguments.grad_accum,
        "learning_rate": arguments.learning_rate, "warmup": arguments.warmup,
        "warmup_meaning": "ratio of total steps" if arguments.warmup < 1 else "steps", "max_length": arguments.max_length,
        "estimated_steps_per_epoch": per_epoch, "estimated_total_steps": total,
        "gradient_checkpointing": arguments.gradient_checkpointing, "seed": arguments.seed,
    }
    return training, warnings


def plan_resume(arguments: argparse.Namespace) -> tuple[dict, list[dict]]:
    checkpoint, reason = resolve_resume(arguments.resume, arguments.output_dir)
    warnings = []
    if arguments.resume == "never" and list_checkpoints(arguments.output_dir):
        warnings.append({"warning": f"{arguments.output_dir} already holds checkpoints and --resume never: use a new --output-dir"})
    if checkpoint is None and (arguments.output_dir / "final").exists():
        warnings.append({"warning": f"{arguments.output_dir / 'final'} exists and will be overwritten"})
    return {"mode": arguments.resume, "checkpoint": str(checkpoint) if checkpoint else None, "reason": reason}, warnings


def build_plan(arguments: argparse.Namespace, train_examples: int) -> tuple[dict, list[dict]]:
    backends = detect_backends()
    versions = installed_versions()
    backend_plan, backend_warnings = plan_backends(arguments, backends)
    backend_warnings += version_warnings(versions)
    training, training_warnings = plan_training(arguments, train_examples)
    resume, resume_warnings = plan_resume(arguments)
    plan = {
        "model": arguments.model, "model_source": model_source(arguments.model), "output_dir": str(arguments.output_dir),
        "final_dir": str(arguments.output_dir / "final"), "backends": backends, "versions": versions,
        "python": sys.executable, "hf_token": "set" if os.environ.get("HF_TOKEN") else "not set",
        **backend_plan,
        "lora": {"r": arguments.lora_r, "alpha": arguments.lora_alpha, "dropout": arguments.lora_dropout, "target_modules": arguments.target_modules},
        "training": training, "resume": resume,
    }
    return plan, backend_warnings + training_warnings + resume_warnings


def build_summary(arguments: argparse.Namespace, train: DatasetReport, evaluation: DatasetReport | None) -> dict:
    """The dry-run summary: validity, counts, problems (capped), warnings and the plan."""
    problems = train.problems + (evaluation.problems if evaluation else [])
    warnings = train.warnings + (evaluation.warnings if evaluation else []) + overlap_warnings(train, evaluation)
    plan, plan_warnings = build_plan(arguments, len(train.examples))
    tokens = train.estimated_tokens + (evaluation.estimated_tokens if evaluation else [])
    summary = {
        "event": "dry_run",
        "valid": not problems,
        "train_examples": len(train.examples),
        "eval_examples": len(evaluation.examples) if evaluation else 0,
        "estimated_tokens": {
            "train": sum(train.estimated_tokens),
            "eval": sum(evaluation.estimated_tokens) if evaluation else 0,
            "longest_example": max(tokens, default=0),
            "method": "characters / 4 + 4 per message",
        },
        "problems": problems[:MAX_LISTED_PROBLEMS],
        "problems_total": len(problems),
        "warnings": warnings + plan_warnings,
        "plan": plan,
    }
    if len(problems) > MAX_LISTED_PROBLEMS:
        summary["problems_not_listed"] = len(problems) - MAX_LISTED_PROBLEMS
    return summary


# --------------------------------------------------------------------------------------------------------------
# Progress protocol
# --------------------------------------------------------------------------------------------------------------


def clean_value(value: Any) -> Any:
    """A JSON-safe version of `value`: tensors/numpy scalars to numbers, NaN/inf to null, strings scrubbed."""
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, str):
        return scrub(value)
    if isinstance(value, dict):
        return {str(key): clean_value(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [clean_value(item) for item in value]
    if hasattr(value, "item"):
        try:
            return clean_value(value.item())
        except (TypeError, ValueError, RuntimeError):
            pass
    return scrub(str(value))


def numeric_fields(mapping: dict | None) -> dict[str, float | int | None]:
    """Only the numeric entries of a log/metrics dict (tensors and numpy scalars included; NaN/inf become null)."""
    result: dict[str, float | int | None] = {}
    for key, value in (mapping or {}).items():
        if isinstance(value, (bool, str)) or not (isinstance(value, (int, float)) or hasattr(value, "item")):
            continue
        cleaned = clean_value(value)
        if cleaned is None or (isinstance(cleaned, (int, float)) and not isinstance(cleaned, bool)):
            result[str(key)] = cleaned
    return result


def progress_line(event: str, fields: dict) -> str:
    """One protocol line: a JSON object with a string `event`, never NaN, never a secret."""
    record = {"event": event, **{key: clean_value(value) for key, value in fields.items()}}
    return scrub(json.dumps(record, allow_nan=False, ensure_ascii=False))


class ProgressWriter:
    """Writes protocol lines to the protocol stream (the real stdout), flushed, one writer at a time."""

    def __init__(self, stream: TextIO):
        self.stream = stream
        self.lock = threading.Lock()
        self.last_emit = time.monotonic()

    def emit(self, event: str, **fields: Any) -> None:
        line = progress_line(event, fields)
        with self.lock:
            self.stream.write(line + "\n")
            self.stream.flush()
            self.last_emit = time.monotonic()

    def heartbeat(self, **fields: Any) -> None:
        """A `status` line when nothing was printed for HEARTBEAT_SECONDS, so a slow phase is not taken for a stall."""
        if time.monotonic() - self.last_emit >= HEARTBEAT_SECONDS:
            self.emit("status", **fields)


class LoadingHeartbeat:
    """Announces each loading phase and repeats a status line every minute until training begins."""

    def __init__(self, writer: ProgressWriter):
        self.writer = writer
        self.phase_name = "starting"
        self.started = time.monotonic()
        self.finished = threading.Event()
        self.thread = threading.Thread(target=self._beat, name="loading-heartbeat", daemon=True)

    def __enter__(self) -> "LoadingHeartbeat":
        self.thread.start()
        return self

    def __exit__(self, *_: Any) -> None:
        self.finished.set()

    def phase(self, name: str) -> None:
        self.phase_name = name
        log(f"{name}...")
        self.writer.emit("status", phase=name)

    def _beat(self) -> None:
        while not self.finished.wait(HEARTBEAT_SECONDS / 4):
            self.writer.heartbeat(phase=self.phase_name, elapsed_s=round(time.monotonic() - self.started))


@dataclass
class StopState:
    requested: bool = False
    signal_name: str | None = None
    training_started: bool = False
    announced: bool = False
    checkpoint: str | None = None


def install_stop_handlers(stop: StopState) -> None:
    """SIGTERM/SIGINT: before training, abort loading (StopRequested); during training, only set the flag so the
    progress callback saves a checkpoint at the end of the current optimizer step."""

    def handle(signum: int, _frame: Any) -> None:
        first = not stop.requested
        if not first and signum == signal.SIGINT:
            raise KeyboardInterrupt  # a second Ctrl-C: do not wait for the checkpoint
        stop.requested = True
        stop.signal_name = signal.Signals(signum).name
        when = "saving a checkpoint at the end of this step" if stop.training_started else "stopping before training"
        os.write(2, f"train.py: received {stop.signal_name}: {when}\n".encode())
        if first and not stop.training_started:
            raise StopRequested(stop.signal_name)

    signal.signal(signal.SIGTERM, handle)
    signal.signal(signal.SIGINT, handle)


class ProgressReporter:
    """The protocol side of training, written against TrainerCallback's hooks (args, state, control, **kwargs).
    `progress_callback_class()` mixes it into a real TrainerCallback."""

    def __init__(self, writer: ProgressWriter, stop: StopState, run_info: dict):
        self.writer = writer
        self.stop = stop
        self.run_info = run_info
        self.last_eval: dict = {}
        self.last_eval_step: int | None = None

    def on_train_begin(self, args: Any, state: Any, control: Any, **_: Any) -> Any:
        self.stop.training_started = True
        self.writer.emit("start", total_steps=state.max_steps, num_epochs=args.num_train_epochs, step=state.global_step, **self.run_info)
        return control

    def on_log(self, args: Any, state: Any, control: Any, logs: dict | None = None, **_: Any) -> Any:
        logs = logs or {}
        if any(str(key).startswith("eval_") for key in logs) or "train_runtime" in logs:
            return control  # evaluations are reported by on_evaluate, the final summary by `done`
        values = numeric_fields(logs)
        values.pop("total_flos", None)
        values.pop("step", None)
        self.writer.emit("log", step=state.global_step, **values)
        return control

    def on_evaluate(self, args: Any, state: Any, control: Any, metrics: dict | None = None, **_: Any) -> Any:
        values = numeric_fields(metrics)
        values.pop("step", None)
        self.last_eval, self.last_eval_step = values, state.global_step
        self.writer.emit("eval", step=state.global_step, **values)
        return control

    def on_step_end(self, args: Any, state: Any, control: Any, **_: Any) -> Any:
        if self.stop.requested and not self.stop.announced:
            self.stop.announced = True
            reason = f"{self.stop.signal_name or 'SIGTERM'} received: saving a checkpoint, then exiting"
            self.writer.emit("stopping", step=state.global_step, reason=reason)
            control.should_save = True
            control.should_training_stop = True
        else:
            self.writer.heartbeat(phase="training", step=state.global_step)
        return control

    def on_prediction_step(self, args: Any, state: Any, control: Any, **_: Any) -> Any:
        self.writer.heartbeat(phase="evaluating", step=state.global_step)
        return control

    def on_save(self, args: Any, state: Any, control: Any, **_: Any) -> Any:
        path = Path(args.output_dir) / f"checkpoint-{state.global_step}"
        if not is_complete_checkpoint(path):
            log(f"warning: expected a complete checkpoint at {path} after saving; not reporting it")
            return control
        self.writer.emit("checkpoint", step=state.global_step, path=str(path))
        if self.stop.requested:
            self.stop.checkpoint = str(path)
        return control


def progress_callback_class(trainer_callback_base: type) -> type:
    """A TrainerCallback subclass whose hooks are ProgressReporter's (ProgressReporter first in the MRO)."""
    return type("ProgressCallback", (ProgressReporter, trainer_callback_base), {})


# --------------------------------------------------------------------------------------------------------------
# Plain transformers.Trainer fallback: tokenization and padding
# --------------------------------------------------------------------------------------------------------------


def pad_batch(features: list[dict], pad_token_id: int) -> dict[str, list[list[int]]]:
    """Right-pads a batch of {"input_ids": [...]} to its longest example. Flat lists of ints per row (one level of
    nesting, never lists of lists of lists); labels are the input ids with padding masked to -100."""
    longest = max(len(feature["input_ids"]) for feature in features)
    batch: dict[str, list[list[int]]] = {"input_ids": [], "attention_mask": [], "labels": []}
    for feature in features:
        ids = [int(token) for token in feature["input_ids"]]
        padding = longest - len(ids)
        batch["input_ids"].append(ids + [pad_token_id] * padding)
        batch["attention_mask"].append([1] * len(ids) + [0] * padding)
        batch["labels"].append(ids + [-100] * padding)
    return batch


class PaddingCollator:
    """data_collator for the plain Trainer: pad_batch, then int64 tensors of shape (batch, longest)."""

    def __init__(self, pad_token_id: int):
        self.pad_token_id = pad_token_id

    def __call__(self, features: list[dict]) -> dict:
        import torch

        return {key: torch.tensor(rows, dtype=torch.long) for key, rows in pad_batch(features, self.pad_token_id).items()}


def tokenize_examples(chat_tokenizer: Any, examples: list[list[dict]], max_length: int) -> list[dict]:
    """Applies the chat template to each conversation, then tokenizes the text once (no double BOS), truncated."""
    features = []
    for messages in examples:
        text = chat_tokenizer.apply_chat_template(messages, tokenize=False)
        encoded = chat_tokenizer(text, add_special_tokens=False, truncation=True, max_length=max_length)
        features.append({"input_ids": list(encoded["input_ids"])})
    return features


# --------------------------------------------------------------------------------------------------------------
# Training path (imports torch & co. lazily)
# --------------------------------------------------------------------------------------------------------------


def log(message: str) -> None:
    sys.stderr.write(f"train.py: {scrub(message)}\n")
    sys.stderr.flush()


def protocol_stream() -> TextIO:
    """Keeps the real stdout for protocol lines and points fd 1 and sys.stdout at stderr, so whatever the libraries
    print (Python or C code) lands in the log, not in the protocol."""
    sys.stdout.flush()
    protocol_fd = os.dup(1)
    os.dup2(2, 1)
    sys.stdout = sys.stderr
    return os.fdopen(protocol_fd, "w", encoding="utf-8", buffering=1)


def quiet_library_output() -> None:
    """Before the imports: no progress bars (they go to stderr anyway, as carriage-return noise)."""
    os.environ.setdefault("TQDM_DISABLE", "1")
    os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
    os.environ.setdefault("HF_DATASETS_DISABLE_PROGRESS_BARS", "1")
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")


@dataclass
class Runtime:
    """The imported libraries and what this machine can do with them."""

    torch: Any
    transformers: Any
    peft: Any
    cuda: bool
    precision: str
    quantization: str
    trainer: str
    fallbacks: list[str]


def import_required() -> tuple[Any, Any, Any]:
    missing = [name for name in REQUIRED_MODULES if not module_available(name)]
    if missing:
        raise MissingDependencies(f"{', '.join(missing)} not importable by {sys.executable}")
    import peft
    import torch
    import transformers

    transformers.utils.logging.set_verbosity_warning()
    getattr(transformers.utils.logging, "disable_progress_bar", lambda: None)()
    return torch, transformers, peft


def try_import(name: str) -> str | None:
    """None when `name` imports, else why not (a broken CUDA build of bitsandbytes fails only on import)."""
    if not module_available(name):
        return f"{name} not importable"
    try:
        __import__(name)
        return None
    except Exception as error:  # noqa: BLE001 - any failure means "not usable"
        return f"{name} failed to import ({type(error).__name__}: {str(error).splitlines()[0] if str(error) else ''})"


def decide_precision(torch: Any, cuda: bool) -> tuple[str, list[str]]:
    if not cuda:
        return "fp32", []
    if torch.cuda.is_bf16_supported():
        return "bf16", []
    return "fp16", ["GPU lacks bf16: fp16 compute and mixed precision instead"]


def prepare_runtime(arguments: argparse.Namespace) -> Runtime:
    torch, transformers, peft = import_required()
    cuda = bool(torch.cuda.is_available())
    bitsandbytes_problem = try_import("bitsandbytes") if arguments.quantization != "none" and cuda else None
    quantization, quantization_reason, fallbacks = decide_quantization(arguments.quantization, cuda and bitsandbytes_problem is None, cuda)
    if bitsandbytes_problem and fallbacks:
        fallbacks = [f"{bitsandbytes_problem}: bf16 LoRA instead of 4-bit"]
    trl_problem = try_import("trl") if arguments.trainer != "transformers" else None
    trainer, trainer_reason, trainer_fallbacks = decide_trainer(arguments.trainer, trl_problem is None, trl_problem or "")
    precision, precision_fallbacks = decide_precision(torch, cuda)
    all_fallbacks = fallbacks + trainer_fallbacks + precision_fallbacks
    for fallback in all_fallbacks:
        log(f"fallback: {fallback}")
    log(f"quantization {quantization} ({quantization_reason}); trainer {trainer} ({trainer_reason}); precision {precision}")
    return Runtime(torch, transformers, peft, cuda, precision, quantization, trainer, all_fallbacks)


def compute_dtype(runtime: Runtime) -> Any:
    return {"bf16": runtime.torch.bfloat16, "fp16": runtime.torch.float16, "fp32": runtime.torch.float32}[runtime.precision]


def load_tokenizer(arguments: argparse.Namespace, runtime: Runtime) -> Any:
    chat_tokenizer = runtime.transformers.AutoTokenizer.from_pretrained(arguments.model)
    if not getattr(chat_tokenizer, "chat_template", None):
        raise UsageError("--model", f"the tokenizer of {arguments.model} has no chat template: use an instruct/chat model")
    if chat_tokenizer.pad_token is None:
        chat_tokenizer.pad_token = chat_tokenizer.eos_token
        log("the tokenizer has no pad token: using the EOS token for padding")
    return chat_tokenizer


def quantization_config(runtime: Runtime) -> Any:
    if runtime.quantization == "4bit":
        return runtime.transformers.BitsAndBytesConfig(
            load_in_4bit=True,
            bnb_4bit_quant_type="nf4",
            bnb_4bit_use_double_quant=True,
            bnb_4bit_compute_dtype=compute_dtype(runtime),
        )
    if runtime.quantization == "8bit":
        return runtime.transformers.BitsAndBytesConfig(load_in_8bit=True)
    return None


def load_model(arguments: argparse.Namespace, runtime: Runtime) -> Any:
    options: dict[str, Any] = {"dtype": compute_dtype(runtime)}
    bnb_config = quantization_config(runtime)
    if bnb_config is not None:
        options["quantization_config"] = bnb_config
    if runtime.cuda:
        options["device_map"] = {"": runtime.torch.cuda.current_device()}
    model = runtime.transformers.AutoModelForCausalLM.from_pretrained(arguments.model, **options)
    model.config.use_cache = False
    if bnb_config is not None:
        model = runtime.peft.prepare_model_for_kbit_training(
            model,
            use_gradient_checkpointing=arguments.gradient_checkpointing,
            gradient_checkpointing_kwargs={"use_reentrant": False},
        )
    return model


def lora_config(arguments: argparse.Namespace, runtime: Runtime) -> Any:
    targets = arguments.target_modules if arguments.target_modules == "all-linear" else arguments.target_modules.split(",")
    return runtime.peft.LoraConfig(
        r=arguments.lora_r,
        lora_alpha=arguments.lora_alpha,
        lora_dropout=arguments.lora_dropout,
        target_modules=targets,
        bias="none",
        task_type="CAUSAL_LM",
    )


def warmup_steps_value(warmup: float) -> float | int:
    """transformers 5: warmup_steps takes a float < 1 as a ratio of the total steps, an int as steps."""
    return float(warmup) if warmup < 1 else int(warmup)


def training_options(arguments: argparse.Namespace, runtime: Runtime, has_eval: bool) -> dict[str, Any]:
    """Keyword arguments shared by SFTConfig and TrainingArguments (transformers 5 names)."""
    return dict(
        output_dir=str(arguments.output_dir),
        num_train_epochs=arguments.epochs,
        max_steps=arguments.max_steps,
        per_device_train_batch_size=arguments.batch_size,
        per_device_eval_batch_size=arguments.batch_size,
        gradient_accumulation_steps=arguments.grad_accum,
        learning_rate=arguments.learning_rate,
        lr_scheduler_type="cosine",
        warmup_steps=warmup_steps_value(arguments.warmup),
        logging_strategy="steps",
        logging_steps=arguments.logging_steps,
        logging_first_step=True,
        save_strategy="steps",
        save_steps=arguments.save_steps,
        save_total_limit=arguments.save_total_limit or None,
        eval_strategy="steps" if has_eval else "no",
        eval_steps=arguments.eval_steps if has_eval else None,
        seed=arguments.seed,
        bf16=runtime.precision == "bf16",
        fp16=runtime.precision == "fp16",
        use_cpu=not runtime.cuda,
        gradient_checkpointing=arguments.gradient_checkpointing,
        gradient_checkpointing_kwargs={"use_reentrant": False} if arguments.gradient_checkpointing else None,
        optim="paged_adamw_8bit" if runtime.quantization != "none" else "adamw_torch",
        disable_tqdm=True,
        report_to="none",
    )


def build_trl_trainer(arguments, runtime, model, chat_tokenizer, train, evaluation, callback) -> Any:
    """SFTTrainer on conversational data: it applies the chat template, tokenizes, truncates to max_length, pads,
    and wraps the model with peft_config itself."""
    import datasets
    import trl

    getattr(datasets, "disable_progress_bars", lambda: None)()
    config = trl.SFTConfig(max_length=arguments.max_length, packing=False, **training_options(arguments, runtime, evaluation is not None))
    return trl.SFTTrainer(
        model=model,
        args=config,
        train_dataset=datasets.Dataset.from_list([{"messages": messages} for messages in train.examples]),
        eval_dataset=datasets.Dataset.from_list([{"messages": messages} for messages in evaluation.examples]) if evaluation else None,
        processing_class=chat_tokenizer,
        peft_config=lora_config(arguments, runtime),
        callbacks=[callback],
    )


def build_plain_trainer(arguments, runtime, model, chat_tokenizer, train, evaluation, callback) -> Any:
    """transformers.Trainer without trl: chat template per example, labels = input ids, a padding collator."""
    model = runtime.peft.get_peft_model(model, lora_config(arguments, runtime))
    if arguments.gradient_checkpointing:
        model.enable_input_require_grads()
    options = training_options(arguments, runtime, evaluation is not None)
    return runtime.transformers.Trainer(
        model=model,
        args=runtime.transformers.TrainingArguments(remove_unused_columns=False, **options),
        train_dataset=tokenize_examples(chat_tokenizer, train.examples, arguments.max_length),
        eval_dataset=tokenize_examples(chat_tokenizer, evaluation.examples, arguments.max_length) if evaluation else None,
        data_collator=PaddingCollator(chat_tokenizer.pad_token_id),
        processing_class=chat_tokenizer,
        callbacks=[callback],
    )


def save_final(arguments: argparse.Namespace, trainer: Any, chat_tokenizer: Any, runtime: Runtime, metrics: dict) -> Path:
    """Adapter + tokenizer to <output-dir>/final, with a run_info.json describing how they were made."""
    final_dir = arguments.output_dir / "final"
    trainer.save_model(str(final_dir))
    chat_tokenizer.save_pretrained(str(final_dir))
    run_info = {
        "base_model": arguments.model, "quantization": runtime.quantization, "trainer": runtime.trainer,
        "precision": runtime.precision, "fallbacks": runtime.fallbacks, "metrics": numeric_fields(metrics),
        "lora": {"r": arguments.lora_r, "alpha": arguments.lora_alpha, "dropout": arguments.lora_dropout, "target_modules": arguments.target_modules},
        "max_length": arguments.max_length, "learning_rate": arguments.learning_rate, "epochs": arguments.epochs,
        "max_steps": arguments.max_steps, "seed": arguments.seed,
    }
    (final_dir / "run_info.json").write_text(json.dumps(run_info, indent=2) + "\n", encoding="utf-8")
    return final_dir


def finish_stopped(writer: ProgressWriter, stop: StopState, step: int | None, arguments: argparse.Namespace) -> int:
    latest = find_latest_checkpoint(arguments.output_dir)
    writer.emit("stopped", step=step, checkpoint=stop.checkpoint, latest_checkpoint=str(latest) if latest else None)
    return EXIT_OK if stop.checkpoint else EXIT_STOPPED_WITHOUT_CHECKPOINT


def train_and_report(arguments, writer, stop, train, evaluation) -> int:
    with LoadingHeartbeat(writer) as loading:
        loading.phase("importing libraries")
        runtime = prepare_runtime(arguments)
        runtime.transformers.set_seed(arguments.seed)
        loading.phase("loading tokenizer")
        chat_tokenizer = load_tokenizer(arguments, runtime)
        loading.phase("loading model")
        model = load_model(arguments, runtime)
        checkpoint, reason = resolve_resume(arguments.resume, arguments.output_dir)
        log(f"resume: {checkpoint or 'none'} ({reason})")
        run_info = {"model": arguments.model, "resumed_from": str(checkpoint) if checkpoint else None, "quantization": runtime.quantization,
                    "trainer": runtime.trainer, "precision": runtime.precision, "fallbacks": runtime.fallbacks}
        callback = progress_callback_class(runtime.transformers.TrainerCallback)(writer, stop, run_info)
        loading.phase("preparing the trainer and data")
        build = build_trl_trainer if runtime.trainer == "trl" else build_plain_trainer
        trainer = build(arguments, runtime, model, chat_tokenizer, train, evaluation, callback)
    result = trainer.train(resume_from_checkpoint=str(checkpoint) if checkpoint else None)
    if stop.announced:
        return finish_stopped(writer, stop, trainer.state.global_step, arguments)
    # A stop that arrived after the last step (or none): the run is complete, save it (quickly) and report done.
    metrics = dict(result.metrics)
    metrics.pop("total_flos", None)
    if evaluation is not None and not stop.requested and callback.last_eval_step != trainer.state.global_step:
        trainer.evaluate()
    metrics.update(callback.last_eval)
    final_dir = save_final(arguments, trainer, chat_tokenizer, runtime, metrics)
    writer.emit("done", step=trainer.state.global_step, output_dir=str(final_dir), **numeric_fields(metrics))
    return EXIT_OK


def run_training(arguments: argparse.Namespace, train: DatasetReport, evaluation: DatasetReport | None) -> int:
    quiet_library_output()
    writer = ProgressWriter(protocol_stream())
    stop = StopState()
    install_stop_handlers(stop)
    try:
        return train_and_report(arguments, writer, stop, train, evaluation)
    except StopRequested:
        writer.emit("stopping", step=None, reason=f"{stop.signal_name} received before training began: nothing to save")
        return finish_stopped(writer, stop, None, arguments)
    except UsageError as error:
        log(f"error: argument {error.argument}: {error}" if error.argument else f"error: {error}")
        return EXIT_INVALID
    except MissingDependencies as error:
        log(f"error: {error}; install them with: pip install -r {Path(__file__).resolve().parent.parent / 'requirements.txt'}")
        return EXIT_ENVIRONMENT
    except Exception:  # noqa: BLE001 - report any crash on stderr, scrubbed, for the job's crash report
        sys.stderr.write(scrub(traceback.format_exc()))
        sys.stderr.flush()
        return EXIT_CRASH


# --------------------------------------------------------------------------------------------------------------
# Entry point
# --------------------------------------------------------------------------------------------------------------


def report_dataset_problems(summary: dict) -> None:
    for problem in summary["problems"]:
        where = f"{problem['file']}:{problem['line']}" if problem.get("line") else problem["file"]
        log(f"error: {where}: {problem['problem']}")
    if summary.get("problems_not_listed"):
        log(f"error: ... and {summary['problems_not_listed']} more problems")
    log("the dataset is invalid: fix it (see --dry-run for a JSON report) and run again")


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    arguments = parse_arguments(argv)
    problems = validate_arguments(arguments)
    if problems:
        report_argument_problems(problems, arguments.dry_run)
        return EXIT_INVALID
    train = read_dataset(arguments.train_file, arguments.max_length)
    evaluation = read_dataset(arguments.eval_file, arguments.max_length) if arguments.eval_file else None
    summary = build_summary(arguments, train, evaluation)
    if arguments.dry_run:
        print(scrub(json.dumps(summary, ensure_ascii=False)), flush=True)
        return EXIT_OK if summary["valid"] else EXIT_INVALID
    if not summary["valid"]:
        report_dataset_problems(summary)
        return EXIT_INVALID
    for warning in summary["warnings"]:
        log(f"warning: {warning['warning']}")
    return run_training(arguments, train, evaluation)


if __name__ == "__main__":
    sys.exit(main())
