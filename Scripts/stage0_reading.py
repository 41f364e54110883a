"""Does a micro demo's stage-0 model read a scene? Scores its checkpoint on trained-cluster questions (PyTorch).

    python Scripts/stage0_reading.py RUN/seed-N [CLUSTER ...]          # default: the five trained clusters
    FORMS=1 python Scripts/stage0_reading.py RUN/seed-N attribute       # also by question form
    STAGE=stage0_warmup python Scripts/stage0_reading.py RUN/seed-N     # after the warm-up instead
    FORM=v1 STAGE=stage2_mlan python Scripts/stage0_reading.py RUN/seed-N  # through the v1 template, after mlan

Loads the last stage-0 checkpoint the demo leaves in `RUN/seed-N/runs/stage0_pretrain/checkpoints/` (the micro
Llama's shape: 3 layers of 128, 4 heads / 2 KV heads, tied embeddings; override with HID and LAY), the seed's
`tokenizer.json`, and asks every question of the seed's evaluation and training files of each cluster in corpus
form (`{description} question: {question} answer:`), the form stage 0 trains on; stage 0 never trained on those
files (a stage-2 checkpoint did train on the training files' questions). With FORM=v1, the user turn goes through the
v1 template instead, as stage 2 and the evaluation ask it.
Prints the argmax accuracy of the answer's first token per cluster beside the majority answer's share, and with FORMS=1 per question form (the scene
words blanked) with the most frequent predictions, so one answer per kind of question shows. Last, the same
accuracy on the first question of 200 of the corpus's own reading lines, which stage 0 trained on: far above the
clusters' figures means memorised scenes rather than reading; then presence, the held-out existence cluster's
skill, in the corpus's fact form (`there is a X.` against `there is no X.`) as an AUC, and in the judgement
warm-up's form (`question: Is it true that there is a X? answer: true`, against `false`); and the loss per token of
new scenes' captions as text (`eval/captions.json`), which shows whether the model still writes them. Docs/RECIPE.md
("What stage 0 teaches") has the numbers. Needs torch, transformers, tokenizers and safetensors.
"""
import collections
import glob
import json
import os
import random
import re
import sys

import torch
from safetensors.torch import load_file
from tokenizers import Tokenizer
from transformers import LlamaConfig, LlamaForCausalLM

SCENE_WORDS = re.compile(r"\b(small|medium|large|black|blue|yellow|circles?|squares?|triangles?|first|second|third)\b")
TRAINED = ["counting", "attribute", "spatial", "comparison", "short_answer"]


def load_model(seed_dir, vocabulary):
    hidden, layers = int(os.environ.get("HID", 128)), int(os.environ.get("LAY", 3))
    config = LlamaConfig(vocab_size=vocabulary, hidden_size=hidden, intermediate_size=hidden * 5 // 2,
                         num_hidden_layers=layers, num_attention_heads=hidden // 32, num_key_value_heads=hidden // 64,
                         head_dim=32, rms_norm_eps=1e-5, max_position_embeddings=384, tie_word_embeddings=True)
    model = LlamaForCausalLM(config)
    stage = os.environ.get("STAGE", "stage0_pretrain")
    steps = sorted(glob.glob(f"{seed_dir}/runs/{stage}/checkpoints/step-*"))
    if not steps:
        sys.exit(f"{seed_dir}/runs/{stage}/checkpoints holds no checkpoint")
    weights = load_file(glob.glob(f"{steps[-1]}/model-*.safetensors")[0])
    # A stage-1 or stage-2 checkpoint is the whole LLaVA: keep its language model.
    weights = {key.removeprefix("language_model."): value for key, value in weights.items()
               if not key.startswith(("vision_tower.", "multi_modal_projector."))}
    unexpected = model.load_state_dict(weights, strict=False).unexpected_keys
    if unexpected:
        sys.exit(f"{steps[-1]}: weights the micro Llama lacks: {unexpected[:3]}")
    return model.eval(), steps[-1]


# The v1 template's system prompt (LLaVA's conv_vicuna_v1), as MLAN's VicunaTemplate renders it.
V1_SYSTEM = ("A chat between a curious user and an artificial intelligence assistant. The assistant gives helpful, "
             "detailed, and polite answers to the user's questions.")


def prompt(user, description, question):
    """The question in corpus form, or with FORM=v1 the whole user turn through the v1 template (as stage 2 and the
    evaluation ask it, without the prefill, which only the held-out clusters use)."""
    if os.environ.get("FORM") == "v1":
        return f"{V1_SYSTEM} USER: {user} ASSISTANT:"
    return f"{description.removeprefix('Scene: ')} question: {question} answer:"


def main():
    seed_dir, clusters = sys.argv[1], sys.argv[2:] or TRAINED
    tokenizer = Tokenizer.from_file(f"{seed_dir}/tokenizer.json")
    model, checkpoint = load_model(seed_dir, tokenizer.get_vocab_size())
    encode = lambda text: tokenizer.encode(text, add_special_tokens=False).ids
    print(checkpoint)
    for cluster in clusters:
        records = []
        for split in ("eval", "train"):
            records += json.load(open(f"{seed_dir}/world/{split}/{cluster}_language.json"))
        hits, forms = 0, collections.defaultdict(lambda: [0, 0, collections.Counter()])
        golds = collections.Counter(record["conversations"][1]["value"] for record in records)
        for record in records:
            user, answer = record["conversations"][0]["value"], record["conversations"][1]["value"]
            description, question = user.split("\n")[:2]
            ids = torch.tensor([encode(prompt(user, description, question))])
            with torch.no_grad():
                guess = model(input_ids=ids).logits[0, -1].argmax().item()
            hit = guess == encode(" " + answer)[0]
            hits += hit
            form = forms[SCENE_WORDS.sub("_", question)]
            form[0], form[1] = form[0] + hit, form[1] + 1
            form[2][tokenizer.decode([guess]).strip()] += 1
        majority = golds.most_common(1)[0][1] / len(records)
        print(f"{cluster} {hits / len(records):.2f} (majority {majority:.2f}; {len(records)} questions)")
        if os.environ.get("FORMS") == "1":
            for text, (right, count, guesses) in sorted(forms.items(), key=lambda item: -item[1][1]):
                print(f"  {right / count:.2f} {count:4d} {text}  {guesses.most_common(3)}")

    # Memorisation check: the first question of 200 of the corpus's own reading lines, which stage 0 trained on.
    lines = [line for line in open(f"{seed_dir}/world/corpus.txt").read().splitlines() if " question: " in line]
    random.Random(0).shuffle(lines)
    hits = 0
    for line in lines[:200]:
        description, rest = line.split(" question: ", 1)
        question, answer = rest.split(" answer: ", 1)
        with torch.no_grad():
            ids = torch.tensor([encode(f"{description} question: {question} answer:")])
            hits += model(input_ids=ids).logits[0, -1].argmax().item() == encode(" " + answer.split(" question: ")[0])[0]
    print(f"own corpus (first question of {min(200, len(lines))} trained reading lines) {hits / min(200, len(lines)):.2f}")
    presence(seed_dir, model, encode)
    captions(seed_dir, model, encode, tokenizer.token_to_id("</s>"))


def captions(seed_dir, model, encode, eos):
    """Whether the model still writes captions, which the corpus trains and stage 1 aligns images to: the mean loss
    per token of the probe's new scenes' captions (`eval/captions.json`), as text alone in the corpus's form."""
    total = count = 0
    for record in json.load(open(f"{seed_dir}/world/eval/captions.json")):
        ids = encode(record["conversations"][1]["value"]) + [eos]
        with torch.no_grad():
            logits = model(input_ids=torch.tensor([ids])).logits[0, :-1]
        total += torch.nn.functional.cross_entropy(logits, torch.tensor(ids[1:]), reduction="sum").item()
        count += len(ids) - 1
    print(f"captions of new scenes as text: {total / max(count, 1):.3f} nats a token")


def presence(seed_dir, model, encode):
    """Presence, the held-out existence cluster's skill, in the corpus's own fact form: for each existence question,
    the log-likelihood of `there is a X.` minus that of `there is no X.` after the description. Prints the AUC of that
    margin (present against absent), which ignores the corpus's prior for `no`: 0.5 is no knowledge, 1.0 perfect."""
    def log_likelihood(prefix, continuation):
        context, tail = encode(prefix), encode(continuation)
        with torch.no_grad():
            logits = model(input_ids=torch.tensor([context + tail])).logits[0].log_softmax(-1)
        return sum(logits[len(context) - 1 + i, token].item() for i, token in enumerate(tail))

    def auc(margins):
        pairs = [(p > q) + 0.5 * (p == q) for p in margins[True] for q in margins[False]]
        return sum(pairs) / max(len(pairs), 1)

    true_id, false_id = encode(" true")[0], encode(" false")[0]
    margins, judged = {True: [], False: []}, {True: [], False: []}
    for record in json.load(open(f"{seed_dir}/world/eval/existence_language.json")):
        user, answer = record["conversations"][0]["value"], record["conversations"][1]["value"]
        lines = user.split("\n")
        thing = lines[2].removeprefix("Is there a ").removesuffix(" in the scene?")
        description = lines[0].removeprefix("Scene: ")
        margin = log_likelihood(description, f" there is a {thing}.") - log_likelihood(description, f" there is no {thing}.")
        margins[answer == "yes"].append(margin)
        # The judgement warm-up's form (`judgement_scenes`): the verdict last, true or false.
        with torch.no_grad():
            ids = torch.tensor([encode(f"{description} question: Is it true that there is a {thing}? answer:")])
            logits = model(input_ids=ids).logits[0, -1]
        judged[answer == "yes"].append((logits[true_id] - logits[false_id]).item())
    print(f"presence in fact form (existence questions, {len(margins[True])} present, {len(margins[False])} absent): "
          f"AUC {auc(margins):.2f}")
    right = sum(m > 0 for m in judged[True]) + sum(m <= 0 for m in judged[False])
    print(f"presence in judgement form (`Is it true that there is a X? answer: true`): AUC {auc(judged):.2f}, "
          f"accuracy {right / max(len(judged[True]) + len(judged[False]), 1):.2f}")


if __name__ == "__main__":
    main()
