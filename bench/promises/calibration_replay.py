#!/usr/bin/env python3
"""Replays promise calibrations offline on the per-order promise files of a scenario run.

    dotnet Dispatch.Simulator.dll scenarios samples/scenarios <traces...> --out DIR
    python3 bench/promises/calibration_replay.py 'DIR/promises/*_on.csv'

Each file holds, per order, the engine's point estimate at placement, its calibration situation (expected-wait band;
from snapshot format 10 on, plus 7 x the band of demand still to come),
the promise made and the actual drop-off. The script re-runs the calibration on those point estimates in event order
(a placement sees only the drop-offs before it) and scores each variant as the simulator does (on time = drop-off no
later than 0.5 min after the promise; MAE; mean slack = promise - drop-off), counting runs meeting issue 12's bars
(on time >= 90 %, MAE <= 3 min, slack <= 5 min). Variants:
  ring         the engine's rule: 0.9 quantile of the last 128 errors of the band (pooled ring below 24, none below 8);
               it reproduces the engine's figures to within a few hundredths.
  decay<T>     a time-weighted quantile (weights exp(-age / T minutes)): faster forgetting.
  p95          the same ring at the 0.95 quantile (what on time costs in slack).
  oracle<D>    a leading indicator at its best: the *actual* errors of the orders placed more than D minutes ago
               (what a perfect plan-ETA of in-flight orders would tell), latest 64 per band over two hours.
  live<H>      the errors of the band's orders placed within the last H minutes (delivered ones as realised; with
               "in-flight", undelivered ones past their point estimate as the lower bound now - point): a leading
               indicator the engine could compute without a plan ETA.
  recent<H>    the engine's rings, an error counting only while its drop-off lies within the last H minutes (falling
               back to the pooled recent errors, then to the ring as it is, or with "none" to no margin).
  hindsight    the 0.9 quantile of each band's (and each band-hour's) errors over the whole run, known in advance:
               the best any calibration of these point estimates can do.
  engine band  the engine's rule as it is now (OrderPromises): commit errors learnt at the commit, settled at delivery,
               completed by the drifts (a mixture quantile); reproduces main's figures (same run counts, MAE and slack
               within 0.03 min). Needs the columns commit_at and commit_drop, which the per-order file does not have:
               they come from the temporary debug patch of bench/results/promises.md (2026-12-02, "Remoteness").
  ... x <f>    ring, engine and hindsight with the situation band x a remoteness band of feature f (REMOTENESS below;
               also from that debug patch's columns).
A second argument picks variants by name, comma-separated (e.g. 'ring,recent60').
Standard library only; no figures in this file are tuned.
"""
import csv, glob, math, os, sys


def quantile(values, p):
    v = sorted(values)
    return v[max(0, min(len(v) - 1, math.ceil(p * len(v)) - 1))]


def weighted_quantile(pairs, p):
    pairs = sorted(pairs)
    total = sum(w for _, w in pairs)
    acc = 0.0
    for v, w in pairs:
        acc += w
        if acc >= p * total - 1e-12:
            return v
    return pairs[-1][0]


def load(path):
    rows = []
    for r in csv.DictReader(open(path)):
        d = {k: float(v) for k, v in r.items()}
        if math.isnan(d['point']):
            continue
        d['sit'] = int(d['situation'])
        if 'arrrank' in d:
            remoteness_features(d)
        rows.append(d)
    return rows


def ratio(a, b):
    return a / b if b > 0 and a >= 0 and math.isfinite(a) and math.isfinite(b) else math.nan


def remoteness_features(d):
    """The remoteness candidates of a row written with the (temporary) debug columns: `app` = approach minutes of the
    courier the queue simulation gives the order (-1 when it joins its site's open trip), `appmed` = median approach of
    the trips the simulation started for the orders ahead; `arr` = minutes until the first courier on shift could be at
    the site (its free time from now plus its drive from where it ends its plan), `arrrank` = share of the other open
    orders whose site a courier reaches sooner, `arrmed` = their median; `cen` = median drive to the site from where
    every courier on shift ends its plan (how central the site is to the fleet), `cenrank` = share of the other open
    orders whose site is more central; the relative forms have no per-city unit."""
    d['app_rel'] = ratio(d['app'], d['appmed'])
    d['arr_rel'] = ratio(d['arr'], d['arrmed'])
    d['arr_rank'] = d['arrrank']
    if 'cenrank' in d:
        d['cen_rank'] = d['cenrank']


def tercile(v, cuts):
    if math.isnan(v):
        return 1  # no comparison possible (no order ahead): the middle band
    return 0 if v < cuts[0] else 2 if v >= cuts[1] else 1


# Remoteness bands: ranks split into thirds; ratios to the median at 0.8 and 1.25 (symmetric about 1 on a log scale).
REMOTENESS = {'arr_rank': (1 / 3, 2 / 3), 'arr_rel': (0.8, 1.25), 'app_rel': (0.8, 1.25), 'cen_rank': (1 / 3, 2 / 3)}


def band_x(feature):
    return lambda r: (r['sit'], tercile(r[feature], REMOTENESS[feature]))


class Ring:
    window, min_band, min_pooled, p = 128, 24, 8, 0.9

    def __init__(self):
        self.rings = {}

    def learn(self, r):
        for k in (r['sit'], 'all'):
            ring = self.rings.setdefault(k, [])
            ring.append(r['drop'] - r['point'])
            del ring[:-self.window]

    def margin(self, r, t, rows, order):
        ring = self.rings.get(r['sit'], [])
        if len(ring) < self.min_band:
            ring = self.rings.get('all', [])
        return quantile(ring, self.p) if len(ring) >= self.min_pooled else 0.0


class P95(Ring):
    p = 0.95


def decay(tau):
    class Decay(Ring):
        def learn(self, r):
            for k in (r['sit'], 'all'):
                ring = self.rings.setdefault(k, [])
                ring.append((r['drop'], r['drop'] - r['point']))
                del ring[:-512]

        def margin(self, r, t, rows, order):
            for k in (r['sit'], 'all'):
                pairs = [(e, math.exp(-(t - at) / tau)) for at, e in self.rings.get(k, [])]
                if sum(w for _, w in pairs) >= 8:
                    return weighted_quantile(pairs, 0.9)
            return 0.0
    return Decay


SKIP, STOP = object(), object()


class RowSample(Ring):
    """A margin from the errors of other orders' rows, newest placement first (instead of the drop-off rings): the 0.9
    quantile of the band's errors if 24 or more, else of the pooled ones if 8 or more, else none. `error(x, t)` is a
    row's error, SKIP, or STOP (no older row counts); at most `cap` errors are kept a side."""
    cap = math.inf

    def learn(self, r):
        pass

    def error(self, x, t):
        raise NotImplementedError

    def margin(self, r, t, rows, order):
        band, pooled = [], []
        for j in reversed(order):
            if len(band) >= self.cap and len(pooled) >= self.cap:
                break
            x = rows[j]
            e = self.error(x, t)
            if e is STOP:
                break
            if e is SKIP:
                continue
            if len(pooled) < self.cap:
                pooled.append(e)
            if x['sit'] == r['sit'] and len(band) < self.cap:
                band.append(e)
        ring = band if len(band) >= 24 else pooled
        return quantile(ring, 0.9) if len(ring) >= 8 else 0.0


def oracle(delay):
    class Oracle(RowSample):
        cap = 64

        def error(self, x, t):
            if x['placed'] > t - delay:
                return SKIP
            if t - x['placed'] > 120:
                return STOP
            return SKIP if math.isnan(x['drop']) else x['drop'] - x['point']
    return Oracle


def live(horizon, inflight):
    """Errors of the band's orders placed within the last `horizon` minutes: delivered ones as realised; with
    `inflight`, undelivered ones as the lower bound `now - point` when already past their point estimate (what the
    engine can see of them without a plan ETA). Falls back to the pooled sample of the same orders, then to no margin."""
    class Live(RowSample):
        def error(self, x, t):
            if x['placed'] >= t:
                return SKIP
            if t - x['placed'] > horizon:
                return STOP
            if not math.isnan(x['drop']) and x['drop'] <= t:
                return x['drop'] - x['point']
            return t - x['point'] if inflight and t > x['point'] else SKIP
    return Live


def recent(horizon, fallback='ring'):
    """The engine's rings, but an error counts only while its drop-off lies within the last `horizon` minutes: a band
    with fewer than 24 such errors falls back to the pooled recent errors (8 or more), then to `fallback`
    ('ring': the band's ring as it is, 'none': no margin)."""
    class Recent(Ring):
        def learn(self, r):
            for k in (r['sit'], 'all'):
                ring = self.rings.setdefault(k, [])
                ring.append((r['drop'], r['drop'] - r['point']))
                del ring[:-self.window]

        def margin(self, r, t, rows, order):
            band = [e for at, e in self.rings.get(r['sit'], []) if at > t - horizon]
            if len(band) >= self.min_band:
                return quantile(band, self.p)
            pooled = [e for at, e in self.rings.get('all', []) if at > t - horizon]
            if len(pooled) >= self.min_pooled:
                return quantile(pooled, self.p)
            if fallback == 'ring':
                ring = [e for _, e in self.rings.get(r['sit'], [])]
                if len(ring) < self.min_band:
                    ring = [e for _, e in self.rings.get('all', [])]
                return quantile(ring, self.p) if len(ring) >= self.min_pooled else 0.0
            return 0.0
    return Recent


def keyed_ring(key):
    """The ring rule (whole errors at delivery) with situation `key(row)` in place of the wait band."""
    class KeyedRing(Ring):
        def learn(self, r):
            for k in (key(r), 'all'):
                ring = self.rings.setdefault(k, [])
                ring.append(r['drop'] - r['point'])
                del ring[:-self.window]

        def margin(self, r, t, rows, order):
            ring = self.rings.get(key(r), [])
            if len(ring) < self.min_band:
                ring = self.rings.get('all', [])
            return quantile(ring, self.p) if len(ring) >= self.min_pooled else 0.0
    return KeyedRing


def mixture_quantile(whole, provisional, drift, p):
    """ErrorQuantiles.MixtureQuantile: the nearest-rank p-quantile of each whole error (weight len(drift)) and each
    provisional error plus each drift (weight 1)."""
    nd = len(drift)
    pairs = [(w, nd) for w in whole] + [(a + b, 1) for a in provisional for b in drift]
    pairs.sort()
    total = nd * (len(whole) + len(provisional))
    rank = min(max(math.ceil(p * total), 1), total)
    acc = 0
    for v, w in pairs:
        acc += w
        if acc >= rank:
            return v
    return pairs[-1][0]


def replay_engine(rows, key, commit_strict=True):
    """The engine's rule (OrderPromises): an order enters its situation's ring (and the pooled one) at its commit with
    its commit error (planned drop-off at commit minus point), provisional; at delivery its drift (drop-off minus
    planned at commit) enters the drift rings and its entry, if still held, becomes the whole error. The margin is the
    mixture quantile of the entries answering for the situation (own ring from 24, pooled from 8), each provisional one
    completed by the situation's drifts (own ring from 24, pooled from 8; none: the entries as they are). Needs the
    debug columns commit_at and commit_drop. Events at a placement's own minute come after it (the engine's tick at that
    minute runs after the minute's placements): on main's 49 re-planning runs this reproduces the engine's figures to
    0.03 min of MAE and slack and the same run counts."""
    if not rows or 'commit_at' not in rows[0]:
        raise KeyError('commit_at')
    W, MINB, MINP, P = 128, 24, 8, 0.9
    events = []
    for i, r in enumerate(rows):
        if math.isnan(r.get('commit_at', math.nan)) or not math.isfinite(r['point']):
            continue
        events.append((r['commit_at'], 0, i))
        if not math.isnan(r['drop']):
            events.append((r['drop'], 1, i))
    events.sort()
    cal, drift, version = {}, {}, {}

    def push(rings, k, entry):
        ring = rings.setdefault(k, [])
        ring.append(entry)
        del ring[:-W]
        version[k] = version.get(k, 0) + 1

    cache = {}

    def margin(k):
        own = cal.get(k, [])
        ring_k = k if len(own) >= MINB else 'all'
        dk = k if len(drift.get(k, [])) >= MINB else 'all'
        stamp = (ring_k, version.get(ring_k, 0), dk, version.get(('d', dk), 0))
        hit = cache.get(k)
        if hit and hit[0] == stamp:
            return hit[1]
        entries = cal.get(ring_k, [])
        d = drift.get(dk, [])
        if len(d) < MINP:
            d = []
        if len(entries) < MINP:
            m = 0.0
        elif not d:
            m = quantile([e[0] for e in entries], P)
        else:
            m = mixture_quantile([e[0] for e in entries if e[1] < 0], [e[0] for e in entries if e[1] >= 0], d, P)
        cache[k] = (stamp, m)
        return m

    order = sorted(range(len(rows)), key=lambda i: rows[i]['placed'])
    e, out = 0, {}
    for i in order:
        r = rows[i]
        t = r['placed']
        while e < len(events) and (events[e][0] < t or (not commit_strict and events[e][0] == t)):
            at, kind, j = events[e]
            x = rows[j]
            k = key(x)
            if kind == 0:
                for kk in (k, 'all'):
                    push(cal, kk, [x['commit_drop'] - x['point'], j])
            else:
                for kk in (k, 'all'):
                    ring = drift.setdefault(kk, [])
                    ring.append(x['drop'] - x['commit_drop'])
                    del ring[:-W]
                    version[('d', kk)] = version.get(('d', kk), 0) + 1
                    for entry in cal.get(kk, []):
                        if entry[1] == j:
                            entry[0], entry[1] = x['drop'] - x['point'], -1
                            version[kk] = version.get(kk, 0) + 1
                            break
            e += 1
        out[id(r)] = r['point'] + margin(key(r))
    return score(rows, lambda r: out[id(r)])


def score(rows, promise):
    n = late = 0
    ae = slack = 0.0
    for r in rows:
        if math.isnan(r['drop']) or not math.isfinite(r['promise']):
            continue
        s = promise(r) - r['drop']
        n += 1; slack += s; ae += abs(s); late += (-s > 0.5)
    return 1 - late / n, ae / n, slack / n


def replay(rows, variant):
    order = sorted(range(len(rows)), key=lambda i: rows[i]['placed'])
    drops = sorted((i for i in range(len(rows)) if not math.isnan(rows[i]['drop'])), key=lambda i: rows[i]['drop'])
    cal, k, out = variant(), 0, {}
    for i in order:
        r = rows[i]
        while k < len(drops) and rows[drops[k]]['drop'] <= r['placed']:
            cal.learn(rows[drops[k]]); k += 1
        out[id(r)] = r['point'] + cal.margin(r, r['placed'], rows, order)
    return score(rows, lambda r: out[id(r)])


def hindsight(rows, key):
    errors = {}
    for r in rows:
        if not math.isnan(r['drop']) and math.isfinite(r['promise']):
            errors.setdefault(key(r), []).append(r['drop'] - r['point'])
    margins = {k: quantile(v, 0.9) for k, v in errors.items()}
    return score(rows, lambda r: r['point'] + margins[key(r)])


def main():
    files = sorted(glob.glob(sys.argv[1]))
    runs = [load(f) for f in files]
    only = sys.argv[2].split(',') if len(sys.argv) > 2 else None
    variants = [('ring', lambda rows: replay(rows, Ring)), ('decay60', lambda rows: replay(rows, decay(60))),
                ('decay120', lambda rows: replay(rows, decay(120))), ('p95', lambda rows: replay(rows, P95)),
                ('oracle10', lambda rows: replay(rows, oracle(10))),
                ('live60', lambda rows: replay(rows, live(60, False))), ('live60 in-flight', lambda rows: replay(rows, live(60, True))),
                ('live120 in-flight', lambda rows: replay(rows, live(120, True))),
                ('recent30', lambda rows: replay(rows, recent(30))), ('recent60', lambda rows: replay(rows, recent(60))),
                ('recent90', lambda rows: replay(rows, recent(90))), ('recent60 none', lambda rows: replay(rows, recent(60, 'none'))),
                ('engine band', lambda rows: replay_engine(rows, lambda r: r['sit'])),
                ('hindsight band', lambda rows: hindsight(rows, lambda r: r['sit'])),
                ('hindsight band-hour', lambda rows: hindsight(rows, lambda r: (r['sit'], int(r['placed'] // 60))))]
    for f in REMOTENESS:
        variants += [(f'ring band x {f}', lambda rows, f=f: replay(rows, keyed_ring(band_x(f)))),
                     (f'engine band x {f}', lambda rows, f=f: replay_engine(rows, band_x(f))),
                     (f'hindsight band x {f}', lambda rows, f=f: hindsight(rows, band_x(f)))]
    print(f"{len(files)} runs | variant | on time >= 90 % | MAE <= 3 | slack <= 5 | mean on time | mean MAE | mean slack")
    for name, fn in variants:
        if only and name not in only:
            continue
        try:
            res = [fn(rows) for rows in runs]
        except KeyError as e:
            print(f"| {name} | needs the debug column {e} |")
            continue
        n = len(res)
        print(f"| {name} | {sum(on >= 0.9 for on, _, _ in res)} | {sum(m <= 3 for _, m, _ in res)} | "
              f"{sum(s <= 5 for _, _, s in res)} | {100 * sum(r[0] for r in res) / n:.1f} % | "
              f"{sum(r[1] for r in res) / n:.2f} | {sum(r[2] for r in res) / n:.2f} |", flush=True)


if __name__ == '__main__':
    main()
