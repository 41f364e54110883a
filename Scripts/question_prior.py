#!/usr/bin/env python3
"""The question-only baseline of a micro-world demo run: how well a model scores that answers without the scene.

Usage: python Scripts/question_prior.py RUN MIXTURE

The baseline answers each evaluated document of a micro-world task with the answer the world most often gives to
the same question in its training and control records of that cluster (both modalities: the question text is
the same in both), with the scene removed (the `<image>` line, or the `Scene:`/`Context:` line) and the order of
lettered options removed; with options, it names the letter of the offered option most often given. A model that
learned only which answer goes with which question scores about this baseline; one that reads the scene can beat
it. It is a property of the world's tasks, not of the mixture, so held-out cells have one too when the world
wrote control records for them. A question the records never ask falls back to the cluster's answers overall.

Reads RUN/seed-N/world/{train,control,eval}/CLUSTER_MODALITY.json and
RUN/seed-N/samples/MIXTURE/samples_micro_TASK.jsonl (the model's answers). Prints per task: the baseline and
the model per seed, the share of documents where the model gives the baseline's answer, and the model's lead
over the baseline as mean ± sample standard deviation over seeds. Tasks without training or control records
have no baseline and are left out. The demo's table shows the same baseline per cell (`question only`, from
MLANExperiment's QuestionOnlyBaseline); this script adds the per-seed view and "same answer" for older runs.
"""
import collections
import json
import pathlib
import re
import statistics
import sys

OPTION = re.compile(r"^([A-Z]): (.*)$", re.M)


def question(prompt):
    """The prompt without its scene and without its option lines."""
    lines = prompt.replace("<image>\n", "").split("\n")
    if lines[0].startswith(("Scene:", "Context:")):
        lines = lines[1:]
    return "\n".join(line for line in lines if not OPTION.match(line))


def answer(reply):
    """A reply as the evaluation compares it: the quoted answer if any, lower case, true/false as yes/no."""
    quoted = re.search(r'"([^"]*)"', reply)
    text = (quoted.group(1) if quoted else reply).strip().lower()
    return {"true": "yes", "false": "no"}.get(text, text)


def load(path, what):
    try:
        with open(path, encoding="utf-8") as handle:
            return json.load(handle) if path.suffix == ".json" else [json.loads(l) for l in handle if l.strip()]
    except (OSError, ValueError) as error:
        sys.exit(f"{path}: cannot read the {what}: {error}")


def best_answer(counts, prompt):
    """The most frequent answer in `counts`; for a prompt with lettered options, the letter of the most frequent
    answer among the options (the first option when none was ever given)."""
    letters = {answer(text): letter for letter, text in OPTION.findall(prompt)}
    if not letters:
        # Ties go to the alphabetically first answer, as the demo's table breaks them.
        return min(counts.items(), key=lambda item: (-item[1], item[0]))[0] if counts else ""
    return max(letters.items(), key=lambda option: counts[option[0]])[1]


def seed_scores(seed, mixture):
    """{task: (baseline accuracy, model accuracy, share of answers equal to the baseline's)} for one seed."""
    world, results = seed / "world", {}
    for samples in sorted((seed / "samples" / mixture).glob("samples_micro_*.jsonl")):
        task = samples.stem[len("samples_micro_"):]
        cluster = task.rsplit("_", 1)[0]
        sources = [f for folder in ("train", "control") for f in sorted((world / folder).glob(f"{cluster}_*.json"))
                   if f.stem.rsplit("_", 1)[0] == cluster]
        if not sources:
            continue
        by_question, overall = collections.defaultdict(collections.Counter), collections.Counter()
        for source in sources:
            for index, record in enumerate(load(source, "training records")):
                try:
                    turns = record["conversations"]
                    reply = answer(turns[1]["value"])
                    by_question[question(turns[0]["value"])][reply] += 1
                    overall[reply] += 1
                except (KeyError, IndexError, TypeError):
                    sys.exit(f"{source}: record {index}: no two 'conversations' turns with a 'value'")
        documents = {d["id"]: d for d in load(world / "eval" / f"{task}.json", "evaluated documents")}
        hits = agreements = right = 0
        rows = load(samples, "samples")
        for index, row in enumerate(rows):
            document = documents.get(row.get("doc_id"))
            if document is None:
                sys.exit(f"{samples}: record {index}: doc_id {row.get('doc_id')!r} is not in world/eval/{task}.json")
            prompt = document["conversations"][0]["value"]
            guess = best_answer(by_question.get(question(prompt)) or overall, prompt)
            gold, given = row["target"][0].lower(), next(iter(row["filtered"].values())).lower()
            hits += guess.lower() == gold
            agreements += guess.lower() == given
            right += next(iter(row["metrics"].values()))
        results[task] = (hits / len(rows), right / len(rows), agreements / len(rows))
    return results


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    run, mixture = pathlib.Path(sys.argv[1]), sys.argv[2]
    seeds = sorted((s for s in run.glob("seed-*") if (s / "samples" / mixture).is_dir()),
                   key=lambda p: int(p.name.split("-")[1]))
    if not seeds:
        sys.exit(f"{run}: no seed-N/samples/{mixture} folders")
    per_seed = [seed_scores(s, mixture) for s in seeds]
    print(f"{mixture} (seeds: {', '.join(s.name for s in seeds)})")
    for task in sorted(set().union(*per_seed)):
        values = [scores[task] for scores in per_seed if task in scores]
        column = lambda i: " ".join(f"{v[i]:.3f}" for v in values)
        leads = [model - prior for prior, model, _ in values]
        spread = statistics.stdev(leads) if len(leads) > 1 else 0.0
        print(f"  {task:28s} baseline {column(0):20s} model {column(1):20s} same answer {column(2):20s} "
              f"lead {statistics.mean(leads):+.3f} ± {spread:.3f}")


if __name__ == "__main__":
    main()
