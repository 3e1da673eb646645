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


def mebibytes(size_bytes):
    return f"{size_bytes / 2**20:.1f} MiB"


def bytes_per_event(size_bytes, events):
    return f"{size_bytes / events:,.0f}"


def memory_rows(out, browser):
    """Return one dict per input with the events, the native median peak RSS and the
    wasm memory medians, all in bytes. The worker heap is None when it was not measured."""
    rows = []
    for entry in browser["files"]:
        name = entry["file"].removesuffix(".csv")
        native = json.loads((out / f"native-{name}-memory.json").read_text())
        rows.append(
            {
                "file": entry["file"],
                "events": entry["events"],
                "native_tool": native["tool"],
                "native_peak": native["median_kib"] * 1024,
                "wasm": entry["medians"]["wasm_memory_bytes"],
                "worker_heap": entry["medians"]["worker_heap_used_bytes"],
                "worker_heap_samples": entry["medians"]["worker_heap_samples"],
            }
        )
    return rows


def memory_section(rows, runs):
    """Return the lines of the memory section: the table, the cost per added event, the
    wasm memory by phase and what each number measures."""
    lines = [
        "## Memory",
        "",
        f"Medians over {runs} runs per input, measured in the same `make bench` as the timings.",
        "Bytes per event is the median peak divided by the number of events.",
        "",
        "| input | events | native peak RSS, median | native bytes/event | wasm memory peak, median | wasm bytes/event |",
        "| --- | ---: | ---: | ---: | ---: | ---: |",
    ]
    for row in rows:
        wasm_peak = row["wasm"]["analyze"]
        lines.append(
            f"| {row['file']} | {row['events']:,} | {mebibytes(row['native_peak'])} "
            f"| {bytes_per_event(row['native_peak'], row['events'])} "
            f"| {mebibytes(wasm_peak)} | {bytes_per_event(wasm_peak, row['events'])} |"
        )

    # The difference between the first and the last input leaves out the fixed
    # cost of the process or the module, which the plain ratio above includes.
    if len(rows) >= 2 and rows[-1]["events"] != rows[0]["events"]:
        small, large = rows[0], rows[-1]
        added_events = large["events"] - small["events"]
        native_marginal = (large["native_peak"] - small["native_peak"]) / added_events
        wasm_marginal = (large["wasm"]["analyze"] - small["wasm"]["analyze"]) / added_events
        lines += [
            "",
            f"From {small['file']} to {large['file']} each added event costs about "
            f"{native_marginal:,.0f} bytes natively and {wasm_marginal:,.0f} bytes of wasm memory. "
            "This difference leaves out the fixed cost that the ratios in the table include.",
        ]

    lines += [
        "",
        "Size of the wasm linear memory after each phase of a run, and the worker's JS heap:",
        "",
        "| input | after init | after read and inspect | after load | after analyze | worker JS heap after the run |",
        "| --- | ---: | ---: | ---: | ---: | ---: |",
    ]
    for row in rows:
        wasm = row["wasm"]
        if row["worker_heap"] is None:
            heap = "not measured"
        elif row["worker_heap_samples"] < runs:
            heap = f"{mebibytes(row['worker_heap'])} ({row['worker_heap_samples']} of {runs} runs)"
        else:
            heap = mebibytes(row["worker_heap"])
        lines.append(
            f"| {row['file']} | {mebibytes(wasm['init'])} | {mebibytes(wasm['read'])} "
            f"| {mebibytes(wasm['load'])} | {mebibytes(wasm['analyze'])} | {heap} |"
        )

    if all(row["wasm"]["load"] == row["wasm"]["read"] == row["wasm"]["analyze"] for row in rows):
        lines += [
            "",
            "On these inputs the wasm memory does not grow after read and inspect: load and analyze",
            "fit in the space that the allocator already holds, so reading sets the peak.",
        ]

    native_tool = rows[0]["native_tool"]
    lines += [
        "",
        "What each number measures:",
        "",
        "- **Native peak RSS** is the maximum resident set size of the whole `pathlight analyze` "
        f"process, in {runs} runs per input separate from the timed ones. The number is `ru_maxrss` "
        f"from `wait4`, read with {native_tool}. It includes the executable, its shared libraries, the stack "
        "and the allocator's free space. The CLI reads each file whole before decoding it, so at the "
        "peak the file's bytes and its decoded text can be resident together, next to the event log, "
        "the journeys and the JSON report. Memory that was allocated but never touched is not counted.",
        "- **Wasm memory** is `memory.buffer.byteLength` of the `WebAssembly.Memory` returned by the "
        "wasm-bindgen init function of www/pkg/pathlight.js. It grows in 64 KiB pages and never "
        "shrinks, and every run starts a fresh worker, so the size after analyze is the engine's peak "
        "in that run. It contains the file text, the event log, the journeys, the report JSON "
        "before it is copied out to JavaScript, and free space inside the allocator. The engine "
        "decodes each 4 MiB slice when it arrives and keeps only the text. The size after "
        "init is the module's fixed part. It excludes the fetched file bytes, which stay in a "
        "JavaScript ArrayBuffer outside the wasm memory, and the browser's own memory.",
        "- **Worker JS heap** is `usedSize` from the DevTools protocol's `Runtime.getHeapUsage` for "
        "the worker, sampled once after the worker has posted its result, with no forced garbage "
        "collection. It contains the worker's JavaScript objects, such as the wasm-bindgen glue and "
        "the parsed report, and garbage not yet collected. V8 stores ArrayBuffer contents outside this "
        "heap, so neither the fetched file bytes nor the wasm memory are in it. `performance.memory` "
        "would be the in-page way to read it, but Chromium exposes it only on the main thread, not in "
        "workers.",
        "",
    ]
    return lines


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
        "Throughput and memory use of the engine on generated web journeys (`src/synth.rs`: six channels, blog,",
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

    lines += [""]
    lines += memory_section(memory_rows(out, browser), int(runs))
    lines += [
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
        f"- Native memory: {memory_rows(out, browser)[0]['native_tool']}, {runs} untimed runs",
        f"- Date: {datetime.now(timezone.utc).strftime('%Y-%m-%d')}",
        "",
        "## Commands",
        "",
        "```sh",
        "make bench   # runs scripts/setup.sh --bench, then tools/bench.sh",
        f"pathlight generate --people 10200 --seed {seed} > bench-out/journeys-100k.csv",
        f"pathlight generate --people 102000 --seed {seed} > bench-out/journeys-1m.csv",
        native_command,
        f"/usr/bin/time -f %M pathlight analyze FILE {analyze_flags} > /dev/null   # {runs} times, peak RSS in KiB",
        f"node tools/bench/run.mjs --runs {runs} --out bench-out/browser.json bench-out/journeys-100k.csv bench-out/journeys-1m.csv",
        "```",
        "",
        "Speed and memory targets belong here, not in the tests. No test asserts a memory size, and",
        "the browser tests' time limits only stop a hanging page.",
    ]
    print("\n".join(lines))


if __name__ == "__main__":
    if len(sys.argv) != 5:
        raise SystemExit(__doc__.strip().splitlines()[-1])
    main(*sys.argv[1:])
