#!/usr/bin/env python3
"""Write docs/BENCHMARKS.md (to stdout) from the results in bench-out/.

Usage: python3 tools/bench/report.py OUT_DIR RUNS LARGE_RUNS PM4PY_LARGE_RUNS SEED "ANALYZE FLAGS"

A result file that is missing, because its size was left out of BENCH_SIZES or
the run stopped early, shows as "not measured" with that reason.
"""

import json
import os
import platform
import shutil
import subprocess
import sys
from datetime import datetime, timezone
from pathlib import Path

SIZES = ["100k", "1m", "10m"]
PEOPLE = {"100k": 10200, "1m": 102000, "10m": 1020000}
# The limits that the targets table checks. Times in seconds, sizes in bytes.
TARGET_BROWSER_1M_SECONDS = 1.0
TARGET_NATIVE_1M_SECONDS = 0.5
TARGET_PM4PY_SPEEDUP = 10
TARGET_BROWSER_10M_SECONDS = 12.0
TARGET_BROWSER_10M_PEAK_BYTES = 1.5e9
TARGET_BYTES_PER_EVENT = 100
TARGET_REANALYSIS_MS = 100
TARGET_BUNDLE_GZIP_BYTES = 1e6
TARGET_PARALLEL_SPEEDUP = 1.7


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


def read_json(path):
    """Return the parsed file, or None when it does not exist."""
    return json.loads(path.read_text()) if path.is_file() else None


def mebibytes(size_bytes):
    return "not measured" if size_bytes is None else f"{size_bytes / 2**20:,.1f} MiB"


def seconds_text(seconds):
    return "not measured" if seconds is None else f"{seconds:.3f} s"


def ratio_text(peer, ours):
    """Peer value divided by Pathlight's: above 1 means Pathlight is faster or smaller."""
    if peer is None or ours is None or ours == 0:
        return "n/a"
    return f"{peer / ours:.2f}×"


def verdict(value, limit):
    if value is None:
        return "not measured"
    return "met" if value <= limit else "**missed**"


class Results:
    """Every runner's medians per size, read from the files in OUT_DIR."""

    def __init__(self, out, sizes_run):
        self.out = out
        self.sizes_run = sizes_run
        self.files = {}
        for size in SIZES:
            name = f"journeys-{size}"
            self.files[size] = {
                "native": read_json(out / f"native-{name}.json"),
                "native_report": read_json(out / f"native-{name}-report.json"),
                "duckdb_1": read_json(out / f"duckdb-1-{name}.json"),
                "duckdb_all": self.duckdb_all(name),
                "pm4py": read_json(out / f"pm4py-{name}.json"),
                "wasm": self.browser_file(out / f"browser-pathlight-{name}.json"),
                "duckdb_wasm": self.browser_file(out / f"browser-duckdb-{name}.json"),
            }

    def duckdb_all(self, name):
        for path in sorted(self.out.glob(f"duckdb-*-{name}.json")):
            if not path.name.startswith("duckdb-1-"):
                return read_json(path)
        return None

    @staticmethod
    def browser_file(path):
        data = read_json(path)
        return data["files"][0] if data and data["files"] else None

    def missing_reason(self, size):
        if size not in self.sizes_run:
            return "not measured: left out of BENCH_SIZES"
        return "not measured: the run had not finished this runner"

    def events(self, size):
        for key in ("wasm", "duckdb_wasm"):
            entry = self.files[size][key]
            if entry and entry.get("events"):
                return entry["events"]
        native = self.files[size]["duckdb_1"]
        if native and native["outputs"][0]:
            return native["outputs"][0]["events"]
        return None

    def seconds(self, size, runner):
        """Median wall time of the runner's job on this size, or None."""
        entry = self.files[size][runner]
        if entry is None:
            return None
        if runner in ("wasm", "duckdb_wasm"):
            return entry["medians"]["total_ms"] / 1000 if entry.get("medians") else None
        return entry["median_seconds"]

    def peak_bytes(self, size, runner):
        entry = self.files[size][runner]
        if entry is None:
            return None
        if runner in ("wasm", "duckdb_wasm"):
            return entry["medians"]["renderer_peak_rss_bytes"] if entry.get("medians") else None
        return entry["median_peak_rss_kib"] * 1024

    def in_process_seconds(self, size, runner, key):
        """Median of a timing that a Python peer printed itself, such as job_seconds."""
        entry = self.files[size][runner]
        if entry is None:
            return None
        values = sorted(output[key] for output in entry["outputs"] if output)
        if not values:
            return None
        middle = len(values) // 2
        return values[middle] if len(values) % 2 else (values[middle - 1] + values[middle]) / 2

    def funnels(self, size):
        """Funnel people per runner that reports a funnel."""
        found = {}
        report = self.files[size]["native_report"]
        if report and report.get("funnel"):
            found["Pathlight CLI"] = [step["people"] for step in report["funnel"]["steps"]]
        wasm = self.files[size]["wasm"]
        if wasm and wasm["runs"]:
            found["Pathlight wasm"] = wasm["runs"][0]["funnel_people"]
        for key, label in (("duckdb_1", "DuckDB 1 thread"), ("duckdb_all", "DuckDB all cores")):
            entry = self.files[size][key]
            if entry and entry["outputs"][0]:
                found[label] = entry["outputs"][0]["funnel_people"]
        duckdb_wasm = self.files[size]["duckdb_wasm"]
        if duckdb_wasm and duckdb_wasm["runs"]:
            found["DuckDB-wasm"] = duckdb_wasm["runs"][0]["funnel_people"]
        return found


PEERS = [
    ("duckdb_1", "DuckDB 1 thread"),
    ("duckdb_all", "DuckDB all cores"),
    ("pm4py", "pm4py"),
    ("duckdb_wasm", "DuckDB-wasm"),
]


def bundle_sizes(out):
    """Return (files, total raw bytes, total gzipped bytes) of bundle.tsv, or None."""
    path = out / "bundle.tsv"
    if not path.is_file():
        return None
    rows = [line.split("\t") for line in path.read_text().splitlines() if line]
    files = [(name, int(raw), int(gzipped)) for name, raw, gzipped in rows]
    return files, sum(raw for _, raw, _ in files), sum(gzipped for _, _, gzipped in files)


def duckdb_wasm_bundle(out):
    path = out / "bundle-duckdb-wasm.tsv"
    if not path.is_file():
        return None
    rows = [line.split("\t") for line in path.read_text().splitlines() if line]
    return sum(int(gzipped) for _, _, gzipped in rows)


def parallel_reading(results):
    entry = results.files["1m"]["wasm"]
    if not entry or not entry.get("parallel_reading"):
        return None
    return entry["parallel_reading"]


def reanalysis(results):
    entry = results.files["1m"]["wasm"]
    if not entry or not entry.get("medians") or entry["medians"].get("reanalysis_ms") is None:
        return None
    return entry


def time_row(results, label, limit_text, limit, size, runner):
    """Format one target row for a median time. Each ratio divides a peer's time on the same
    size by Pathlight's."""
    ours = results.seconds(size, runner)
    cells = [ratio_text(results.seconds(size, peer), ours) for peer, _ in PEERS]
    measured = seconds_text(ours) if ours is not None else results.missing_reason(size)
    return f"| {label} | {limit_text} | {measured} | " + " | ".join(cells) + f" | {verdict(ours, limit)} |"


def targets_section(results, out):
    lines = [
        "## Targets",
        "",
        "Each ratio is the peer's median divided by Pathlight's on the same input and measure, so a",
        "ratio above 1× means Pathlight is faster (or smaller), and below 1× that the peer is. Process",
        "runners are timed as whole processes, browser runners from the file in the worker to the",
        "last result (see [What is timed](#what-is-timed)). pm4py computes only the directly-follows",
        "graph and the variants, a smaller job than the others'.",
        "",
        "| target | limit | Pathlight, median | vs DuckDB 1 thread | vs DuckDB all cores | vs pm4py | vs DuckDB-wasm | result |",
        "| --- | --- | ---: | ---: | ---: | ---: | ---: | --- |",
        time_row(results, "1M events, full report in the browser (wasm, one worker)", "≤ 1.0 s",
                 TARGET_BROWSER_1M_SECONDS, "1m", "wasm"),
        time_row(results, "1M events, native CLI, one thread", "≤ 0.5 s", TARGET_NATIVE_1M_SECONDS, "1m", "native"),
    ]

    native = results.seconds("1m", "native")
    duckdb_1 = results.seconds("1m", "duckdb_1")
    pm4py_seconds = results.seconds("1m", "pm4py")
    faster = None if native is None or duckdb_1 is None else native < duckdb_1
    lines.append(
        "| 1M events, native CLI faster than DuckDB 1 thread | ratio > 1× | "
        f"{seconds_text(native)} | {ratio_text(duckdb_1, native)} | | | | "
        f"{'not measured' if faster is None else ('met' if faster else '**missed**')} |"
    )
    speedup = None if native is None or pm4py_seconds is None else pm4py_seconds / native
    lines.append(
        "| 1M events, native CLI at least 10× faster than pm4py | ratio ≥ 10× | "
        f"{seconds_text(native)} | | | {ratio_text(pm4py_seconds, native)} | | "
        f"{'not measured' if speedup is None else ('met' if speedup >= TARGET_PM4PY_SPEEDUP else '**missed**')} |"
    )
    lines.append(time_row(results, "10M events, full report in the browser", "≤ 12 s",
                          TARGET_BROWSER_10M_SECONDS, "10m", "wasm"))

    peak = results.peak_bytes("10m", "wasm")
    peer_peaks = [ratio_text(results.peak_bytes("10m", peer), peak) for peer, _ in PEERS]
    lines.append(
        "| 10M events in the browser, peak memory (renderer process RSS) | ≤ 1.5 GB | "
        f"{mebibytes(peak) if peak is not None else results.missing_reason('10m')} | "
        + " | ".join(peer_peaks)
        + f" | {verdict(peak, TARGET_BROWSER_10M_PEAK_BYTES)} |"
    )
    wasm_10m = results.files["10m"]["wasm"]
    events_10m = results.events("10m")
    if wasm_10m and wasm_10m.get("medians") and events_10m:
        per_event = wasm_10m["medians"]["wasm_memory_bytes"]["analyze"] / events_10m
        renderer = peak / events_10m if peak else None
        per_event_text = f"{per_event:,.0f} B (renderer RSS: {renderer:,.0f} B)" if renderer else f"{per_event:,.0f} B"
        lines.append(
            f"| 10M events in the browser, wasm memory per event | ≤ 100 B | {per_event_text} | | | | | "
            f"{verdict(per_event, TARGET_BYTES_PER_EVENT)} |"
        )
    else:
        lines.append(f"| 10M events in the browser, wasm memory per event | ≤ 100 B | {results.missing_reason('10m')} | | | | | not measured |")

    change = reanalysis(results)
    if change:
        ours_ms = change["medians"]["reanalysis_ms"]
        # The peers have no incremental path, so their counterpart is the job without the read.
        duckdb_queries = None
        job = results.in_process_seconds("1m", "duckdb_1", "job_seconds")
        read = results.in_process_seconds("1m", "duckdb_1", "read_seconds")
        if job is not None and read is not None:
            duckdb_queries = (job - read) * 1000
        duckdb_all_queries = None
        job_all = results.in_process_seconds("1m", "duckdb_all", "job_seconds")
        read_all = results.in_process_seconds("1m", "duckdb_all", "read_seconds")
        if job_all is not None and read_all is not None:
            duckdb_all_queries = (job_all - read_all) * 1000
        duckdb_wasm_queries = None
        browser_peer = results.files["1m"]["duckdb_wasm"]
        if browser_peer and browser_peer.get("medians"):
            duckdb_wasm_queries = browser_peer["medians"]["total_ms"] - browser_peer["medians"]["read_ms"]
        lines.append(
            "| 1M events, `analyze` after an option change (new step, window or filter), no re-read | ≤ 100 ms | "
            f"{ours_ms:,.0f} ms | {ratio_text(duckdb_queries, ours_ms)} | {ratio_text(duckdb_all_queries, ours_ms)} | n/a "
            f"| {ratio_text(duckdb_wasm_queries, ours_ms)} | {verdict(ours_ms, TARGET_REANALYSIS_MS)} |"
        )
    else:
        lines.append(
            "| 1M events, `analyze` after an option change (new step, window or filter), no re-read | ≤ 100 ms | "
            f"{results.missing_reason('1m')} | | | | | not measured |"
        )

    bundle = bundle_sizes(out)
    peer_bundle = duckdb_wasm_bundle(out)
    if bundle:
        _, _, gzipped = bundle
        lines.append(
            f"| wasm bundle gzipped (wasm + the page's JS) | ≤ 1 MB | {gzipped / 1e6:.2f} MB | | | | "
            f"{ratio_text(peer_bundle, gzipped)} | {verdict(gzipped, TARGET_BUNDLE_GZIP_BYTES)} |"
        )
    parallel = parallel_reading(results)
    if parallel:
        read = parallel["medians"]["read_ms"]
        lines.append(
            f"| 1M events, reading in {1 + parallel['helpers']} Web Workers against 1 (no SharedArrayBuffer) | ≥ 1.7 times "
            f"| {read['speedup']:.2f} times ({read['single']:,.0f} to {read['parallel']:,.0f} ms) | | | | "
            f"| {verdict(TARGET_PARALLEL_SPEEDUP, read['speedup'])} |"
        )
    else:
        lines.append("| 1M events, reading in Web Workers side by side | ≥ 1.7 times | not measured | | | | | not measured |")
    lines += [
        "",
        "For the option change, the peers have no way to reuse earlier work between two reports.",
        "Their columns hold the time of their job without reading the file instead. For DuckDB that is",
        "the runner's own timing of the queries on the loaded table, and for DuckDB-wasm the total minus",
        "the read. 1 MB is 10^6 bytes.",
        "",
    ]
    return lines


def runner_rows(results, size):
    events = results.events(size)
    rows = []
    runners = [
        ("native", "Pathlight CLI (1 thread)", "process peak RSS"),
        ("wasm", "Pathlight wasm, Chromium worker", "renderer peak RSS"),
        ("duckdb_1", "DuckDB, 1 thread", "process peak RSS"),
        ("duckdb_all", f"DuckDB, {os.cpu_count()} threads", "process peak RSS"),
        ("pm4py", "pm4py (DFG and variants only)", "process peak RSS"),
        ("duckdb_wasm", "DuckDB-wasm, Chromium worker", "renderer peak RSS"),
    ]
    for key, label, memory_kind in runners:
        entry = results.files[size][key]
        seconds = results.seconds(size, key)
        if seconds is None:
            reason = results.missing_reason(size)
            if entry and entry.get("failures"):
                reason = f"failed: {entry['failures'][0]}"
            rows.append(f"| {label} | {reason} | | | | | |")
            continue
        if key in ("wasm", "duckdb_wasm"):
            count = len(entry["runs"])
            failed = len(entry.get("failures", []))
            runs_text = f"{count}" + (f" ({failed} failed)" if failed else "")
        else:
            runs_text = f"{len(entry['seconds'])}"
        peak = results.peak_bytes(size, key)
        per_event = f"{peak / events:,.0f}" if peak and events else "n/a"
        speed = f"{events / seconds:,.0f}" if events else "n/a"
        in_process = ""
        if key in ("duckdb_1", "duckdb_all", "pm4py"):
            job = results.in_process_seconds(size, key, "job_seconds")
            in_process = f"{job:.3f} s in the job" if job is not None else ""
        rows.append(
            f"| {label} | {seconds:.3f} s | {speed} | {mebibytes(peak)} ({memory_kind}) | {per_event} | {runs_text} | {in_process} |"
        )
    return rows


def runners_section(results):
    lines = ["## Runners by input", ""]
    for size in SIZES:
        events = results.events(size)
        events_text = f"{events:,} events" if events else "events not known"
        lines += [
            f"### journeys-{size}.csv ({PEOPLE[size]:,} people, {events_text})",
            "",
            "| runner | median time | events/s | peak memory, median | bytes/event | runs | notes |",
            "| --- | ---: | ---: | ---: | ---: | ---: | --- |",
        ]
        lines += runner_rows(results, size)
        funnels = results.funnels(size)
        if funnels:
            distinct = {tuple(people) for people in funnels.values()}
            agreement = "all the same" if len(distinct) == 1 else "**DIFFERENT**"
            listed = "; ".join(f"{label} {people}" for label, people in funnels.items())
            lines += ["", f"Funnel people (session_start, sign_up, add_to_cart, purchase, 30 days): {listed} ({agreement})."]
        lines.append("")
    return lines


def wasm_detail_section(results, runs):
    lines = [
        "## Pathlight wasm in detail",
        "",
        "Medians of each phase, taken separately, so they need not add up to the total median:",
        "",
        "| input | read and inspect | load | analyze | wasm memory after init | after read | after load | after analyze | worker JS heap |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for size in SIZES:
        entry = results.files[size]["wasm"]
        if not entry or not entry.get("medians"):
            continue
        medians = entry["medians"]
        wasm = medians["wasm_memory_bytes"]
        lines.append(
            f"| journeys-{size}.csv | {medians['read_ms']:,.0f} ms | {medians['load_ms']:,.0f} ms | {medians['analyze_ms']:,.0f} ms "
            f"| {mebibytes(wasm['init'])} | {mebibytes(wasm['read'])} | {mebibytes(wasm['load'])} | {mebibytes(wasm['analyze'])} "
            f"| {mebibytes(medians['worker_heap_used_bytes'])} |"
        )
    change = reanalysis(results)
    if change:
        lines += ["", "`analyze` alone on journeys-1m.csv after an option change, all runs together:", ""]
        lines += ["| option change | median | samples |", "| --- | ---: | ---: |"]
        labels = [item["label"] for item in change["runs"][0]["reanalysis"]]
        for index, label in enumerate(labels):
            samples = sorted(ms for run in change["runs"] for ms in run["reanalysis"][index]["ms"])
            middle = len(samples) // 2
            value = samples[middle] if len(samples) % 2 else (samples[middle - 1] + samples[middle]) / 2
            lines.append(f"| {label} | {value:,.0f} ms | {len(samples)} |")
    parallel = parallel_reading(results)
    if parallel:
        helpers = parallel["helpers"]
        lines += [
            "",
            f"Loads of journeys-1m.csv through the page's engine worker, alone and with {helpers} helper "
            f"worker{'s' if helpers != 1 else ''} reading parts of the file, {len(parallel['single'])} of each, "
            "alternating in one page. Reading turns the text into one event log (for the parts: planning, "
            "reading them side by side, sending them back and joining them); building makes the journeys, "
            "which both loads do the same way. The summaries of both loads were "
            f"{'the same' if parallel['same_summary'] else '**different**'}. The renderer's peak resident "
            f"set size over these loads, the helpers included, was {mebibytes(parallel.get('renderer_peak_rss_bytes'))}.",
            "",
            "| phase | one worker | in parts | ratio |",
            "| --- | ---: | ---: | ---: |",
        ]
        for key, label in [("read_ms", "reading"), ("build_ms", "building the journeys"), ("load_ms", "whole load")]:
            median = parallel["medians"][key]
            lines.append(f"| {label} | {median['single']:,.0f} ms | {median['parallel']:,.0f} ms | {median['speedup']:.2f} |")
    lines.append("")
    return lines


def tracking_section(out):
    """Pathlight on journeys-1m.csv against the same journeys with tracking URLs, when both ran."""

    def native(name):
        data = read_json(out / f"native-{name}.json")
        return (data["median_seconds"], data["median_peak_rss_kib"] * 1024) if data else None

    def wasm(name):
        entry = Results.browser_file(out / f"browser-pathlight-{name}.json")
        if not entry or not entry.get("medians"):
            return None
        return entry["medians"]["total_ms"] / 1000, entry["medians"]["renderer_peak_rss_bytes"]

    rows = []
    for runner, measure in [("Pathlight CLI", native), ("Pathlight wasm", wasm)]:
        plain, tracking = measure("journeys-1m"), measure("journeys-1m-tracking")
        if plain and tracking:
            rows.append(
                f"| {runner} | {seconds_text(plain[0])} | {seconds_text(tracking[0])} | {tracking[0] / plain[0]:.2f}× "
                f"| {mebibytes(plain[1])} | {mebibytes(tracking[1])} |"
            )
    if not rows:
        return []
    pages = read_json(out / "tracking-pages.json")
    distinct = f" ({pages['distinct_pages']:,} distinct pages against 15)" if pages else ""
    return [
        "## Landing pages with tracking URLs",
        "",
        "Analytics exports often keep the query string of each landing page: utm parameters, and a",
        "click id on paid search and paid social. `pathlight generate --tracking-urls` writes the same",
        f"journeys as journeys-1m.csv with such pages{distinct}. Every stage rule and segment",
        "pattern is matched once per distinct page, and exit pages are counted per page, so this",
        "input shows what a realistic page column costs. Only Pathlight runs it. Time and peak memory",
        "are medians, first on journeys-1m.csv and then with tracking URLs; the memory is the",
        "process's peak RSS for the CLI and the renderer's for the wasm build.",
        "",
        "| runner | time | with tracking URLs | ratio | peak memory | with tracking URLs |",
        "| --- | ---: | ---: | ---: | ---: | ---: |",
        *rows,
        "",
    ]


def bundle_section(out):
    bundle = bundle_sizes(out)
    if not bundle:
        return []
    files, raw, gzipped = bundle
    wasm_gzipped = sum(size for name, _, size in files if name.endswith(".wasm"))
    lines = [
        "## Bundle size",
        "",
        f"What the page loads, each file compressed alone with `gzip -9`: {len(files)} files, {raw / 1e6:.2f} MB raw,",
        f"**{gzipped / 1e6:.2f} MB gzipped**, of which the wasm module is {wasm_gzipped / 1e6:.2f} MB. The files are",
        "www/pkg/*.wasm, www/pkg/*.js, www/*.js (without www/vendor.js, which is only esbuild's entry point),",
        "www/views/*.js and www/build/*.js. The wasm module is built without wasm-opt, because Debian's",
        "binaryen 108 breaks wasm-bindgen's externref table.",
    ]
    peer = duckdb_wasm_bundle(out)
    if peer:
        lines += [
            f"DuckDB-wasm's files for the same job (duckdb-eh.wasm, its worker script and the page bundle",
            f"with apache-arrow) come to {peer / 1e6:.2f} MB gzipped the same way.",
        ]
    lines.append("")
    return lines


def explanation_section(runs, large_runs, pm4py_large_runs):
    return [
        "## What is timed",
        "",
        f"Medians over {runs} runs at 100k and 1M, {large_runs} at 10M, and {pm4py_large_runs} for pm4py at 10M,",
        "because one pm4py run there takes minutes. Process runners at 100k and 1M get one untimed warm-up run first.",
        "",
        "- **Pathlight CLI**: the whole `pathlight analyze` process: reading the file, parsing, building the",
        "  journeys, every analysis of the default report and printing the JSON. It runs on one thread.",
        "- **Pathlight wasm**: in a Web Worker of headless Chromium, with the module initialized. The file",
        "  is fetched as a Blob into the worker. Timed are reading and pushing the Blob in 4 MiB slices, as",
        "  the page does with a dropped File, then `finishFile`, `load` and `analyze`. As in the page, `load`",
        "  drops the file's text. Fetching the file and starting the module are not timed. Every run has a",
        "  fresh worker.",
        "- **DuckDB (Python package)**: the whole process, Python's start-up included, running",
        "  tools/bench/duckdb_job.sql: read the CSV into a table, then the funnel, the top 20 paths, time to",
        "  convert, the directly-follows graph and first-touch, last-touch and linear attribution. The notes",
        "  column gives the runner's own time from the read to the last result. Extensions may not be",
        "  installed or loaded (`autoinstall_known_extensions` and `autoload_known_extensions` are false).",
        "- **pm4py**: the whole process: pandas reads the CSV, `pm4py.format_dataframe`, then",
        "  `pm4py.discover_dfg` and `pm4py.get_variants`. No funnel, no time to convert, no attribution.",
        "- **DuckDB-wasm**: the same SQL in the same Chromium, in one DuckDB worker (the eh bundle, which",
        "  has no threads), loaded from the bench server, not a CDN. Timed from handing the fetched bytes to",
        "  `registerFileBuffer`, which moves them to the worker and copies them into its wasm memory, to",
        "  the last result.",
        "",
        "What each memory number measures:",
        "",
        "- **Process peak RSS** is `ru_maxrss` from `os.wait4` on the runner's process (the field GNU",
        "  time prints as `%M`), read by tools/bench/measure.py in the timed runs. It includes the",
        "  executable, its libraries and the allocator's free space; for the Python peers, the",
        "  interpreter and its imports.",
        "- **Renderer peak RSS** is `VmHWM` from /proc of Chromium's renderer process for the run's page,",
        "  read after the run. Each run has its own browser context, so its own renderer, which hosts the",
        "  page and its workers: the fetched file's bytes, the wasm memory, V8's heaps and Chromium's own",
        "  share of a renderer. This is the browser measure that both browser runners have.",
        "- **Wasm memory** (Pathlight only) is `memory.buffer.byteLength` of the module's",
        "  `WebAssembly.Memory`. It grows in 64 KiB pages and never shrinks, so the size after analyze is",
        "  the engine's peak: the file text, the event log, the journeys, the report JSON and free space",
        "  inside the allocator. It excludes the fetched file bytes, which stay in a JavaScript",
        "  ArrayBuffer. DuckDB-wasm gives its page no handle on its worker's memory, so it has no such number.",
        "- **Worker JS heap** is `usedSize` from the DevTools protocol's `Runtime.getHeapUsage` for the",
        "  worker, sampled once after the worker has posted its result, with no forced garbage collection.",
        "",
    ]


def machine_section(results, out):
    versions = {}
    for size in SIZES:
        for key in ("duckdb_1", "pm4py"):
            entry = results.files[size][key]
            if entry and entry["outputs"][0]:
                versions[key] = entry["outputs"][0]["runner"]
        entry = results.files[size]["duckdb_wasm"]
        if entry and entry["runs"]:
            versions["duckdb_wasm"] = f"DuckDB-wasm 1.32.0 (npm), engine {entry['runs'][0]['version']}"
    browser = None
    for size in SIZES:
        data = read_json(out / f"browser-pathlight-journeys-{size}.json")
        if data:
            browser = data["browser"]
    return [
        "## Machine",
        "",
        f"- CPU: {cpu_model()}, {os.cpu_count()} cores (`nproc`: {command_output('nproc')})",
        f"- Memory: {memory_gib()}",
        "- Load average over 1, 5 and 15 minutes when the report was written: "
        + ", ".join(f"{load:.2f}" for load in os.getloadavg())
        + " (other work shared the machine during the runs and slows them)",
        f"- OS: {os_name()}",
        f"- {command_output('rustc', '--version')}",
        f"- Node {command_output('node', '--version')}, {browser or 'Chromium (version not recorded)'} (headless, Debian package)",
        f"- Peers: {versions.get('duckdb_1', 'DuckDB not run')}; {versions.get('pm4py', 'pm4py not run')}; "
        f"{versions.get('duckdb_wasm', 'DuckDB-wasm not run')}",
        f"- Date: {datetime.now(timezone.utc).strftime('%Y-%m-%d')}",
        "",
    ]


def commands_section(runs, large_runs, pm4py_large_runs, seed, analyze_flags):
    return [
        "## Commands",
        "",
        "```sh",
        f"RUNS={runs} LARGE_RUNS={large_runs} PM4PY_LARGE_RUNS={pm4py_large_runs} make bench   # this report",
        "# make bench runs scripts/setup.sh --bench, then tools/bench.sh; BENCH_SIZES=\"100k 1m\" leaves out 10M",
        f"pathlight generate --people 10200 --seed {seed} > bench-out/journeys-100k.csv     # and 102000 -> 1m, 1020000 -> 10m",
        f"python3 tools/bench/measure.py --runs {runs} --warmup 1 --out bench-out/native-journeys-1m.json -- \\",
        f"  pathlight analyze bench-out/journeys-1m.csv {analyze_flags}",
        f"python3 tools/bench/measure.py --runs {runs} --warmup 1 --out bench-out/duckdb-1-journeys-1m.json -- \\",
        "  bench-out/venv/bin/python tools/bench/peers.py duckdb bench-out/journeys-1m.csv --threads 1   # and --threads $(nproc)",
        f"python3 tools/bench/measure.py --runs {runs} --out bench-out/pm4py-journeys-1m.json -- \\",
        "  bench-out/venv/bin/python tools/bench/peers.py pm4py bench-out/journeys-1m.csv",
        f"node tools/bench/run.mjs --engine pathlight --runs {runs} --changes-on journeys-1m.csv \\",
        "  --out bench-out/browser-pathlight-journeys-1m.json bench-out/journeys-1m.csv",
        f"node tools/bench/run.mjs --engine duckdb-wasm --runs {runs} --out bench-out/browser-duckdb-journeys-1m.json bench-out/journeys-1m.csv",
        f"pathlight generate --people 102000 --seed {seed} --tracking-urls > bench-out/journeys-1m-tracking.csv",
        "# then the CLI and the wasm runner as above on journeys-1m-tracking.csv, without --changes-on",
        "gzip -9 -c FILE | wc -c   # for each file the page loads",
        "```",
        "",
        f"At 10M the runs are {large_runs} ({pm4py_large_runs} for pm4py) and there is no warm-up run.",
        "Speed and memory targets belong here, not in the tests. No test asserts a memory size, and",
        "the browser tests' time limits only stop a hanging page.",
    ]


def main(out_dir, runs, large_runs, pm4py_large_runs, seed, analyze_flags):
    out = Path(out_dir)
    sizes_file = out / "sizes.txt"
    sizes_run = sizes_file.read_text().split() if sizes_file.is_file() else SIZES
    results = Results(out, sizes_run)
    lines = [
        "# Benchmarks",
        "",
        "Pathlight against its peers on generated web journeys (`pathlight generate`: six channels,",
        "blog, pricing, sign-up and checkout pages, about 10 events per person with a long tail), at",
        "about 100k, 1M and 10M events. Produced by `make bench` (tools/bench.sh) in one run; the",
        "numbers describe this machine only, under the load listed in [Machine](#machine).",
        "",
    ]
    lines += targets_section(results, out)
    lines += runners_section(results)
    lines += wasm_detail_section(results, runs)
    lines += tracking_section(out)
    lines += bundle_section(out)
    lines += explanation_section(runs, large_runs, pm4py_large_runs)
    lines += machine_section(results, out)
    lines += commands_section(runs, large_runs, pm4py_large_runs, seed, analyze_flags)
    lines += [
        "",
        "## Profiles",
        "",
        "What the profiles of this job showed, what changed because of them and what was tried and",
        "not kept: [PROFILE.md](PROFILE.md), written by hand.",
    ]
    print("\n".join(lines))


if __name__ == "__main__":
    if len(sys.argv) != 7:
        raise SystemExit(__doc__.strip().splitlines()[2])
    main(*sys.argv[1:])
