"""Binding check: can a small Llama find an object named by two of its attributes? (PyTorch, 1 thread)

    VAR=VALUE ... python Scripts/binding_check.py

A line lists N objects, each with a size, a colour and a shape (three disjoint 3-word vocabularies, all objects
different), then asks for one attribute of the only object that has two named values: `[kind] v1 v2 ?` -> v3.
Only the answer is supervised. With WORDS=separate an object is three tokens, so the model must first gather an
object's words at one position (the micro world's three-word descriptions); with WORDS=compound it is one token
of its own (27 kinds), as an image patch holds an object. Every 100 steps it prints the training loss and the
argmax accuracy on 512 held-out lines (a model that matches either named word alone scores about 0.72 with N=3).
Settings (environment): WORDS (separate), N (3), LAY (2), HID (128), HEADS (4), STEPS (2000), LR (1e-3),
BATCH (64), SEED (1). Docs/RECIPE.md ("One word per object") has the numbers. Needs torch and transformers.
"""
import os
import random
import time

import torch
from transformers import LlamaConfig, LlamaForCausalLM


def setting(name, default):
    return type(default)(os.environ.get(name, default))


WORDS, N, LAY, HID, HEADS = setting("WORDS", "separate"), setting("N", 3), setting("LAY", 2), setting("HID", 128), setting("HEADS", 4)
STEPS, LR, BATCH, SEED = setting("STEPS", 2000), setting("LR", 1e-3), setting("BATCH", 64), setting("SEED", 1)
assert WORDS in ("separate", "compound"), f"WORDS must be separate or compound, got {WORDS}"
# Token ids: 0 pad, 1 ',', 2 '?', 3.. the 9 attribute words (kind k, value v -> 3 + 3k + v), 12.. the 3 "ask kind"
# words, 15.. the 27 compound objects.
ASK, OBJECT = 12, 15
VOCAB = OBJECT + 27


def line(rng):
    """One line's ids and the position whose next token is the answer."""
    while True:
        objects = [tuple(rng.randrange(3) for _ in range(3)) for _ in range(N)]
        asked = rng.randrange(3)
        named = [k for k in range(3) if k != asked]
        target = rng.choice(objects)
        unique = sum(all(o[k] == target[k] for k in named) for o in objects) == 1
        if unique and len(set(objects)) == N:
            break
    ids = []
    for o in objects:
        ids += [OBJECT + 9 * o[0] + 3 * o[1] + o[2]] if WORDS == "compound" else [3 + 3 * k + o[k] for k in range(3)]
        ids.append(1)
    ids += [ASK + asked] + [3 + 3 * k + target[k] for k in named] + [2]
    return ids + [3 + 3 * asked + target[asked]], len(ids) - 1


def main():
    torch.set_num_threads(1)
    torch.manual_seed(SEED)
    rng = random.Random(SEED)
    held_out = [line(random.Random(10_000 + i)) for i in range(512)]
    config = LlamaConfig(vocab_size=VOCAB, hidden_size=HID, intermediate_size=HID * 5 // 2, num_hidden_layers=LAY,
                         num_attention_heads=HEADS, num_key_value_heads=HEADS, head_dim=HID // HEADS,
                         max_position_embeddings=128, tie_word_embeddings=True)
    model = LlamaForCausalLM(config)
    optimizer = torch.optim.AdamW(model.parameters(), lr=LR, weight_decay=0.0)
    warmup = torch.optim.lr_scheduler.LambdaLR(optimizer, lambda s: min(1.0, (s + 1) / 50))

    def accuracy():
        model.eval()
        with torch.no_grad():
            ids = torch.tensor([x for x, _ in held_out])
            at = held_out[0][1]
            right = model(input_ids=ids).logits[:, at].argmax(-1) == ids[:, at + 1]
        model.train()
        return right.float().mean().item()

    start = time.time()
    for step in range(1, STEPS + 1):
        ids = torch.tensor([line(rng)[0] for _ in range(BATCH)])
        labels = torch.full_like(ids, -100)
        labels[:, -1] = ids[:, -1]
        loss = model(input_ids=ids, labels=labels).loss
        optimizer.zero_grad()
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        optimizer.step()
        warmup.step()
        if step % 100 == 0:
            print(f"step {step} loss {loss.item():.3f} acc {accuracy():.3f} {time.time() - start:.0f}s", flush=True)


if __name__ == "__main__":
    main()
