"""Two runs' ``scores.csv`` row for row (issue 12's before / after proof).

    .venv/bin/python benchmarks/compare_scores.py BEFORE.csv AFTER.csv

Matches rows on (experiment, system, condition, image, metric), reports rows present in only
one file, every other column's agreement, and per experiment x metric and experiment x
system how many values are bit-identical and the largest difference.
"""

from __future__ import annotations

import argparse

import pandas as pd

KEYS = ["experiment", "system", "condition", "image", "metric"]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("before")
    ap.add_argument("after")
    a = ap.parse_args()
    before = pd.read_csv(a.before, dtype={"image": str})
    after = pd.read_csv(a.after, dtype={"image": str})
    m = before.merge(after, on=KEYS, how="outer", suffixes=("_before", "_after"), indicator=True)
    print(f"rows: before {len(before)}, after {len(after)}, in both {(m._merge == 'both').sum()}")
    lonely = m[m._merge != "both"]
    if len(lonely):
        print(lonely.groupby(["_merge", "experiment", "system"]).size().to_string())
    b = m[m._merge == "both"].copy()
    for col in sorted(set(before.columns) & set(after.columns) - {*KEYS, "value"}):
        x, y = b[f"{col}_before"], b[f"{col}_after"]
        print(f"column {col}: {((x == y) | (x.isna() & y.isna())).sum()}/{len(b)} equal")
    x, y = b["value_before"], b["value_after"]
    b["identical"] = (x == y) | (x.isna() & y.isna())
    b["abs_diff"] = (x - y).abs()
    for by in (["experiment", "metric"], ["experiment", "system"]):
        table = b.groupby(by).agg(
            rows=("identical", "size"), identical=("identical", "sum"), max_diff=("abs_diff", "max")
        )
        print(table.to_string())


if __name__ == "__main__":
    main()
