"""Does a micro demo's model answer generic instructions, or only use their formats? (PyTorch.)

    python Scripts/generic_answers.py RUN/seed-N                          # after stage 0
    STAGE=stage0_warmup python Scripts/generic_answers.py RUN/seed-N      # after the warm-up
    STAGE=stage2_mlan MIXTURE=mlan python Scripts/generic_answers.py RUN/seed-N

Asks the seed's stage-2 generic instructions (`world/train/generic_{yes_no,letter,true_false}_language.json`, a
stream no stage-0 file shares) through the v1 template with the evaluation's prefill (`The best answer is "` for
yes/no, `The answer is "` otherwise), and takes the answer among the format's words (yes/no, A-D, true/false) with
the highest logit. With MIXTURE=NAME, the records that mixture trained on are left out, so every question is new to
the model. Prints accuracy per question kind (list membership, comparison, sum, word length, parity; `other` for the
letter format's inner questions) and the answers given: a model that uses a format without answering the question
sits at chance with one answer taking most. Loads checkpoints as `Scripts/stage0_reading.py` does (STAGE, HID, LAY).
Docs/RECIPE.md ("Generic instructions in the warm-up") has the numbers.
"""
import collections
import json
import os
import sys

import torch
from tokenizers import Tokenizer

from stage0_reading import V1_SYSTEM, load_model

FORMATS = [("yes_no", ["yes", "no"], 'The best answer is "'), ("letter", ["A", "B", "C", "D"], 'The answer is "'),
           ("true_false", ["true", "false"], 'The answer is "')]
KINDS = [("list", "list"), ("greater", "comparison"), ("plus", "sum"), ("letters", "word length"), ("even", "parity")]


def kind(user):
    return next((name for marker, name in KINDS if marker in user), "other")


def main():
    seed_dir = sys.argv[1]
    tokenizer = Tokenizer.from_file(f"{seed_dir}/tokenizer.json")
    model, checkpoint = load_model(seed_dir, tokenizer.get_vocab_size())
    encode = lambda text: tokenizer.encode(text, add_special_tokens=False).ids
    mixture = os.environ.get("MIXTURE")
    trained = {record["id"] for record in json.load(open(f"{seed_dir}/mixtures/{mixture}.json"))} if mixture else set()
    print(checkpoint)
    for name, words, prefill in FORMATS:
        candidates = [encode(word)[0] for word in words]
        right, asked, answers = collections.Counter(), collections.Counter(), collections.Counter()
        for record in json.load(open(f"{seed_dir}/world/train/generic_{name}_language.json")):
            if record["id"] in trained:
                continue
            user, reply = record["conversations"][0]["value"], record["conversations"][1]["value"]
            gold = reply.split('"')[1] if '"' in reply else reply
            ids = torch.tensor([encode(f"{V1_SYSTEM} USER: {user} ASSISTANT: {prefill}")])
            with torch.no_grad():
                logits = model(input_ids=ids).logits[0, -1]
            guess = words[int(torch.stack([logits[c] for c in candidates]).argmax())]
            right[kind(user)] += guess == gold
            asked[kind(user)] += 1
            answers[guess] += 1
        total = sum(asked.values())
        per_kind = ", ".join(f"{k} {right[k] / asked[k]:.2f} ({asked[k]})" for k in sorted(asked))
        print(f"generic {name}: {sum(right.values()) / total:.2f} of {total}; {per_kind}; answers {dict(answers)}")


if __name__ == "__main__":
    main()
