"""How often a micro demo's models answer held-out prompts in their format, whatever the content.

    python Scripts/held_out_format.py RUN [RUN ...]      # RUN: an `mlan demo --output` folder

Reads every seed's `samples/RECIPE/samples_micro_*.jsonl` of the held-out clusters (existence, multiple choice,
boolean statement; both modalities) and prints, per recipe, the fraction of answers that, after the `mlan`
protocol's filters, are `yes`/`no` (existence and statements, whose true/false maps to yes/no) or an option
letter A-D (multiple choice), and the share of each task's most frequent answer (averaged over the seeds' task
files; 1.00 means one answer to every question). A score near chance with answers out of format measures format,
not skill, and one with a single answer measures the answer's frequency; this separates them. Docs/RECIPE.md ("Instruction phrasings") has the numbers. Standard library only.
"""
import collections
import glob
import json
import sys

HELD_OUT = ("existence", "multiple_choice", "boolean_statement")


def in_format(run, recipe):
    """(share of answers in format, mean share of each task file's most frequent answer)."""
    hits = total = 0
    top_shares = []
    for path in glob.glob(f"{run}/seed-*/samples/{recipe}/samples_micro_*.jsonl"):
        if not any(f"samples_micro_{cluster}_" in path for cluster in HELD_OUT):
            continue
        allowed = {"a", "b", "c", "d"} if "multiple_choice" in path else {"yes", "no"}
        answers = [next(iter(json.loads(line)["filtered"].values())).strip().lower() for line in open(path)]
        hits, total = hits + sum(answer in allowed for answer in answers), total + len(answers)
        if answers:
            top_shares.append(collections.Counter(answers).most_common(1)[0][1] / len(answers))
    if not total:
        return float("nan"), float("nan")
    return hits / total, sum(top_shares) / len(top_shares)


for run in sys.argv[1:]:
    recipes = sorted({p.split("/")[-2] for p in glob.glob(f"{run}/seed-*/samples/*/")})
    print(run, " | ".join("{} {:.2f} (top answer {:.2f})".format(r, *in_format(run, r)) for r in recipes))
