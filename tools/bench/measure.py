#!/usr/bin/env python3
"""Run a command several times and record the wall time and peak RSS of each run as JSON.

Usage: measure.py --runs N [--warmup W] [--keep-stdout FILE] --out RESULT.json -- COMMAND...

The wall time is time.perf_counter() around the whole process. The peak
resident set size is ru_maxrss of the child from os.wait4, the field GNU time
prints as %M, in KiB. When the command prints one JSON line (tools/bench/peers.py
does), each run's parsed line is kept under "outputs".
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import time


def run_once(command, keep_stdout):
    """Run the command and return (seconds, peak RSS in KiB, stdout bytes)."""
    started = time.perf_counter()
    child = subprocess.Popen(command, stdout=subprocess.PIPE)
    stdout = child.stdout.read()
    child.stdout.close()
    _, status, usage = os.wait4(child.pid, 0)
    seconds = time.perf_counter() - started
    code = os.waitstatus_to_exitcode(status)
    if code != 0:
        sys.exit(f"measure.py: {' '.join(command)} failed with exit status {code}")
    if keep_stdout:
        with open(keep_stdout, "wb") as output:
            output.write(stdout)
    return seconds, usage.ru_maxrss, stdout


def parse_json_line(stdout):
    """Return the last line of stdout as JSON, or None when it is not JSON."""
    lines = stdout.decode("utf-8", errors="replace").strip().splitlines()
    if not lines:
        return None
    try:
        return json.loads(lines[-1])
    except json.JSONDecodeError:
        return None


def main():
    parser = argparse.ArgumentParser(description=__doc__.strip().splitlines()[0])
    parser.add_argument("--runs", type=int, required=True, help="timed runs")
    parser.add_argument("--warmup", type=int, default=0, help="untimed runs before the timed ones (default 0)")
    parser.add_argument("--keep-stdout", help="file for the standard output of the last run")
    parser.add_argument("--out", required=True, help="JSON file for the results")
    parser.add_argument("command", nargs="+")
    arguments = parser.parse_args()
    if arguments.runs < 1 or arguments.warmup < 0:
        sys.exit(f"measure.py: --runs {arguments.runs} --warmup {arguments.warmup} is invalid. Use --runs 1 or more.")

    for _ in range(arguments.warmup):
        run_once(arguments.command, None)
    seconds, peaks, outputs = [], [], []
    for run in range(1, arguments.runs + 1):
        elapsed, peak_kib, stdout = run_once(arguments.command, arguments.keep_stdout)
        seconds.append(elapsed)
        peaks.append(peak_kib)
        outputs.append(parse_json_line(stdout))
        print(f"measure: run {run}/{arguments.runs}: {elapsed:.3f} s, peak RSS {peak_kib / 1024:.1f} MiB", file=sys.stderr)

    result = {
        "command": arguments.command,
        "warmup": arguments.warmup,
        "seconds": seconds,
        "median_seconds": statistics.median(seconds),
        "peak_rss_kib": peaks,
        "median_peak_rss_kib": statistics.median(peaks),
        "outputs": outputs,
    }
    with open(arguments.out, "w") as output:
        json.dump(result, output, indent=2, default=str)


if __name__ == "__main__":
    main()
