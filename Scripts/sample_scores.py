#!/usr/bin/env python3
"""Scores of a demo run read back from its sample logs, for runs that stopped before writing results.json.

Usage: python Scripts/sample_scores.py RUN [MIXTURE ...]   (default: every mixture found)

Reads RUN/seed-N/samples/MIXTURE/samples_TASK.jsonl (what `mlan demo` logs for every evaluated document) and
prints, per mixture and task: the accuracy per seed, their mean and sample standard deviation (as results.json
computes them), the majority share of the gold answers (mean over seeds), and the share of the most frequent
filtered answer (mean over seeds): near 1 means one fixed answer, whatever the scene.
"""
import collections
import json
import pathlib
import statistics
import sys


def read(path):
    with open(path, encoding="utf-8") as handle:
        rows = [json.loads(line) for line in handle if line.strip()]
    if not rows:
        sys.exit(f"{path}: no samples")
    for index, row in enumerate(rows):
        if len(row.get("metrics", {})) != 1:
            sys.exit(f"{path}: record {index}: expected one metric in 'metrics', got {row.get('metrics')}")
    accuracy = sum(next(iter(r["metrics"].values())) for r in rows) / len(rows)
    golds = collections.Counter(r["target"][0] for r in rows)
    answers = collections.Counter(next(iter(r["filtered"].values())) for r in rows)
    return accuracy, max(golds.values()) / len(rows), max(answers.values()) / len(rows)


def main():
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    run = pathlib.Path(sys.argv[1])
    seeds = sorted(run.glob("seed-*"), key=lambda p: int(p.name.split("-")[1]))
    if not seeds:
        sys.exit(f"{run}: no seed-N folders")
    mixtures = sys.argv[2:] or sorted({p.name for s in seeds for p in (s / "samples").glob("*") if p.is_dir()})
    for mixture in mixtures:
        tasks = sorted({p.name[len("samples_"):-len(".jsonl")] for s in seeds for p in (s / "samples" / mixture).glob("samples_*.jsonl")})
        found = [s.name for s in seeds if (s / "samples" / mixture).is_dir()]
        print(f"{mixture} (seeds: {', '.join(found) or 'none'})")
        for task in tasks:
            scores = [read(s / "samples" / mixture / f"samples_{task}.jsonl") for s in seeds
                      if (s / "samples" / mixture / f"samples_{task}.jsonl").exists()]
            values = [a for a, _, _ in scores]
            spread = statistics.stdev(values) if len(values) > 1 else 0.0
            print(f"  {task:40s} per seed {' '.join(f'{v:.3f}' for v in values):24s} "
                  f"mean {statistics.mean(values):.3f} ± {spread:.3f}  majority {statistics.mean(m for _, m, _ in scores):.3f}  "
                  f"top answer {statistics.mean(t for _, _, t in scores):.2f}")


if __name__ == "__main__":
    main()
