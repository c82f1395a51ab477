#!/usr/bin/env python3
"""The hold's change (fetch/profile/pgo_decide.h), computed independently
from the compiler's own edge lists: `go tool preprofile` output for the
profile in use (A) and the newer one (B). Prints the share as %.6f.

    decide-oracle.py A.preprofile B.preprofile

Hot edges: heaviest first (ties by caller, callee, offset), up to and
including the one that takes the cumulative weight past 99%. The cost of
keeping A's decisions, in B's weights: per call site, the larger of (the
B-hot edges not hot in A whose rate rose beyond 3 standard deviations) and
(when the hottest callees differ beyond 3 standard deviations in B, B's
hottest weight less A's choice's weight in B); summed, over B's total,
capped at 1. Weights are counted in samples of their greatest common
divisor.
"""
import collections
import math
import sys
from functools import reduce

Z = 3.0


def read(path):
    lines = open(path).read().split("\n")
    assert lines[0] == "GO PREPROFILE V1", path
    edges = []
    for i in range(1, len(lines) - 2, 3):
        off, w = lines[i + 2].split()
        edges.append((lines[i], lines[i + 1], int(off), int(w)))
    edges.sort(key=lambda e: (-e[3], e[0].encode(), e[1].encode(), e[2]))
    total = sum(e[3] for e in edges)
    cut, cum = len(edges), 0
    for i, e in enumerate(edges):
        cum += e[3]
        if cum / total * 100 > 99:
            cut = i + 1
            break
    hot = {(e[0], e[1], e[2]) for e in edges[:cut]}
    sites = collections.defaultdict(dict)
    for caller, callee, off, w in edges:
        sites[(caller, off)][callee] = w
    q = reduce(math.gcd, [e[3] for e in edges if e[3] > 0], 0) or 1
    return sites, total, hot, q


def hottest(callees):
    return min(callees.items(), key=lambda x: (-x[1], x[0].encode()))[0]


def main():
    sa, ta, ha, qa = read(sys.argv[1])
    sb, tb, hb, qb = read(sys.argv[2])
    na_all, nb_all = ta / qa, tb / qb
    cost = 0
    for site, callees in sb.items():
        inline = 0
        for callee, w in callees.items():
            if (site[0], callee, site[1]) not in hb or (site[0], callee, site[1]) in ha:
                continue
            nb, na = w / qb, sa.get(site, {}).get(callee, 0) / qa
            var = nb / nb_all**2 + na / na_all**2
            if var > 0 and (nb / nb_all - na / na_all) / math.sqrt(var) > Z:
                inline += w
        devirt = 0
        if site in sa:
            a_choice, b_choice = hottest(sa[site]), hottest(callees)
            if a_choice != b_choice:
                n1, n2 = callees[b_choice] / qb, callees.get(a_choice, 0) / qb
                if (n1 - n2) / math.sqrt(n1 + n2) > Z:
                    devirt = callees[b_choice] - callees.get(a_choice, 0)
        cost += max(inline, devirt)
    print("%.6f" % min(1.0, cost / tb if tb else 0))


main()
