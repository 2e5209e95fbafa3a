"""Reads salesim's events.csv as a process-mining tool would: pm4py formats
it as an event log (XES mapping of MODEL.md section 11), then discovers a
process model. Exits non-zero on any error or an empty result.

Usage: python pm4py_check.py EVENTS_CSV
"""
import sys

import pandas as pd
import pm4py

path = sys.argv[1]
df = pd.read_csv(path, keep_default_na=False, na_values={"score": [""]})
df["start_time"] = pd.to_datetime(df["start_time"], utc=True, format="ISO8601")
df["end_time"] = pd.to_datetime(df["end_time"], utc=True, format="ISO8601")
df = pm4py.format_dataframe(
    df,
    case_id="case_id",
    activity_key="activity",
    timestamp_key="end_time",
    start_timestamp_key="start_time",
)
log = pm4py.convert_to_event_log(df)
cases = len(log)
events = sum(len(trace) for trace in log)
net, initial, final = pm4py.discover_petri_net_inductive(log)
dfg, starts, ends = pm4py.discover_dfg(log)
activities = sorted({e["concept:name"] for trace in log for e in trace})
print(f"pm4py read {cases} cases and {events} events; activities: {', '.join(activities)}")
print(f"inductive miner: {len(net.places)} places, {len(net.transitions)} transitions; "
      f"directly-follows graph: {len(dfg)} edges, start activities {sorted(starts)}")
if cases == 0 or events == 0 or not net.transitions or not dfg or starts.keys() != {"arrival"}:
    sys.exit("pm4py found no usable process in the event log")
