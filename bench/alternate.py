#!/usr/bin/env python3
"""Times two commands in turn, A B A B ..., so that a slow minute on the
machine falls on both and not on one of them (hyperfine runs every run of
one command before the next).

    alternate.py NAME RUNS REAL_CMD SHIM_CMD

Commands are split on whitespace and run without a shell, output to
/dev/null. Two commands that build different binaries must write them to
different places, or each would relink what the other wrote. Three warm-up rounds are not counted. Prints one row: the median
wall time of each, their ratio and difference, and the ratio of mean CPU
time (user + system of the command and every process it waited for, from
wait4). The ratio of medians is the row's figure; the median of the paired
ratios (each round's shim / real) is printed beside it as a check: when the
two differ much, the run was too noisy to read.
"""
import os
import statistics
import sys
import time

WARMUP = 3


def run(argv):
    """One run: (wall seconds, cpu seconds)."""
    null = os.open(os.devnull, os.O_RDWR)
    try:
        start = time.perf_counter()
        pid = os.posix_spawn(argv[0], argv, os.environ,
                             file_actions=[(os.POSIX_SPAWN_DUP2, null, 0),
                                           (os.POSIX_SPAWN_DUP2, null, 1),
                                           (os.POSIX_SPAWN_DUP2, null, 2)])
        _, status, usage = os.wait4(pid, 0)
        wall = time.perf_counter() - start
    finally:
        os.close(null)
    if os.waitstatus_to_exitcode(status) != 0:
        sys.exit(f"alternate.py: {' '.join(argv)} failed (status {status})")
    return wall, usage.ru_utime + usage.ru_stime


def main():
    if len(sys.argv) != 5:
        sys.exit(__doc__.strip().splitlines()[4].strip())
    name, runs = sys.argv[1], int(sys.argv[2])
    real, shim = sys.argv[3].split(), sys.argv[4].split()
    r, s = [], []
    for i in range(WARMUP + runs):
        a, b = run(real), run(shim)
        if i >= WARMUP:
            r.append(a)
            s.append(b)
    rw = statistics.median(x[0] for x in r)
    sw = statistics.median(x[0] for x in s)
    rc = statistics.mean(x[1] for x in r)
    sc = statistics.mean(x[1] for x in s)
    paired = statistics.median(b[0] / a[0] for a, b in zip(r, s))
    print(f"{name:<28} real {rw * 1e3:8.2f} ms  shim {sw * 1e3:8.2f} ms  "
          f"wall {sw / rw:.3f}x ({(sw - rw) * 1e3:+.2f} ms; paired {paired:.3f}x)  "
          f"cpu {sc / rc:.3f}x ({(sc - rc) * 1e3:+.2f} ms)")


if __name__ == "__main__":
    main()
