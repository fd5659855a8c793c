#!/usr/bin/env python3
"""Samples the GPUs and prints one JSON line per sample, with the anomalies found in it.

Standard library only. NVIDIA through `nvidia-smi --query-gpu=... --format=csv,noheader,nounits -l N`,
AMD through `rocm-smi ... --json` (polled). Anomalies: memory above a threshold, temperature above a
threshold, utilisation at 0 % for a long time (a stalled or CPU-bound job), power cap / thermal / hardware
slowdown (NVIDIA clock event reasons), uncorrected ECC errors, and new Xid / amdgpu error lines in dmesg when
the kernel log is readable.

    python3 gpu_watch.py --once                      # one sample, then exit
    python3 gpu_watch.py --interval 30 --pid 1234    # until process 1234 ends
    python3 gpu_watch.py --interval 30 --count 20 --anomalies-only

Exit codes: 0 done, 1 the GPU tool failed while watching, 2 no GPU tool (no GPU visible) or bad arguments.
"""

import argparse
import datetime
import json
import os
import re
import shutil
import subprocess
import sys
import time

# Name last: a comma in it cannot shift the other columns.
NVIDIA_FIELDS = [
    "index",
    "memory.total",
    "memory.used",
    "utilization.gpu",
    "temperature.gpu",
    "power.draw",
    "power.limit",
    "clocks_event_reasons.active",
    "ecc.errors.uncorrected.volatile.total",
    "name",
]
# Older drivers call it clocks_throttle_reasons; some GPUs have no ECC. Fields are dropped in this order
# until the query is accepted.
OPTIONAL_FIELD_FALLBACKS = [
    ("clocks_event_reasons.active", "clocks_throttle_reasons.active"),
    ("clocks_throttle_reasons.active", None),
    ("ecc.errors.uncorrected.volatile.total", None),
    ("power.limit", None),
]

# Bits of clocks_event_reasons.active (nvml's clocksEventReasons).
SW_POWER_CAP = 0x4
HW_SLOWDOWN = 0x8
SW_THERMAL_SLOWDOWN = 0x20
HW_THERMAL_SLOWDOWN = 0x40
HW_POWER_BRAKE_SLOWDOWN = 0x80

DMESG_PATTERN = re.compile(r"NVRM: Xid|amdgpu.*(?:reset|timeout|fault|hang)|GPU has fallen off the bus", re.IGNORECASE)


def now():
    return datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds")


def emit(record):
    print(json.dumps(record), flush=True)


def number(text):
    """A number from nvidia-smi / rocm-smi text, or None for [N/A], [Not Supported], empty."""
    if text is None:
        return None
    text = str(text).strip()
    if text.lower().startswith("0x"):
        try:
            return int(text, 16)
        except ValueError:
            return None
    try:
        value = float(text)
    except ValueError:
        return None
    return int(value) if value.is_integer() else value


# ---------------------------------------------------------------- NVIDIA


def nvidia_query(fields):
    return ["nvidia-smi", "--query-gpu=" + ",".join(fields), "--format=csv,noheader,nounits"]


def nvidia_parse_line(fields, line):
    parts = [part.strip() for part in line.split(",")]
    if len(parts) < len(fields):
        return None
    # Everything past the last-but-one field belongs to the name.
    values = parts[: len(fields) - 1] + [", ".join(parts[len(fields) - 1 :])]
    raw = dict(zip(fields, values))
    gpu = {
        "index": number(raw.get("index")),
        "name": raw.get("name"),
        "memory_total_mib": number(raw.get("memory.total")),
        "memory_used_mib": number(raw.get("memory.used")),
        "utilization_pct": number(raw.get("utilization.gpu")),
        "temperature_c": number(raw.get("temperature.gpu")),
        "power_w": number(raw.get("power.draw")),
        "power_limit_w": number(raw.get("power.limit")),
    }
    reasons = raw.get("clocks_event_reasons.active", raw.get("clocks_throttle_reasons.active"))
    if reasons is not None:
        gpu["clock_event_reasons"] = number(reasons)
    if "ecc.errors.uncorrected.volatile.total" in raw:
        gpu["ecc_uncorrected"] = number(raw["ecc.errors.uncorrected.volatile.total"])
    return gpu


def nvidia_probe():
    """The accepted field list and one sample of every GPU, or raises RuntimeError."""
    fields = list(NVIDIA_FIELDS)
    last_error = ""
    for _ in range(len(OPTIONAL_FIELD_FALLBACKS) + 1):
        result = subprocess.run(nvidia_query(fields), capture_output=True, text=True, timeout=60)
        if result.returncode == 0:
            gpus = [gpu for gpu in (nvidia_parse_line(fields, line) for line in result.stdout.splitlines() if line.strip()) if gpu]
            return fields, gpus
        last_error = (result.stderr or result.stdout).strip()
        for field, replacement in OPTIONAL_FIELD_FALLBACKS:
            if field in fields:
                position = fields.index(field)
                if replacement:
                    fields[position] = replacement
                else:
                    del fields[position]
                break
    raise RuntimeError("nvidia-smi failed: " + last_error[-500:])


def nvidia_samples(fields, interval, gpu_count):
    """Yields lists of GPU readings, one list per interval, from one `nvidia-smi -l` process."""
    process = subprocess.Popen(nvidia_query(fields) + ["-l", str(interval)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    group = []
    try:
        for line in process.stdout:
            gpu = nvidia_parse_line(fields, line)
            if gpu is None:
                continue
            group.append(gpu)
            if len(group) >= gpu_count:
                yield group
                group = []
    finally:
        process.terminate()
        try:
            process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            process.kill()
    raise RuntimeError("nvidia-smi -l stopped: " + (process.stderr.read() or "").strip()[-500:])


# ---------------------------------------------------------------- ROCm


def rocm_value(card, *needles, exclude=None):
    """The first value whose key contains every needle (case-insensitive): rocm-smi keys vary by version."""
    for key, value in card.items():
        lowered = key.lower()
        if all(needle in lowered for needle in needles) and not (exclude and exclude in lowered):
            return value
    return None


def rocm_sample():
    command = ["rocm-smi", "--showproductname", "--showuse", "--showmeminfo", "vram", "--showtemp", "--showpower", "--showmaxpower", "--json"]
    result = subprocess.run(command, capture_output=True, text=True, timeout=60)
    if result.returncode != 0:
        raise RuntimeError("rocm-smi failed: " + (result.stderr or result.stdout).strip()[-500:])
    data = json.loads(result.stdout)
    gpus = []
    for key in sorted((key for key in data if key.startswith("card")), key=lambda key: int(re.sub(r"\D", "", key) or 0)):
        card = data[key]
        total = number(rocm_value(card, "vram total memory"))
        used = number(rocm_value(card, "vram total used"))
        temperature = number(rocm_value(card, "temperature", "junction")) or number(rocm_value(card, "temperature", "edge"))
        gpus.append(
            {
                "index": int(re.sub(r"\D", "", key) or 0),
                "name": rocm_value(card, "card series") or rocm_value(card, "device name") or rocm_value(card, "card sku"),
                "memory_total_mib": round(total / 1048576) if total is not None else None,
                "memory_used_mib": round(used / 1048576) if used is not None else None,
                "utilization_pct": number(rocm_value(card, "gpu use")),
                "temperature_c": temperature,
                "power_w": number(rocm_value(card, "package power", exclude="max")),
                "power_limit_w": number(rocm_value(card, "max", "power")),
            }
        )
    return gpus


# ---------------------------------------------------------------- anomalies


class Watcher:
    def __init__(self, options):
        self.options = options
        self.idle_since = {}
        self.ecc_at_start = {}
        self.seen_dmesg = None  # the set of lines already reported; None until the first read
        self.dmesg_readable = True

    def anomalies(self, gpus, at):
        options = self.options
        found = []
        for gpu in gpus:
            index = gpu.get("index")
            if options.gpus and index not in options.gpus:
                continue
            total, used = gpu.get("memory_total_mib"), gpu.get("memory_used_mib")
            if total and used is not None:
                percent = 100.0 * used / total
                gpu["memory_pct"] = round(percent, 1)
                if percent > options.memory_percent:
                    found.append({"gpu": index, "kind": "memory_high", "severity": "warning", "detail": f"{used}/{total} MiB ({percent:.1f} %) > {options.memory_percent} %: an OOM is close"})
            temperature = gpu.get("temperature_c")
            if temperature is not None and temperature > options.temperature:
                found.append({"gpu": index, "kind": "temperature_high", "severity": "warning", "detail": f"{temperature} C > {options.temperature} C: expect thermal throttling"})
            utilization = gpu.get("utilization_pct")
            if utilization is not None and options.idle_seconds > 0:
                if utilization <= options.idle_percent:
                    since = self.idle_since.setdefault(index, at)
                    if at - since >= options.idle_seconds:
                        found.append({"gpu": index, "kind": "idle_while_running", "severity": "warning", "detail": f"utilisation {utilization} % for {int(at - since)} s while a job should be running: stalled, CPU-bound, or not on this GPU"})
                else:
                    self.idle_since.pop(index, None)
            reasons = gpu.get("clock_event_reasons")
            if isinstance(reasons, int):
                if reasons & (SW_THERMAL_SLOWDOWN | HW_THERMAL_SLOWDOWN):
                    found.append({"gpu": index, "kind": "thermal_throttle", "severity": "warning", "detail": f"clock event reasons {reasons:#x}: clocks lowered for temperature"})
                if reasons & (HW_SLOWDOWN | HW_POWER_BRAKE_SLOWDOWN):
                    found.append({"gpu": index, "kind": "hw_slowdown", "severity": "warning", "detail": f"clock event reasons {reasons:#x}: hardware slowdown (power brake or overheating)"})
                if reasons & SW_POWER_CAP:
                    found.append({"gpu": index, "kind": "power_capped", "severity": "info", "detail": f"drawing {gpu.get('power_w')} W of {gpu.get('power_limit_w')} W: at the power cap (normal at full load; matters if throughput drops)"})
            ecc = gpu.get("ecc_uncorrected")
            if isinstance(ecc, int):
                start = self.ecc_at_start.setdefault(index, ecc)
                if ecc > 0:
                    found.append({"gpu": index, "kind": "ecc_errors", "severity": "critical", "detail": f"{ecc} uncorrected ECC errors ({ecc - start} new while watching): results may be corrupt; the GPU may need a reset"})
        found.extend(self.dmesg_anomalies())
        return found

    def dmesg_anomalies(self):
        if not self.options.dmesg or not self.dmesg_readable:
            return []
        try:
            result = subprocess.run(["dmesg"], capture_output=True, text=True, timeout=10)
        except (OSError, subprocess.TimeoutExpired):
            self.dmesg_readable = False
            return []
        if result.returncode != 0:
            self.dmesg_readable = False  # usually "Operation not permitted": not root
            return []
        lines = [line for line in result.stdout.splitlines() if DMESG_PATTERN.search(line)]
        first_read = self.seen_dmesg is None
        seen = self.seen_dmesg or set()
        new = [line for line in lines if line not in seen]
        self.seen_dmesg = seen | set(new)
        if first_read:
            # Old lines are reported once, as history: they may predate this job.
            return [{"gpu": None, "kind": "kernel_gpu_error", "severity": "info", "detail": f"{len(new)} GPU error lines already in dmesg, last: {new[-1].strip()}"}] if new else []
        return [{"gpu": None, "kind": "kernel_gpu_error", "severity": "critical", "detail": line.strip()} for line in new[-10:]]


# ---------------------------------------------------------------- main


def process_alive(pid):
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def parse_arguments(argv):
    parser = argparse.ArgumentParser(description="Sample the GPUs and print JSON lines with anomalies.")
    parser.add_argument("--interval", type=int, default=30, help="seconds between samples (default 30)")
    parser.add_argument("--count", type=int, default=0, help="stop after this many samples (default: no limit)")
    parser.add_argument("--once", action="store_true", help="one sample, then exit (same as --count 1)")
    parser.add_argument("--pid", type=int, help="stop when this process (the training job) ends")
    parser.add_argument("--gpus", type=lambda text: [int(part) for part in text.split(",") if part], default=[], help="only these GPU indexes, e.g. 0,1")
    parser.add_argument("--memory-percent", type=float, default=95.0, help="memory anomaly above this percentage (default 95)")
    parser.add_argument("--temperature", type=float, default=85.0, help="temperature anomaly above this, C (default 85)")
    parser.add_argument("--idle-seconds", type=int, default=600, help="utilisation at or below --idle-percent for this long is an anomaly; 0 turns it off (default 600)")
    parser.add_argument("--idle-percent", type=float, default=0.0, help="see --idle-seconds (default 0)")
    parser.add_argument("--no-dmesg", dest="dmesg", action="store_false", help="do not read the kernel log")
    parser.add_argument("--anomalies-only", action="store_true", help="print only samples that have anomalies")
    options = parser.parse_args(argv)
    if options.once:
        options.count = 1
    if options.interval < 1:
        parser.error("--interval must be at least 1 second")
    return options


def main(argv=None):
    options = parse_arguments(sys.argv[1:] if argv is None else argv)
    watcher = Watcher(options)
    if shutil.which("nvidia-smi"):
        backend = "nvidia"
    elif shutil.which("rocm-smi"):
        backend = "rocm"
    else:
        emit({"event": "error", "time": now(), "reason": "neither nvidia-smi nor rocm-smi is on the PATH: no GPU is visible to this process"})
        return 2

    def report(gpus):
        anomalies = watcher.anomalies(gpus, time.monotonic())
        if anomalies or not options.anomalies_only:
            emit({"event": "sample", "time": now(), "backend": backend, "gpus": gpus, "anomalies": anomalies})

    try:
        if backend == "nvidia":
            fields, gpus = nvidia_probe()
            if not gpus:
                emit({"event": "error", "time": now(), "reason": "nvidia-smi lists no GPU"})
                return 2
            if options.count == 1:
                report(gpus)
                return 0
            stream = nvidia_samples(fields, options.interval, len(gpus))
        else:
            stream = None
        samples = 0
        while options.count == 0 or samples < options.count:
            if options.pid is not None and not process_alive(options.pid):
                emit({"event": "end", "time": now(), "reason": f"process {options.pid} ended"})
                return 0
            if stream is not None:
                gpus = next(stream)
            else:
                if samples > 0:
                    time.sleep(options.interval)
                gpus = rocm_sample()
            report(gpus)
            samples += 1
    except (RuntimeError, OSError, ValueError, subprocess.TimeoutExpired) as error:
        emit({"event": "error", "time": now(), "backend": backend, "reason": str(error)})
        return 1
    except KeyboardInterrupt:
        return 0
    return 0


if __name__ == "__main__":
    sys.exit(main())
