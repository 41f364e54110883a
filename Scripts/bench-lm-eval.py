#!/usr/bin/env python3
"""lm-evaluation-harness + transformers' side of `mlan-bench eval`: HellaSwag, the first N documents, lm-eval protocol.

The peer configuration of ../shared/BENCHMARKS.md: lm-evaluation-harness 0.4.13 with transformers, SmolLM2-135M-Instruct
in float32 (the Q4_1 GGUF dequantized by transformers), batch 8, 2 threads. The documents are the shared
`hellaswag/hellaswag_val_full.txt` (six lines per item: context, gold index, four endings), written as a JSON-lines
file for a local lm-eval task with HellaSwag's prompt (the context, then " " + each ending; acc and acc_norm), so
nothing is downloaded.

Run with a Python that has lm_eval, transformers, torch and gguf (a venv outside the repository), alternating with
mlan's own run of the same documents:
    for i in 1 2; do /usr/bin/time -v mlan eval --model models/SmolLM2-135M-Instruct.Q4_1.gguf --weights f32 \
        --tasks hellaswag --limit 200; /usr/bin/time -v python3 Scripts/bench-lm-eval.py; done
Environment: MLAN_SHARED (default ../shared), BENCH_LIMIT (200), MLAN_THREADS (2), BENCH_MODEL (the GGUF).
Prints the wall time including the model's load, and the accuracies.
"""
import json
import os
import sys
import tempfile
import time

START = time.perf_counter()
HERE = os.path.dirname(os.path.abspath(__file__))
SHARED = os.environ.get("MLAN_SHARED", os.path.join(HERE, "..", "..", "shared"))
LIMIT = int(os.environ.get("BENCH_LIMIT", "200"))
THREADS = int(os.environ.get("MLAN_THREADS", "2"))
MODEL = os.environ.get("BENCH_MODEL", os.path.join(HERE, "..", "models", "SmolLM2-135M-Instruct.Q4_1.gguf"))

import torch  # noqa: E402  (after the clock starts: its import is part of the peer's cost)
from lm_eval import simple_evaluate  # noqa: E402
from lm_eval.tasks import TaskManager  # noqa: E402

torch.set_num_threads(THREADS)


def documents(path, limit):
    """The first `limit` items of hellaswag_val_full.txt as dicts; fails naming the line of a malformed item."""
    with open(path, encoding="utf-8") as handle:
        lines = handle.read().split("\n")
    items = []
    for start in range(0, min(len(lines) - 5, 6 * limit), 6):
        label = lines[start + 1]
        if label not in ("0", "1", "2", "3"):
            sys.exit(f"{path}: line {start + 2}: label: expected a gold index 0-3, found {label!r}")
        items.append({"query": lines[start], "label": int(label), "choices": lines[start + 2:start + 6]})
    if len(items) < limit:
        sys.exit(f"{path}: only {len(items)} items, {limit} asked")
    return items


with tempfile.TemporaryDirectory(prefix="bench-lm-eval-") as folder:
    data = os.path.join(folder, "hellaswag.jsonl")
    with open(data, "w", encoding="utf-8") as handle:
        for item in documents(os.path.join(SHARED, "data", "hellaswag", "hellaswag_val_full.txt"), LIMIT):
            handle.write(json.dumps(item) + "\n")
    with open(os.path.join(folder, "hellaswag_local.yaml"), "w", encoding="utf-8") as handle:
        handle.write(f"""task: hellaswag_local
dataset_path: json
dataset_kwargs:
  data_files:
    validation: {json.dumps(data)}
validation_split: validation
output_type: multiple_choice
doc_to_text: "{{{{query}}}}"
doc_to_choice: "{{{{choices}}}}"
doc_to_target: label
metric_list:
  - metric: acc
    aggregation: mean
    higher_is_better: true
  - metric: acc_norm
    aggregation: mean
    higher_is_better: true
""")
    model = os.path.abspath(MODEL)
    results = simple_evaluate(
        model="hf",
        model_args=f"pretrained={os.path.dirname(model)},gguf_file={os.path.basename(model)},dtype=float32",
        tasks=["hellaswag_local"], task_manager=TaskManager(include_path=folder), batch_size=8, device="cpu",
        limit=LIMIT)

scores = results["results"]["hellaswag_local"]
print(json.dumps({"documents": LIMIT, "threads": THREADS, "wall_seconds": round(time.perf_counter() - START, 2),
                  "acc": scores.get("acc,none"), "acc_norm": scores.get("acc_norm,none")}))
