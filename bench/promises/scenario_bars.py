#!/usr/bin/env python3
"""The scenario table's bars (issue 12), counted from `scenarios --out DIR` tables.

Usage: scenario_bars.py DIR [DIR2]
  DIR (and DIR2) hold scenarios.md as `Dispatch.Simulator scenarios samples/scenarios <traces> --out DIR` writes it.
  Prints, for all runs, the courier-short seeds (1, 4, 5, 6) and the plentiful ones (0, 2, 3), with re-planning on:
  runs meeting on time vs promise >= 90 %, MAE <= 3, mean slack <= 5, all three; the means of those figures and of
  click-to-door and p90; and the runs where re-planning is worse than --no-replan (higher c2d mean or p90).
  With DIR2, every run whose figures moved, DIR -> DIR2.
To compare two builds fairly, run each on the same draws (see bench/README.md, "Checking a dispatch change"): a change
of promises moves decisions through the planner's promise weight, so one table is one draw.
"""
import sys


def load(d):
    rows = {}
    for line in open(d + '/scenarios.md'):
        if not line.startswith('| ') or line.startswith('| scenario'):
            continue
        c = [x.strip() for x in line.strip().strip('|').split('|')]
        if len(c) < 16 or c[0].startswith('---'):
            continue
        f = lambda x: float(x.replace('%', '').strip())
        rows[(c[0], c[1][0])] = dict(c2d_on=f(c[2]), c2d_off=f(c[3]), p90_on=f(c[6]), p90_off=f(c[7]),
                                     ot=f(c[8]), mae=f(c[10]), sl=f(c[12]))
    return rows


def stat(rows, keys):
    ot = sum(1 for k in keys if rows[k]['ot'] >= 90)
    mae = sum(1 for k in keys if rows[k]['mae'] <= 3)
    sl = sum(1 for k in keys if rows[k]['sl'] <= 5)
    every = sum(1 for k in keys if rows[k]['ot'] >= 90 and rows[k]['mae'] <= 3 and rows[k]['sl'] <= 5)
    worse = sum(1 for k in keys if rows[k]['c2d_on'] > rows[k]['c2d_off'] or rows[k]['p90_on'] > rows[k]['p90_off'])
    m = lambda f: sum(rows[k][f] for k in keys) / len(keys)
    return (f"on time >= 90 % {ot:2d}, MAE <= 3 {mae:2d}, slack <= 5 {sl:2d}, all three {every:2d} of {len(keys)} | "
            f"means {m('ot'):.2f} % / {m('mae'):.3f} / {m('sl'):.3f}, c2d {m('c2d_on'):.3f}, p90 {m('p90_on'):.2f} | "
            f"re-planning worse {worse}")


def summary(d):
    rows = load(d)
    keys = sorted(rows)
    print(d)
    print('  all          ', stat(rows, keys))
    print('  courier-short', stat(rows, [k for k in keys if k[1] in '1456']))
    print('  plentiful    ', stat(rows, [k for k in keys if k[1] in '023']))
    return rows


if __name__ == '__main__':
    if len(sys.argv) not in (2, 3):
        sys.exit(__doc__)
    a = summary(sys.argv[1])
    if len(sys.argv) == 3:
        b = summary(sys.argv[2])
        for k in sorted(a):
            x, y = a[k], b.get(k)
            if y and any(abs(x[f] - y[f]) > 1e-9 for f in ('ot', 'mae', 'sl', 'c2d_on', 'p90_on')):
                print(f"  {k[0]:26s} {k[1]}  on time {x['ot']:5.1f} -> {y['ot']:5.1f}  MAE {x['mae']:5.2f} -> {y['mae']:5.2f}  "
                      f"slack {x['sl']:5.2f} -> {y['sl']:5.2f}  c2d {x['c2d_on']:.2f} -> {y['c2d_on']:.2f} (off {y['c2d_off']:.2f})  "
                      f"p90 {x['p90_on']:.0f} -> {y['p90_on']:.0f} (off {y['p90_off']:.0f})")
