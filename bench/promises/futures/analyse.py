#!/usr/bin/env python3
"""How much of a promise's error is the future's, and how well any quote could do, from resampled futures.

Usage: analyse.py BOOT_DIR BOOT_OUT SCENARIO [--window W] [--forecast FC_DIR FC_OUT] [--draws FD_DIR FD_OUT]
  BOOT_DIR: resample.py --kind bootstrap's folders (meta.json); BOOT_OUT: `scenarios ... --out` over them (promises/*_on.csv).
  SCENARIO: the scenario name in the CSV names. Judged: orders placed within W minutes (default 3) before their cut, so
  at most W minutes of the real future are known to every draw; each has one drop-off per future.
  Prints, over those orders and all their futures (re-planning on; on time: dropped off no later than the promise,
  without the simulator's half-minute tolerance, alike for every row):
  - the engine's own promise (the same in every future: the past is unchanged; a difference is reported);
  - how often the drop-off does not depend on the future at all, and the engine's error on those orders;
  - an oracle that knows each order's drop-offs over the futures and picks one promise per order, trading error for the
    share kept at 90 % (in-sample: optimistic, a bound on any quote made at placement under this dispatch);
  - an ensemble quote: the same choice made from half the futures and judged on the other half (what simulating the
    engine forward K/2 times, with futures drawn like the real one, would give);
  - one future as the point estimate plus one margin chosen with hindsight for 90 %;
  - with --forecast: the engine's point estimate, a rollout with no order after the cut and one with the last hour
    again, each plus one margin chosen with hindsight for 90 %, judged on the bootstrap futures;
  - with --draws (resample.py --kind forecast-draws): the ensemble quote made from forecast draws instead of futures
    like the real one: what simulating the engine forward from a forecast of demand could give at best.
"""
import argparse, collections, csv, json, math, os

ap = argparse.ArgumentParser()
ap.add_argument('boot_dir'); ap.add_argument('boot_out'); ap.add_argument('scenario')
ap.add_argument('--window', type=int, default=3); ap.add_argument('--forecast', nargs=2); ap.add_argument('--draws', nargs=2)
a = ap.parse_args()


def load(d, out, promises=None):
    """Drop-offs per judged order and draw, and each order's first row. With promises (the bootstrap's rows), an order
    whose promise in some run differs from that is marked: its past differed there."""
    meta = json.load(open(os.path.join(d, 'meta.json')))
    drops, rows, differs = collections.defaultdict(dict), {}, set()
    for run, m in meta['runs'].items():
        path = os.path.join(out, 'promises', f'{a.scenario}_{run}_on.csv')
        if not os.path.exists(path): continue
        judged = m['judged']
        for r in csv.DictReader(open(path)):
            if r['order'] not in judged or float(r['placed']) < m['cut'] - a.window: continue
            oid = judged[r['order']]
            ref = (promises or rows).get(oid)
            if ref is not None and r['promise'] != ref['promise']: differs.add(oid)
            rows.setdefault(oid, r)
            drops[oid][m['draw']] = float(r['drop'])
    return drops, rows, differs


drops, rows, differs = load(a.boot_dir, a.boot_out)
fc = fd = None
if a.forecast:
    fc, _, d2 = load(*a.forecast, promises=rows); differs |= d2
if a.draws:
    fd, _, d3 = load(*a.draws, promises=rows); differs |= d3
K = max(len(v) for v in drops.values())
fin = math.isfinite
# An order whose promise differs between runs had a past that differed too. It should not, but a resample that moves the
# trace's extent (the orders' bounding box: an extreme order dropped, or none after the cut) resizes the scenario's
# traffic raster, and with it the travel times before the cut. Such orders are left out and counted.
orders = sorted(o for o in drops if len(drops[o]) == K and all(map(fin, drops[o].values())) and fin(float(rows[o]['promise'])) and o not in differs)
print(f'{a.scenario}: {len(orders)} orders placed within {a.window} min before a cut, {K} futures each '
      f'({len(drops) - len(orders)} left out: not delivered in every future, no promise, or a promise differing between runs: {len(differs)})')


def figures(pairs):
    pairs = list(pairs); n = len(pairs)
    return (sum(d <= p + 1e-9 for p, d in pairs) / n, sum(abs(p - d) for p, d in pairs) / n, sum(p - d for p, d in pairs) / n)


def show(name, f): print(f'  {name:58s} on time {f[0] * 100:5.1f} %  MAE {f[1]:5.2f}  slack {f[2]:5.2f}')


show("engine's promise at placement", figures((float(rows[o]['promise']), d) for o in orders for d in drops[o].values()))
spread = {o: max(drops[o].values()) - min(drops[o].values()) for o in orders}
ss = sorted(spread.values())
print(f'  drop-off spread over the futures (max - min): p50 {ss[len(ss) // 2]:.1f}, p75 {ss[3 * len(ss) // 4]:.1f}, p90 {ss[9 * len(ss) // 10]:.1f} min')
for label, test in (('the same in every future', lambda s: s == 0), ('spread up to 6 min', lambda s: 0 < s <= 6), ('spread over 6 min', lambda s: s > 6)):
    g = [o for o in orders if test(spread[o])]
    if g:
        f = figures((float(rows[o]['promise']), d) for o in g for d in drops[o].values())
        print(f'    {label:26s} {len(g) / len(orders) * 100:5.1f} % of orders; engine on them: on time {f[0] * 100:5.1f} %  MAE {f[1]:5.2f}')


def choice(samples, lam):
    s = sorted(samples); k = len(s)
    return min(((sum(abs(v - x) for x in s) / k - lam * (j + 1) / k, v) for j, v in enumerate(s)))[1]


def at90(pick, judge, source=None):
    source = source or drops
    def run(lam): return figures((choice([source[o][k] for k in pick], lam), drops[o][k]) for o in orders for k in judge)
    lo, hi = 0.0, 500.0
    for _ in range(40):
        mid = (lo + hi) / 2
        if run(mid)[0] >= 0.9: hi = mid
        else: lo = mid
    return run(hi)


keys = sorted(next(iter(drops.values())).keys())
show(f'oracle, one promise per order, in-sample on all {K} futures', at90(keys, keys))
h = K // 2
f1, f2 = at90(keys[:h], keys[h:]), at90(keys[h:], keys[:h])
show(f'ensemble of {h} futures, judged on the other {K - h}', tuple((x + y) / 2 for x, y in zip(f1, f2)))


def one_margin(name, point, judge_keys):
    err = sorted(drops[o][k] - point(o) for o in orders for k in judge_keys)
    m = err[int(math.ceil(0.9 * len(err))) - 1]
    show(f'{name} + one margin ({m:+.1f}, hindsight)', figures((m, e) for e in err))


one_margin('one future as the point estimate', lambda o: drops[o][keys[0]], keys[1:])
if fc is not None:
    kept = [o for o in orders if o in fc and all(fin(fc[o].get(x, math.nan)) for x in ('none', 'lasthour'))]
    if len(kept) < len(orders): print(f'  forecasts: {len(orders) - len(kept)} orders left out (not delivered in a forecast run)')
    orders = kept
    one_margin("engine's point estimate", lambda o: float(rows[o]['point']), keys)
    one_margin('rollout, no order after the cut', lambda o: fc[o]['none'], keys)
    one_margin('rollout, the last hour again', lambda o: fc[o]['lasthour'], keys)
if fd is not None:
    fk = sorted(next(iter(fd.values())).keys())
    kept = [o for o in orders if o in fd and len(fd[o]) == len(fk) and all(map(fin, fd[o].values()))]
    if len(kept) < len(orders): print(f'  forecast draws: {len(orders) - len(kept)} orders left out (not delivered in every draw)')
    orders = kept
    show(f'ensemble of {len(fk)} forecast draws, judged on the {K} futures', at90(fk, keys, fd))
    show(f'oracle on the same orders (in-sample, {K} futures)', at90(keys, keys))
