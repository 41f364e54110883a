"""How often a micro demo's models answer held-out prompts in their format, whatever the content.

    python Scripts/held_out_format.py RUN [RUN ...]      # RUN: an `mlan demo --output` folder

Reads every seed's `samples/RECIPE/samples_micro_*.jsonl` of the held-out clusters (existence, multiple choice,
boolean statement; both modalities) and prints, per recipe, the fraction of answers that, after the `mlan`
protocol's filters, are `yes`/`no` (existence and statements, whose true/false maps to yes/no) or an option
letter A-D (multiple choice). A score near chance with answers out of format measures format, not skill; this
separates the two. Docs/RECIPE.md ("Instruction phrasings") has the numbers. Standard library only.
"""
import glob
import json
import sys

HELD_OUT = ("existence", "multiple_choice", "boolean_statement")


def in_format(run, recipe):
    hits = total = 0
    for path in glob.glob(f"{run}/seed-*/samples/{recipe}/samples_micro_*.jsonl"):
        if not any(f"samples_micro_{cluster}_" in path for cluster in HELD_OUT):
            continue
        allowed = {"a", "b", "c", "d"} if "multiple_choice" in path else {"yes", "no"}
        for line in open(path):
            answer = next(iter(json.loads(line)["filtered"].values())).strip().lower()
            hits, total = hits + (answer in allowed), total + 1
    return hits / total if total else float("nan")


for run in sys.argv[1:]:
    recipes = sorted({p.split("/")[-2] for p in glob.glob(f"{run}/seed-*/samples/*/")})
    print(run, " | ".join(f"{r} {in_format(run, r):.2f}" for r in recipes))
