#!/usr/bin/env python3
"""Summarise how the coverage of a libFuzzer run grew, from its log.

    python3 tools/fuzz_coverage.py fuzz/logs/read_file.log [more logs ...]

libFuzzer prints a status line such as `#4096 NEW cov: 8760 ft: 38199 ...` each time an input
adds coverage, and `pulse` lines in between. For each log this prints the edges (`cov`) and
features (`ft`) at three points: the start (after the corpus was read), half of the executions
since then, and the end. It adds the growth of the edges over the second half, and how far back
the last new edge was found. docs/FUZZING.md calls a run flat when its edges grew by less than 1% in
the second half of its executions.
"""

import re
import sys

STATUS = re.compile(r"^#(\d+)\s+(\w+)\s+cov: (\d+) ft: (\d+)")


def status_lines(path):
    """Return (executions, event, edges, features) for each status line of the log."""
    points = []
    with open(path, encoding="utf-8", errors="replace") as log:
        for line in log:
            match = STATUS.match(line)
            if match:
                points.append((int(match[1]), match[2], int(match[3]), int(match[4])))
    return points


def summary(path):
    points = status_lines(path)
    if not points:
        return f"{path}: no status lines"
    start = next((point for point in points if point[1] == "INITED"), points[0])
    end = points[-1]
    middle_executions = start[0] + (end[0] - start[0]) / 2
    middle = [point for point in points if point[0] <= middle_executions][-1]

    last_new_edge = start[0]
    best = start[2]
    for executions, _, edges, _ in points:
        if edges > best:
            best = edges
            last_new_edge = executions

    run = max(1, end[0] - start[0])
    growth = 100 * (end[2] - middle[2]) / max(1, middle[2])
    since = 100 * (end[0] - last_new_edge) / run
    return (
        f"{path}: {end[0] - start[0]:,} executions after the corpus; "
        f"start {start[2]:,} / {start[3]:,}, half {middle[2]:,} / {middle[3]:,}, end {end[2]:,} / {end[3]:,} (edges / features); "
        f"edges grew {growth:.2f}% in the second half; last new edge {since:.0f}% of the executions before the end"
    )


def main():
    if len(sys.argv) < 2:
        sys.exit("Usage: python3 tools/fuzz_coverage.py LOG [LOG ...]")
    for path in sys.argv[1:]:
        print(summary(path))


if __name__ == "__main__":
    main()
