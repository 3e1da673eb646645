#!/usr/bin/env python3
"""Run one peer of `make bench` on a CSV file and print its result as one JSON line.

Usage:
  peers.py duckdb FILE.csv --threads N   the SQL job of tools/bench/duckdb_job.sql
  peers.py pm4py FILE.csv                pm4py's directly-follows graph and variants

The printed job_seconds runs from the start of reading the file to the last
result, inside the process. Python's start-up and imports are outside it;
tools/bench/measure.py times the whole process as well.
"""

import argparse
import json
import resource
import sys
import time
from pathlib import Path

SQL_FILE = Path(__file__).with_name("duckdb_job.sql")
# The marker line between two statements of the SQL file.
STEP_MARKER = "-- step"


def sql_statements(csv_path):
    """Return the job's statements in order, with the file's path filled in."""
    text = SQL_FILE.read_text().replace("{{csv}}", csv_path.replace("'", "''"))
    statements = []
    for chunk in text.split(f"\n{STEP_MARKER}\n"):
        body = "\n".join(line for line in chunk.splitlines() if not line.lstrip().startswith("--")).strip()
        if body:
            statements.append(body)
    return statements


def run_duckdb(csv_path, threads):
    import duckdb

    # No extension may be fetched or loaded behind the job's back: the CSV
    # reader, window functions and ASOF joins are all built in.
    connection = duckdb.connect(
        ":memory:",
        config={
            "threads": threads,
            "autoinstall_known_extensions": False,
            "autoload_known_extensions": False,
        },
    )
    started = time.perf_counter()
    results = []
    read_seconds = None
    for statement in sql_statements(csv_path):
        cursor = connection.execute(statement)
        if statement.lstrip().upper().startswith(("WITH", "SELECT")):
            results.append(cursor.fetchall())
        if read_seconds is None:
            read_seconds = time.perf_counter() - started
    job_seconds = time.perf_counter() - started
    events = connection.execute("SELECT count(*) FROM raw_events").fetchone()[0]
    funnel, paths, time_to_convert, dfg, attribution = results
    return {
        "runner": f"duckdb {duckdb.__version__}",
        "threads": threads,
        "events": events,
        "read_seconds": read_seconds,
        "job_seconds": job_seconds,
        "funnel_people": list(funnel[0]),
        "top_paths": len(paths),
        "converters": time_to_convert[0][0],
        "median_seconds_to_convert": time_to_convert[0][2],
        "dfg_edges": len(dfg),
        "attribution_channels": len(attribution),
    }


def run_pm4py(csv_path):
    import pandas
    import pm4py

    started = time.perf_counter()
    frame = pandas.read_csv(csv_path, dtype={"user_id": str, "event": str, "channel": str, "page": str})
    frame["timestamp"] = pandas.to_datetime(frame["timestamp"], utc=True, format="ISO8601")
    log = pm4py.format_dataframe(frame, case_id="user_id", activity_key="event", timestamp_key="timestamp")
    read_seconds = time.perf_counter() - started
    dfg, start_activities, end_activities = pm4py.discover_dfg(log)
    variants = pm4py.get_variants(log)
    job_seconds = time.perf_counter() - started
    return {
        "runner": f"pm4py {pm4py.__version__}, pandas {pandas.__version__}",
        "events": len(frame),
        "read_seconds": read_seconds,
        "job_seconds": job_seconds,
        "dfg_edges": len(dfg),
        "start_activities": len(start_activities),
        "end_activities": len(end_activities),
        "variants": len(variants),
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.strip().splitlines()[0])
    parser.add_argument("peer", choices=["duckdb", "pm4py"])
    parser.add_argument("csv")
    parser.add_argument("--threads", type=int, default=1, help="DuckDB worker threads (default 1)")
    arguments = parser.parse_args()
    if not Path(arguments.csv).is_file():
        sys.exit(f"peers.py: input file {arguments.csv} not found. Generate it with `pathlight generate`.")
    if arguments.threads < 1:
        sys.exit(f"peers.py: --threads {arguments.threads} is invalid. Use 1 or more.")

    if arguments.peer == "duckdb":
        result = run_duckdb(arguments.csv, arguments.threads)
    else:
        result = run_pm4py(arguments.csv)
    # ru_maxrss is in KiB on Linux.
    result["self_peak_rss_kib"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(json.dumps(result, default=str))


if __name__ == "__main__":
    main()
