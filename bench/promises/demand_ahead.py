#!/usr/bin/env python3
"""The demand still to come as a cause of the promise error (issue 12; bench/results/promises.md, 2026-12-02).

Usage: demand_ahead.py DIR [MDRP_INSTANCES]
  DIR is a `scenarios ... --out DIR` folder (its promises/*_on.csv: order, placed, point, promise, drop, situation);
  MDRP_INSTANCES (default ../shared/mdrp/instances) holds the traces, for each order's ready time and the couriers'
  shifts.

Orders placed after a quote but ready before its order go ahead of it first come, first served, and the quote's queue
simulation cannot see them. Predicted at the quote from the last 30 minutes' placements: each recent placement whose
lead (ready minus placed) is shorter than this order's counts (this lead - its lead) / 30.

Prints, per seed (the trace name's first digit), the late share, mean error (drop - point) and mean margin
(promise - point) by band of that prediction; then an offline replay of the calibration (the p = 0.9 quantile, by
nearest rank, of the last 128 errors per key, learnt at drop-off, so laggier than the engine's) with the situation as
the engine keys it (the simulated-wait bucket) and widened by the prediction per courier on shift.
"""
import bisect
import collections
import csv
import glob
import heapq
import math
import os
import sys

WINDOW_MIN = 30.0
BANDS = [0, 5, 15, 35, 75, float('inf')]
P, RING, MIN_SAMPLES = 0.9, 128, 10


def trace_of(path):
    return os.path.basename(path).rsplit('_', 2)[-2]


def load(path, instances):
    trace = trace_of(path)
    ready = {}
    with open(os.path.join(instances, trace, 'orders.txt')) as f:
        next(f)
        for line in f:
            c = line.split('\t')
            ready[int(c[0][1:]) - 1] = (float(c[3]), float(c[5]))
    shifts = []
    with open(os.path.join(instances, trace, 'couriers.txt')) as f:
        next(f)
        for line in f:
            c = line.split('\t')
            shifts.append((float(c[3]), float(c[4])))
    rows = []
    for r in csv.DictReader(open(path)):
        o = int(r['order'])
        if o not in ready or r['drop'] in ('', 'NaN') or r['point'] in ('', 'NaN'):
            continue
        placed, rd = ready[o]
        rows.append(dict(t=placed, lead=rd - placed, point=float(r['point']), promise=float(r['promise']),
                         drop=float(r['drop']), sit=int(r['situation']) % 7))  # the wait band (the engine adds 7 x its demand band)
    rows.sort(key=lambda x: x['t'])
    ts = [x['t'] for x in rows]
    for x in rows:
        i0, i1 = bisect.bisect_left(ts, x['t'] - WINDOW_MIN), bisect.bisect_left(ts, x['t'])
        x['ahead'] = sum(max(0.0, x['lead'] - y['lead']) for y in rows[i0:i1]) / WINDOW_MIN
        on = sum(1 for a, b in shifts if a <= x['t'] < b)
        x['per_courier'] = x['ahead'] / max(1, on)
    return trace, rows


def replay(rows, bands):
    """Promises from the replayed calibration: on time share, MAE, mean slack."""
    rings, pending = {}, []
    late = abs_err = slack = 0.0
    for x in rows:
        while pending and pending[0][0] <= x['t']:
            _, key, err = heapq.heappop(pending)
            for k in (key, 'pooled'):
                ring = rings.setdefault(k, collections.deque(maxlen=RING))
                ring.append(err)
        band = sum(1 for u in bands if x['per_courier'] >= u)
        key = (x['sit'], band)
        ring = rings.get(key, ())
        if len(ring) < MIN_SAMPLES:
            ring = rings.get('pooled', ())
        margin = sorted(ring)[max(0, math.ceil(P * len(ring)) - 1)] if ring else 0.0
        promise = x['point'] + max(0.0, margin)
        heapq.heappush(pending, (x['drop'], key, x['drop'] - x['point']))
        late += x['drop'] > promise + 1e-9
        abs_err += abs(x['drop'] - promise)
        slack += promise - x['drop']
    n = len(rows)
    return 1 - late / n, abs_err / n, slack / n, n


def main():
    folder = sys.argv[1]
    instances = sys.argv[2] if len(sys.argv) > 2 else os.path.join('..', 'shared', 'mdrp', 'instances')
    runs = [load(p, instances) for p in sorted(glob.glob(os.path.join(folder, 'promises', '*_on.csv')))]
    per_seed = collections.defaultdict(lambda: [[0, 0, 0.0, 0.0] for _ in BANDS[1:]])
    for trace, rows in runs:
        for x in rows:
            b = next(i for i in range(len(BANDS) - 1) if BANDS[i] <= x['ahead'] < BANDS[i + 1])
            a = per_seed[trace[0]][b]
            a[0] += 1
            a[1] += x['drop'] > x['promise'] + 1e-9
            a[2] += x['drop'] - x['point']
            a[3] += x['promise'] - x['point']
    print('seed | late share / mean error / mean margin by predicted orders ahead: '
          + ' | '.join(f'[{BANDS[i]:g}, {BANDS[i + 1]:g})' for i in range(len(BANDS) - 1)))
    for seed in sorted(per_seed):
        cells = [f'{100 * l / n:.1f} % / {e / n:+.2f} / {m / n:.2f} ({n})' if n else '-' for n, l, e, m in per_seed[seed]]
        print(f'{seed} | ' + ' | '.join(cells))
    for label, bands in (('situation = simulated wait (as the engine)', []),
                         ('x predicted orders ahead per courier, bands 0.1, 0.3', [0.1, 0.3])):
        fam = collections.defaultdict(lambda: [0, 0.0, 0.0, 0.0])
        for trace, rows in runs:
            ot, mae, sl, n = replay(rows, bands)
            f = fam['courier-short' if trace[0] in '1456' else 'plentiful']
            f[0] += n
            f[1] += ot * n
            f[2] += mae * n
            f[3] += sl * n
        print(label + ': ' + '; '.join(f'{k} on time {100 * v[1] / v[0]:.2f} %, MAE {v[2] / v[0]:.2f}, slack {v[3] / v[0]:.2f}'
                                       for k, v in sorted(fam.items())))


if __name__ == '__main__':
    main()
