#!/usr/bin/env bash
# Regenerates the fixtures named real-*.txt by running genuine Python 3.11 scripts and capturing stderr.
# The other fixtures are hand-written from library output (transformers, trl, torch, datasets, accelerate).
# Usage: bash test/failures/tracebacks/generate-real-fixtures.sh   (from the repository root)
# Paths inside the fixtures point at /tmp/mux-swarm-tracebacks/project, where the scripts are written.
set -u
out="$(cd "$(dirname "$0")" && pwd)"
project=/tmp/mux-swarm-tracebacks/project
rm -rf "$project" && mkdir -p "$project" && cd "$project" || exit 1

capture() { # capture NAME COMMAND...: stderr of COMMAND into real-NAME.txt
  local name=$1; shift
  "$@" 2>"$out/real-$name.txt" >/dev/null
  echo "real-$name.txt: exit $?"
}

# A ValueError raised from a json.JSONDecodeError ("The above exception was the direct cause ...").
cat >config_loader.py <<'EOF'
import json
from pathlib import Path


def load_config(path):
    text = Path(path).read_text()
    try:
        return json.loads(text)
    except json.JSONDecodeError as error:
        raise ValueError(f"could not read {path}: the file is not valid JSON") from error
EOF
printf '{"learning_rate": 2e-5, "epochs": 3,}\n' >config.json
cat >train_config.py <<'EOF'
from config_loader import load_config


def main():
    config = load_config("config.json")
    print(config["learning_rate"])


if __name__ == "__main__":
    main()
EOF
capture chained-direct-cause python3 train_config.py

# An AttributeError raised while handling a KeyError ("During handling of the above exception ...").
cat >labels.py <<'EOF'
LABELS = {"positive": 1, "negative": 0}


def lookup_label(labels, name):
    try:
        return labels[name]
    except KeyError:
        return labels.default_label


for name in ["positive", "neutral"]:
    print(lookup_label(LABELS, name))
EOF
capture chained-during-handling python3 labels.py

# SyntaxError in the main script: no "Traceback" header, a location line without a function.
cat >syntax_main.py <<'EOF'
import json

config = dict(learning_rate=2e-5, epochs=3
print(json.dumps(config))
EOF
capture syntax-error python3 syntax_main.py

# SyntaxError in an imported module: a traceback whose last frame is the location line.
cat >legacy_utils.py <<'EOF'
def report(step, loss):
    print "step %d loss %.4f" % (step, loss)
EOF
cat >import_legacy.py <<'EOF'
from legacy_utils import report

report(1, 0.5)
EOF
capture syntax-error-in-import python3 import_legacy.py

# IndentationError.
cat >indentation.py <<'EOF'
def train(steps):
    for step in range(steps):
    print(step)
EOF
capture indentation-error python3 indentation.py

# KeyboardInterrupt (no message) from SIGINT while the script sleeps.
cat >interrupted.py <<'EOF'
import signal
import sys
import time

signal.signal(signal.SIGINT, signal.default_int_handler)


def train_epoch(epoch):
    for step in range(1000):
        time.sleep(0.05)


for epoch in range(3):
    print(f"epoch {epoch}", file=sys.stderr, flush=True)
    train_epoch(epoch)
EOF
python3 interrupted.py 2>"$out/real-keyboard-interrupt.txt" >/dev/null &
pid=$!
sleep 1.5
kill -INT "$pid"
wait "$pid"
echo "real-keyboard-interrupt.txt: exit $?"

# AssertionError without a message.
cat >collate.py <<'EOF'
def collate(examples, batch_size):
    batch = [example["input_ids"] for example in examples]
    assert len(batch) == batch_size
    return batch


examples = [{"input_ids": [1, 2, 3]} for _ in range(7)]
collate(examples, batch_size=8)
EOF
capture assertion-no-message python3 collate.py

# ExceptionGroup from asyncio.TaskGroup, with a chained sub-exception and a nested group.
cat >download_shards.py <<'EOF'
import asyncio


async def download_shard(index):
    await asyncio.sleep(0)
    if index == 1:
        raise ValueError(f"shard {index} has a bad checksum")
    if index == 2:
        try:
            {}["etag"]
        except KeyError as error:
            raise RuntimeError(f"shard {index} has no etag") from error
    if index == 3:
        raise ExceptionGroup("mirror failures", [ConnectionError("mirror-a refused"), TimeoutError("mirror-b timed out")])


async def main():
    async with asyncio.TaskGroup() as group:
        for index in range(4):
            group.create_task(download_shard(index))


asyncio.run(main())
EOF
capture exception-group python3 download_shards.py

# multiprocessing.Pool: RemoteTraceback of the worker, then the parent's traceback.
cat >tokenize_shards.py <<'EOF'
from multiprocessing import Pool


def count_tokens(path):
    with open(path) as handle:
        return sum(len(line.split()) for line in handle)


if __name__ == "__main__":
    with Pool(2) as pool:
        print(pool.map(count_tokens, ["shard-0.jsonl"]))
EOF
capture remote-traceback python3 tokenize_shards.py

# concurrent.futures.ProcessPoolExecutor: _RemoteTraceback, then the parent's traceback.
cat >score_shards.py <<'EOF'
from concurrent.futures import ProcessPoolExecutor


def score(values):
    return sum(values) / len(values)


if __name__ == "__main__":
    with ProcessPoolExecutor(max_workers=2) as executor:
        print(list(executor.map(score, [[1, 2], []])))
EOF
capture process-pool-remote-traceback python3 score_shards.py

# Fine-grained error locations (~~~^^^) and add_note lines after the message.
cat >loss_scale.py <<'EOF'
def loss_scale(token_counts, step):
    return token_counts[step] / token_counts[step - 1]


def train(token_counts):
    for step in range(1, len(token_counts)):
        try:
            loss_scale(token_counts, step)
        except ZeroDivisionError as error:
            error.add_note(f"while scaling the loss of step {step}")
            error.add_note("hint: a batch had no tokens")
            raise


train([512, 0, 128])
EOF
capture notes-and-fine-grained-locations python3 loss_scale.py

# Frames from `python3 -c`: File "<string>" without code lines, then stdlib frames with code.
capture string-frames python3 -c 'import json
def parse(text):
    return json.loads(text)
parse("{\"learning_rate\": }")'

# Frames from a script read on stdin: File "<stdin>".
capture stdin-frames python3 - <<'EOF'
import os


def read_token():
    return os.environ["HF_TOKEN"]


read_token()
EOF

# RecursionError with "[Previous line repeated N more times]".
cat >flatten.py <<'EOF'
def count_leaves(tree):
    if isinstance(tree, list):
        return count_leaves(tree[0]) if len(tree) == 1 else sum(count_leaves(child) for child in tree)
    return 1


tree = []
tree.append(tree)
count_leaves(tree)
EOF
capture recursion-error python3 flatten.py

# ModuleNotFoundError after a few warnings.
cat >train_qlora.py <<'EOF'
import warnings

warnings.warn("TRANSFORMERS_CACHE is deprecated and will be removed in v5 of Transformers. Use HF_HOME instead.", FutureWarning)
import bitsandbytes as bnb

print(bnb.__version__)
EOF
capture module-not-found python3 train_qlora.py

# The fatal traceback, then "Exception ignored in" from a __del__ at shutdown.
cat >checkpoint_writer.py <<'EOF'
class CheckpointWriter:
    def __init__(self, path):
        self.path = path

    def __del__(self):
        self.handle.close()


def save(writer, step):
    raise PermissionError(f"[Errno 13] Permission denied: '{writer.path}/step-{step}.safetensors'")


writer = CheckpointWriter("/checkpoints/run-7")
save(writer, 500)
EOF
capture exception-ignored-after-crash python3 checkpoint_writer.py

# Progress bars redrawn with \r and ANSI colours on stderr; the traceback starts on the bar's line.
cat >progress.py <<'EOF'
import sys
import time

YELLOW, RESET = "\x1b[33m", "\x1b[0m"
print(f"{YELLOW}warning:{RESET} gradient checkpointing is on; use_cache=True is incompatible", file=sys.stderr)


def evaluate(batches):
    total = len(batches)
    for index, batch in enumerate(batches, start=1):
        filled = "\u2588" * (index * 10 // total)
        sys.stderr.write(f"\r\x1b[32mEvaluating\x1b[0m: {index * 100 // total:3d}%|{filled:<10}| {index}/{total} [00:0{index}<00:00, 4.12it/s]")
        sys.stderr.flush()
        time.sleep(0.01)
        batch["labels"]


evaluate([{"labels": [1]}, {"labels": [0]}, {"label": [1]}, {"labels": [1]}])
EOF
capture progress-bars-and-ansi python3 progress.py

# Timestamped log lines written after the traceback (an atexit handler that logs).
cat >logged_shutdown.py <<'EOF'
import atexit
import logging

logging.basicConfig(format="%(asctime)s %(levelname)s %(name)s: %(message)s", level=logging.INFO)
log = logging.getLogger("trainer")
atexit.register(lambda: log.info("flushing metrics to metrics.jsonl"))
atexit.register(lambda: log.warning("run ended before the final checkpoint"))

log.info("starting run with 3 epochs")
steps_per_epoch = int("12.5")
EOF
capture logs-after-traceback python3 logged_shutdown.py

# A handled exception logged with logger.exception, then the fatal one: the last one counts.
cat >retry_download.py <<'EOF'
import logging

logging.basicConfig(format="%(levelname)s:%(name)s:%(message)s")
log = logging.getLogger("download")


def fetch(url):
    raise ConnectionResetError(104, "Connection reset by peer")


try:
    fetch("https://example.org/shard-0.parquet")
except ConnectionResetError:
    log.exception("download failed, retrying once")

shards = {"train": ["shard-0.parquet"]}
print(shards["validation"][0])
EOF
capture two-tracebacks python3 retry_download.py

# A segmentation fault reported by faulthandler: no Python exception at all.
capture faulthandler-segfault python3 -X faulthandler -c 'import ctypes
def read_pointer():
    return ctypes.string_at(0)
read_pointer()'

# An exception group with more sub-exceptions than Python prints ("and 5 more exceptions").
cat >validate_rows.py <<'EOF'
def validate(rows):
    errors = [ValueError(f"row {index}: empty prompt") for index, row in enumerate(rows) if not row]
    if errors:
        raise ExceptionGroup("invalid rows", errors)


validate([""] * 20)
EOF
capture exception-group-truncated python3 validate_rows.py

# Exception groups in a chain ("During handling …") and a group nested in a group.
cat >group_chain.py <<'EOF'
def load_adapters():
    try:
        {}["lora"]
    except KeyError:
        raise ExceptionGroup("adapter loading failed", [FileNotFoundError("adapter_model.safetensors")])


try:
    load_adapters()
except Exception as error:
    raise ExceptionGroup("setup failed", [error, TypeError("unsupported dtype bfloat16")])
EOF
capture exception-group-chained python3 group_chain.py

# A worker thread dies after the main thread's fatal exception: the main one ended the process.
cat >thread_after_crash.py <<'EOF'
import threading
import time


def upload_metrics():
    time.sleep(0.2)
    raise ConnectionError("metrics server at localhost:9090 refused the connection")


threading.Thread(target=upload_metrics, name="metrics-uploader").start()
checkpoint = {"step": 120}
print(checkpoint["optimizer"])
EOF
capture thread-exception-after-crash python3 thread_after_crash.py

# A cause that was never raised: printed as a bare `Type: message` line without a traceback.
cat >validate_config.py <<'EOF'
def check(config):
    if config["learning_rate"] <= 0:
        raise RuntimeError("training aborted before the first step") from ValueError(
            f"learning_rate must be positive, got {config['learning_rate']}"
        )


check({"learning_rate": -0.001})
EOF
capture cause-without-traceback python3 validate_config.py
