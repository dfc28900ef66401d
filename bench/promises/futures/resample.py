#!/usr/bin/env python3
"""Traces whose orders after a cut are replaced, to measure how much of a promise's error the future decides.

Usage: resample.py TRACE_DIR OUT_DIR [--kind bootstrap|forecast] [--k K] [--step MIN] [--seed S]
  For every cut T (every STEP minutes through the trace's placements) writes trace folders that keep every order placed
  before T, unchanged and in the same file order, and replace the orders placed at or after T:
  - bootstrap (K folders per cut, `_T<T>_k<i>`): each later order comes Poisson(1) times (0, 1, 2, ...): a copy is the
    order itself or, at random, the order moved up to 5 min (not before T, ready time moved alike) and up to 400 m (inside
    the trace's extent): the
    same demand, as likely from the same places, but not the same orders. One draw is as good a guess of the real future
    as the real future is of it.
  - forecast (2 folders per cut): `_T<T>_none` (no order after T) and `_T<T>_lasthour` (the orders placed in the hour
    before T again, 60 min later): what a quote could simulate forward without knowing the future.
  - forecast-draws (K folders per cut, `_T<T>_k<i>`): the last hour again, 60 min later, drawn as bootstrap draws the real
    future: what K simulations forward from a forecast of demand (the recent past) would see, without knowing the future.
  Couriers, restaurants and parameters are links to the trace's own files. OUT_DIR/meta.json lists, per folder, the cut,
  the draw, and the orders judged there: those placed in the STEP minutes before T (file row -> original order id).
  Print: the trace's peak minute (the middle of its busiest hour of placements, as the simulator finds it), to pass as
  `scenarios --peak` so that a resample does not move the scenario's events.
"""
import argparse, json, math, os, random

ap = argparse.ArgumentParser()
ap.add_argument('trace'); ap.add_argument('out')
ap.add_argument('--kind', choices=['bootstrap', 'forecast', 'forecast-draws'], default='bootstrap')
ap.add_argument('--k', type=int, default=6); ap.add_argument('--step', type=int, default=15); ap.add_argument('--seed', type=int, default=1)
a = ap.parse_args()
name = os.path.basename(os.path.normpath(a.trace))
lines = open(os.path.join(a.trace, 'orders.txt')).read().strip('\n').split('\n')
header, rows = lines[0], [l.split('\t') for l in lines[1:]]
times = sorted(int(r[3]) for r in rows)
# The trace's extent (restaurants and drop-offs), which a moved copy stays inside: the simulator sizes the scenario's
# traffic raster from it, so a copy outside it would change travel times before the cut too.
sites = [l.split('\t') for l in open(os.path.join(a.trace, 'restaurants.txt')).read().strip('\n').split('\n')[1:]]
xs = [int(r[1]) for r in rows] + [int(r[1]) for r in sites]
ys = [int(r[2]) for r in rows] + [int(r[2]) for r in sites]
x_lo, x_hi, y_lo, y_hi = min(xs), max(xs), min(ys), max(ys)
clamp = lambda v, lo, hi: str(min(hi, max(lo, v)))
best, peak_start, j = 0, times[0], 0
for i in range(len(times)):  # CompiledScenario.PeakMinute
    while times[i] - times[j] >= 60: j += 1
    if i - j + 1 > best: best, peak_start = i - j + 1, times[j]
peak = peak_start + 30


def poisson1(rng):
    limit, k, p = math.exp(-1), 0, 1.0
    while True:
        p *= rng.random()
        if p < limit: return k
        k += 1


meta = {'trace': name, 'peak': peak, 'kind': a.kind, 'step': a.step, 'runs': {}}
next_id = 10 * len(rows) + 100000
for cut in range(a.step, max(times) + a.step, a.step):
    before = [r for r in rows if int(r[3]) < cut]
    if not before: continue  # nothing to judge, and a trace with no order has no peak
    draws = ('none', 'lasthour') if a.kind == 'forecast' else range(a.k)
    for draw in draws:
        after = []
        if draw == 'lasthour':
            for r in before:
                if int(r[3]) >= cut - 60:
                    next_id += 1
                    after.append([f'o{next_id}', r[1], r[2], str(int(r[3]) + 60), r[4], str(int(r[5]) + 60)])
        elif draw != 'none':
            rng = random.Random(a.seed * 1000003 + cut * 101 + draw)
            if a.kind == 'forecast-draws':
                source = [[f'h{r[0]}', r[1], r[2], str(int(r[3]) + 60), r[4], str(int(r[5]) + 60)] for r in before if int(r[3]) >= cut - 60]
            else:
                source = [r for r in rows if int(r[3]) >= cut]
            for r in source:
                for c in range(poisson1(rng)):
                    if c == 0 and rng.random() < 0.5:
                        after.append(r); continue
                    placed = max(cut, int(r[3]) + rng.randint(-5, 5))
                    next_id += 1
                    after.append([f'o{next_id}', clamp(int(r[1]) + rng.randint(-400, 400), x_lo, x_hi), clamp(int(r[2]) + rng.randint(-400, 400), y_lo, y_hi),
                                  str(placed), r[4], str(int(r[5]) + placed - int(r[3]))])
        run = f'{name}_T{cut}_{"k" if isinstance(draw, int) else ""}{draw}'
        d = os.path.join(a.out, run)
        os.makedirs(d, exist_ok=True)
        for f in ('couriers.txt', 'restaurants.txt', 'instance_parameters.txt'):
            link = os.path.join(d, f)
            if not os.path.lexists(link): os.symlink(os.path.abspath(os.path.join(a.trace, f)), link)
        with open(os.path.join(a.trace, 'instance_characteristics.txt')) as f:
            chars = [f'number of orders: {len(before) + len(after)}' if l.startswith('number of orders') else l for l in f.read().split('\n')]
        with open(os.path.join(d, 'instance_characteristics.txt'), 'w') as f: f.write('\n'.join(chars))
        with open(os.path.join(d, 'orders.txt'), 'w') as f:
            f.write(header + '\n')
            for r in before + after: f.write('\t'.join(r) + '\n')
        meta['runs'][run] = {'cut': cut, 'draw': draw, 'judged': {str(i): r[0] for i, r in enumerate(before) if int(r[3]) >= cut - a.step}}
with open(os.path.join(a.out, 'meta.json'), 'w') as f: json.dump(meta, f)
print(peak)
