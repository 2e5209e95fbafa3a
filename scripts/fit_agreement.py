"""Checks `salesim fit` against the Simod team's implementations.

Usage: fit_agreement.py FIT_DIR

FIT_DIR is a `salesim fit` output folder. Its logs/history.csv and
logs/simulated.csv are the two logs salesim compared; every distance of
fit.json's reproduction table that log-distance-measures implements is
recomputed with it on the same two logs (Simod's arguments: Wasserstein,
unnormalised), and must agree within TOLERANCE. Then each duration salesim
fitted a family to is recomputed from the history's rows and handed to
pix-framework's get_best_fitting_distribution (seeded): where salesim chose
a family pix-framework has (it never picks gamma), pix-framework must pick
the same, and the fitted mean must agree with pix-framework's within
MEAN_TOLERANCE.
"""
import datetime
import json
import math
import sys

import numpy as np
import pandas as pd
from log_distance_measures.case_arrival_distribution import case_arrival_distribution_distance
from log_distance_measures.circadian_event_distribution import circadian_event_distribution_distance
from log_distance_measures.absolute_event_distribution import absolute_event_distribution_distance
from log_distance_measures.config import AbsoluteTimestampType, EventLogIDs
from log_distance_measures.cycle_time_distribution import cycle_time_distribution_distance
from pix_framework.statistics.distribution import get_best_fitting_distribution

# Same formulas on the same logs: only float summation order differs.
TOLERANCE = 1e-6
# pix-framework's mean is the sample's; salesim's is the fitted family's
# (maximum likelihood), which differs from it by sampling error only.
MEAN_TOLERANCE = 0.05

IDS = EventLogIDs(case="case", activity="activity", start_time="start", end_time="end")
WEEK = 7 * 86400


def read(path):
    df = pd.read_csv(path, dtype={"case": str})
    for c in ("start", "end"):
        df[c] = pd.to_datetime(df[c], utc=True, format="ISO8601")
    return df


def working(start, end, calendar):
    """Seconds of `calendar` (days 0 = Monday, windows in minutes of the
    day) between two wall times."""
    total = 0.0
    day = start.normalize()
    while day <= end:
        if day.weekday() in calendar["days"]:
            for a, b in calendar["windows"]:
                lo = max(start, day + pd.Timedelta(minutes=a))
                hi = min(end, day + pd.Timedelta(minutes=b))
                if hi > lo:
                    total += (hi - lo).total_seconds()
        day += pd.Timedelta(days=1)
    return total


def main(folder):
    fit = json.load(open(f"{folder}/fit.json"))
    hist = read(f"{folder}/logs/history.csv")
    sim = read(f"{folder}/logs/simulated.csv")
    print(f"history {len(hist)} rows, simulated {len(sim)} rows")
    failures = []
    compared = 0

    def check(name, ours, theirs, tol=TOLERANCE):
        nonlocal compared
        compared += 1
        ok = abs(ours - theirs) <= tol * max(1.0, abs(theirs))
        print(f"  {'ok  ' if ok else 'FAIL'} {name:48} salesim {ours:.9g}  log-distance-measures {theirs:.9g}")
        if not ok:
            failures.append(name)

    def first_of(df, activity):
        # A case's first row of the activity (salesim's case durations).
        rows = df[df.activity == activity].sort_values(["case", "end"])
        return rows.groupby("case").head(1)

    end_only = AbsoluteTimestampType.END
    for m in fit["reproduction"]["measures"]:
        if m["fitted"] is None:
            continue
        kind, act = m["measure"], m["activity"]
        if kind == "hour of week":
            a, b = hist[hist.activity == act], sim[sim.activity == act]
            theirs = circadian_event_distribution_distance(a, IDS, b, IDS, discretize_type=end_only)
        elif kind == "weekly counts":
            a, b = hist[hist.activity == act], sim[sim.activity == act]
            theirs = absolute_event_distribution_distance(
                a, IDS, b, IDS, discretize_type=end_only,
                discretize_event=lambda s: math.floor(s / WEEK))
        elif kind == "case arrivals":
            theirs = case_arrival_distribution_distance(hist, IDS, sim, IDS)
        elif kind == "case duration":
            frm, to = act.split(" -> ")

            def pair(df):
                x, y = first_of(df, frm), first_of(df, to)
                both = set(x.case) & set(y.case)
                p = pd.concat([x[x.case.isin(both)], y[y.case.isin(both)]])
                # Cases whose target comes before the source are left out,
                # as salesim leaves out negative spans.
                t = p.groupby("case").agg(s=("start", "min"), e=("end", "max"))
                ok = set(t.index[(y.set_index("case").loc[t.index, "end"] >= x.set_index("case").loc[t.index, "start"])])
                return p[p.case.isin(ok)]
            theirs = cycle_time_distribution_distance(
                pair(hist), IDS, pair(sim), IDS, bin_size=datetime.timedelta(hours=1))
        else:
            continue
        check(f"{kind} {act}".strip(), m["fitted"], theirs)

    print("== pix-framework on the same durations")
    cal_name = next(p["value"].strip('"') for p in fit["parameters"] if p["key"] == "reps.calendar")
    rep_calendar = dict(fit["calendars"])[cal_name]
    np.random.seed(20261124)
    stages = {
        "review.duration": ["review"],
        "conversations.duration": ["conversation"],
    }
    for p in fit["parameters"]:
        est = p.get("estimate") or {}
        if est.get("kind") != "duration" or p["key"] not in stages:
            continue
        rows = hist[hist.activity.isin(stages[p["key"]])]
        # salesim fits a rep's durations as working time on the fitted rep
        # calendar (a review left at closing time resumes the next morning).
        data = [d for d in (working(s, e, rep_calendar) for s, e in zip(rows.start, rows.end)) if d > 0]
        if len(data) < 30:
            continue
        best = get_best_fitting_distribution(data)
        chosen = est["chosen"]
        cand = est["fit"]["candidates"][0]
        mu, sigma = cand["params"]
        mean = {"lognormal": lambda: math.exp(mu + sigma * sigma / 2),
                "gamma": lambda: mu * sigma, "exponential": lambda: mu}.get(chosen, lambda: float("nan"))()
        name = {"lognormal": "lognorm", "exponential": "expon"}.get(chosen)
        same = name is None or best.type.value == name
        close = abs(mean - best.mean) <= MEAN_TOLERANCE * best.mean
        print(f"  {'ok  ' if same and close else 'FAIL'} {p['key']:24} n={len(data)} salesim {chosen} mean {mean:.1f}s"
              f"  pix-framework {best.type.value} mean {best.mean:.1f}s")
        compared += 1
        if not (same and close):
            failures.append(p["key"])
    if failures:
        sys.exit(f"{len(failures)} of {compared} disagree: {failures}")
    print(f"all {compared} agree")


if __name__ == "__main__":
    main(sys.argv[1])
