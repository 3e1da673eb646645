#!/usr/bin/env python3
"""Write docs/BENCHMARKS.md (to stdout) from the results in bench-out/.

Usage: python3 tools/bench/report.py OUT_DIR RUNS SEED "ANALYZE FLAGS"
"""

import json
import os
import platform
import shutil
import subprocess
import sys
from datetime import datetime, timezone
from pathlib import Path


def command_output(*command):
    if shutil.which(command[0]) is None:
        return "not installed"
    result = subprocess.run(command, capture_output=True, text=True, check=False)
    return (result.stdout or result.stderr).strip().splitlines()[0]


def cpu_model():
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            return line.split(":", 1)[1].strip()
    return platform.processor() or "unknown"


def memory_gib():
    for line in Path("/proc/meminfo").read_text().splitlines():
        if line.startswith("MemTotal:"):
            return f"{int(line.split()[1]) / 1024 / 1024:.0f} GiB"
    return "unknown"


def os_name():
    for line in Path("/etc/os-release").read_text().splitlines():
        if line.startswith("PRETTY_NAME="):
            return line.split("=", 1)[1].strip('"')
    return platform.platform()


def events_per_second(events, seconds):
    return f"{events / seconds:,.0f}"


def main(out_dir, runs, seed, analyze_flags):
    out = Path(out_dir)
    browser = json.loads((out / "browser.json").read_text())
    if shutil.which("hyperfine"):
        native_tool = f"{command_output('hyperfine', '--version')}, 1 warm-up run"
        native_command = f"hyperfine --warmup 1 --runs {runs} 'pathlight analyze FILE {analyze_flags}'"
    else:
        native_tool = f"{runs} runs timed with `date +%s%N`, because hyperfine was not installed"
        native_command = f"pathlight analyze FILE {analyze_flags}   # {runs} times, timed with date"

    lines = [
        "# Benchmarks",
        "",
        "Throughput of the engine on generated web journeys (`src/synth.rs`: six channels, blog,",
        "pricing, sign-up and checkout pages, about 10 events per person with a long tail).",
        f"Each figure is the median of {runs} runs. Produced by `make bench` (tools/bench.sh);",
        "the numbers describe this machine only.",
        "",
        "| input | events | file size | native CLI, median | native events/s | wasm in a Worker, median | wasm events/s |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for entry in browser["files"]:
        name = entry["file"].removesuffix(".csv")
        native = json.loads((out / f"native-{name}.json").read_text())["results"][0]
        native_seconds = native["median"]
        wasm_seconds = entry["medians"]["total_ms"] / 1000
        lines.append(
            f"| {entry['file']} | {entry['events']:,} | {entry['bytes'] / 1e6:.1f} MB "
            f"| {native_seconds:.3f} s | {events_per_second(entry['events'], native_seconds)} "
            f"| {wasm_seconds:.3f} s | {events_per_second(entry['events'], wasm_seconds)} |"
        )

    lines += [""]
    for entry in browser["files"]:
        name = entry["file"].removesuffix(".csv")
        native_report = json.loads((out / f"native-{name}-report.json").read_text())
        native_funnel = [step["people"] for step in native_report["funnel"]["steps"]]
        wasm_funnel = entry["runs"][0]["funnel_people"]
        verdict = "the same" if native_funnel == wasm_funnel else "DIFFERENT"
        lines.append(
            f"Funnel people on {entry['file']}: native {native_funnel}, wasm {wasm_funnel} ({verdict})."
        )

    lines += [
        "",
        "The native time is the whole process: reading the file, parsing, building journeys,",
        "analyzing and printing the JSON report. The wasm time starts once the bytes are in the",
        "worker and the module is initialized: pushing the bytes in 4 MiB slices, `finishFile`,",
        "`load` and `analyze`. The wasm module is built without wasm-opt, because Debian's",
        "binaryen 108 breaks wasm-bindgen's externref table. Medians of each phase in the",
        "browser, taken separately, so they need not add up to the total median:",
        "",
        "| input | read and inspect | load | analyze |",
        "| --- | ---: | ---: | ---: |",
    ]
    for entry in browser["files"]:
        medians = entry["medians"]
        lines.append(
            f"| {entry['file']} | {medians['read_ms']:.0f} ms | {medians['load_ms']:.0f} ms "
            f"| {medians['analyze_ms']:.0f} ms |"
        )

    lines += [
        "",
        "## Machine",
        "",
        f"- CPU: {cpu_model()}, {os.cpu_count()} cores (`nproc`: {command_output('nproc')})",
        f"- Memory: {memory_gib()}",
        "- Load average over 1, 5 and 15 minutes when the report was written: "
        + ", ".join(f"{load:.2f}" for load in os.getloadavg())
        + " (other work on the machine slows the runs)",
        f"- OS: {os_name()}",
        f"- {command_output('rustc', '--version')}",
        f"- Node {command_output('node', '--version')}, {browser['browser']} (headless, Debian package)",
        f"- Native timing: {native_tool}",
        f"- Date: {datetime.now(timezone.utc).strftime('%Y-%m-%d')}",
        "",
        "## Commands",
        "",
        "```sh",
        "make bench   # runs scripts/setup.sh --bench, then tools/bench.sh",
        f"pathlight generate --people 10200 --seed {seed} > bench-out/journeys-100k.csv",
        f"pathlight generate --people 102000 --seed {seed} > bench-out/journeys-1m.csv",
        native_command,
        f"node tools/bench/run.mjs --runs {runs} --out bench-out/browser.json bench-out/journeys-100k.csv bench-out/journeys-1m.csv",
        "```",
        "",
        "Speed targets belong here, not in the tests: no test asserts a duration.",
    ]
    print("\n".join(lines))


if __name__ == "__main__":
    if len(sys.argv) != 5:
        raise SystemExit(__doc__.strip().splitlines()[-1])
    main(*sys.argv[1:])
