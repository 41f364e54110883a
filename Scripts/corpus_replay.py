"""Corpus replay: does a demo seed's stage-0 corpus teach the micro Llama to read a scene? (PyTorch, 1 thread)

    VAR=VALUE ... python Scripts/corpus_replay.py RUN/seed-N

Trains the demo's language model (3 layers of 128, 4 heads / 2 KV heads, linear layers uniform in +-1/sqrt(in),
embeddings N(0, 0.0884), AdamW lr 2e-3, batch 32, 3% warmup then cosine) on `RUN/seed-N/world/corpus.txt`,
tokenised with the seed's `tokenizer.json`, in shuffled epochs. Every 40 steps it prints the training loss and the
argmax accuracy of the answer's first token for the seed's attribute, counting and spatial questions in text
(evaluation and training files, put in corpus form: `{description} question: {question} answer:`); the model never
trains on those files. It measures stage 0 alone, outside Swift, so a plateau here is the data's, not the trainer's.
Settings (environment): EPOCHS (6), LR, BATCH, SEED (42); MASK (1: a line's opening description is context, as
`corpus_targets: after_description`; 0: every token a target); ANSONLY (0; 1: in the reading lines only the
answers are targets); READONLY (0; 1: only the reading lines); KEEP (question prefixes to keep, comma-separated,
e.g. `What colour,What size,What shape`; lines left without a question are dropped); EXCL (drop questions that
contain any of these, e.g. `just right,object in the`); NOBOX (0; 1: the description as one list, `a X, a Y, ...`,
in training and evaluation); TAIL (0; 1: the facts after a description are rewritten to say their subject before
their answer, `black squares: 1.`, `yellow triangle present: no.`, and with ANSONLY only those answers are targets);
CURR (0: no curriculum; a fraction of the steps that first train on the reading lines alone, answers only, keeping
only the questions KEEP1 keeps and EXCL1 does not drop, before the corpus as the other settings make it).
Docs/RECIPE.md ("One word per object") has the numbers. Needs torch, transformers
and tokenizers.
"""
import json
import math
import os
import random
import re
import sys
import time

import torch
from tokenizers import Tokenizer
from transformers import LlamaConfig, LlamaForCausalLM


def setting(name, default):
    return type(default)(os.environ.get(name, default))


def words(name):
    return [w for w in os.environ.get(name, "").split(",") if w]


EPOCHS, LR, BATCH, SEED = setting("EPOCHS", 6), setting("LR", 2e-3), setting("BATCH", 32), setting("SEED", 42)
MASK, ANSONLY, READONLY, NOBOX = setting("MASK", 1), setting("ANSONLY", 0), setting("READONLY", 0), setting("NOBOX", 0)
KEEP, EXCL = words("KEEP"), words("EXCL")
TAIL = setting("TAIL", 0)
CURR, KEEP1, EXCL1 = setting("CURR", 0.0), words("KEEP1"), words("EXCL1")
seed_dir = sys.argv[1]
tokenizer = Tokenizer.from_file(f"{seed_dir}/tokenizer.json")
eos = tokenizer.token_to_id("</s>")


def encode(text):
    return tokenizer.encode(text, add_special_tokens=False).ids


def as_list(description):
    """`first box: a X and a Y. second box: a Z. ...` -> `a X, a Y, a Z.` when NOBOX is set."""
    if not NOBOX:
        return description
    text = re.sub(r"(first|second|third) box: nothing\. ?", "", description)
    text = re.sub(r"\. (second|third) box: ", ", ", text).replace("first box: ", "")
    return text.replace(" and a ", ", a ")


def answers_last(line):
    """With TAIL set, the facts after a description say their subject before their answer."""
    if not TAIL:
        return line
    line = re.sub(r"there (?:is|are) (\d+) ([a-z ]+?)\.", r"\2: \1.", line)
    line = re.sub(r"the (first|second|third) box has (\d+) objects?\.", r"objects in the \1 box: \2.", line)
    line = re.sub(r"there is no ([a-z ]+?)\.", r"\1 present: no.", line)
    line = re.sub(r"there is an? ([a-z ]+?)\.", r"\1 present: yes.", line)
    return re.sub(r"it is (true|false) that ([a-z ]+?)\.",
                  lambda m: f"{m.group(2)}: {'yes' if m.group(1) == 'true' else 'no'}.", line)


def corpus_example(line, keep=KEEP, excl=EXCL, readonly=READONLY, ansonly=ANSONLY):
    """(ids, per-token target flags) for one corpus line, or None when the settings drop it. The curriculum's
    first phase passes its own question filters, reading lines only and answers only."""
    line = answers_last(line)
    if readonly and " question: " not in line:
        return None
    description = ""
    if line.startswith("first box: "):
        end = line.index(".", line.index("third box: ")) + 1
        description, line = as_list(line[:end]), line[end:]
    if keep and " question: " in line:
        pairs = [p for p in line.split(" question: ")[1:]
                 if any(p.startswith(k) for k in keep) and not any(x in p for x in excl)]
        if not pairs:
            return None
        line = "".join(" question: " + p for p in pairs)
    context = encode(description) if MASK and description else []
    if not context:
        line = description + line
    ids, flags = list(context), [0] * len(context)
    if ansonly and TAIL and ": " in line and " question: " not in line and description:
        for fact in line.strip().split(". "):
            subject, answer = fact.rstrip(".").rsplit(": ", 1)
            asked, said = encode(" " + subject + ":"), encode(" " + answer + ".")
            ids, flags = ids + asked + said, flags + [0] * len(asked) + [1] * len(said)
    elif ansonly and " question: " in line:
        head, *pairs = line.split(" question: ")
        piece = encode(head)
        ids, flags = ids + piece, flags + [0] * len(piece)
        for pair in pairs:
            question, answer = pair.split(" answer: ")
            asked, said = encode(" question: " + question + " answer:"), encode(" " + answer)
            ids, flags = ids + asked + said, flags + [0] * len(asked) + [1] * len(said)
    else:
        piece = encode(line)
        ids, flags = ids + piece, flags + [1] * len(piece)
    ids, flags = ids + [eos], flags + [1]
    flags[0] = 0
    return ids, flags


def reading_questions(cluster):
    rows = []
    for split in ("eval", "train"):
        for record in json.load(open(f"{seed_dir}/world/{split}/{cluster}_language.json")):
            user, answer = record["conversations"][0]["value"], record["conversations"][1]["value"]
            description, question = user[len("Scene: "):].split("\n")[:2]
            rows.append((encode(f"{as_list(description)} question: {question} answer:"), encode(" " + answer)[0]))
    return rows


def main():
    torch.set_num_threads(1)
    lines = open(f"{seed_dir}/world/corpus.txt").read().splitlines()
    examples = [e for e in map(corpus_example, lines) if e]
    questions = {c: reading_questions(c) for c in ("attribute", "counting", "spatial")}
    config = LlamaConfig(vocab_size=tokenizer.get_vocab_size(), hidden_size=128, intermediate_size=320,
                         num_hidden_layers=3, num_attention_heads=4, num_key_value_heads=2, head_dim=32,
                         rms_norm_eps=1e-5, max_position_embeddings=384, tie_word_embeddings=True)
    torch.manual_seed(SEED)
    model = LlamaForCausalLM(config)
    with torch.no_grad():
        for module in model.modules():
            if isinstance(module, torch.nn.Linear):
                bound = 1 / math.sqrt(module.in_features)
                module.weight.uniform_(-bound, bound)
        model.model.embed_tokens.weight.normal_(0, 0.0884)
    steps = EPOCHS * (len(examples) // BATCH)
    warm = max(1, math.ceil(0.03 * steps))
    optimizer = torch.optim.AdamW(model.parameters(), lr=LR, weight_decay=0.0)
    schedule = torch.optim.lr_scheduler.LambdaLR(
        optimizer, lambda s: s / warm if s < warm else 0.5 * (1 + math.cos(math.pi * (s - warm) / (steps - warm))))

    def accuracy():
        model.eval()
        scores = {}
        with torch.no_grad():
            for cluster, rows in questions.items():
                ids = torch.full((len(rows), max(len(x) for x, _ in rows)), eos)
                for i, (x, _) in enumerate(rows):
                    ids[i, :len(x)] = torch.tensor(x)
                guess = model(input_ids=ids).logits.argmax(-1)
                scores[cluster] = sum(guess[i, len(x) - 1].item() == a for i, (x, a) in enumerate(rows)) / len(rows)
        model.train()
        return scores

    def train_step(batch, step):
        width = max(len(x) for x, _ in batch)
        ids, weight = torch.full((BATCH, width), eos), torch.zeros(BATCH, width)
        for i, (x, flags) in enumerate(batch):
            ids[i, :len(x)] = torch.tensor(x)
            weight[i, :len(x) - 1] = torch.tensor(flags[1:], dtype=torch.float)  # predicting token p + 1
        logits = model(input_ids=ids).logits[:, :-1]
        loss = torch.nn.functional.cross_entropy(logits.flatten(0, 1), ids[:, 1:].flatten(), reduction="none")
        loss = (loss * weight[:, :-1].flatten()).sum() / weight.sum()
        optimizer.zero_grad()
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        optimizer.step()
        schedule.step()
        step += 1
        if step % 40 == 0 or step == steps:
            scores = " ".join(f"{c} {v:.2f}" for c, v in accuracy().items())
            print(f"step {step} loss {loss.item():.3f} {scores} {time.time() - start:.0f}s", flush=True)
        return step

    print(f"{len(examples)} lines, {steps} steps", flush=True)
    order_rng, step, start = random.Random(1), 0, time.time()
    simple = [e for e in (corpus_example(line, KEEP1, EXCL1, True, True) for line in lines) if e] if CURR else []
    while step < CURR * steps:  # the curriculum's first phase: the lines KEEP1 and EXCL1 leave
        order = list(range(len(simple)))
        order_rng.shuffle(order)
        for first in range(0, len(order) - BATCH + 1, BATCH):
            if step >= CURR * steps:
                break
            step = train_step([simple[i] for i in order[first:first + BATCH]], step)
    while step < steps:
        order = list(range(len(examples)))
        order_rng.shuffle(order)
        for first in range(0, len(order) - BATCH + 1, BATCH):
            if step >= steps:
                break
            step = train_step([examples[i] for i in order[first:first + BATCH]], step)

if __name__ == "__main__":
    main()
