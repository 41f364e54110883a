"""Recall sweep: which settings of the micro Llama make attention by content form sooner? (PyTorch, 1 thread)

    VAR=VALUE ... python Scripts/recall_sweep.py TOKENIZER_JSON     # e.g. a demo seed's tokenizer.json

The task is learning_check.py's `recall` (six key-value pairs of scene words, "again:", the keys in another
order, each with its value), drawn fresh every step. Every 64 steps it prints the training loss and the argmax
accuracy on the queried values of 128 held-out lines with 3 and with 6 pairs (`read3`, `read6`; chance 1/9).
Settings (environment): LR (2e-3), STEPS (768), BATCH (32), HID (128), LAY (3), HEADS (4), KV (2), FFN (320),
PMIN/PMAX (pairs per line, 6/6), SEED (7), ORDER (kv: the listed pairs read `key value`; vk: `value key`, as a
scene puts an object's attributes before its noun; the queries stay `key value`), GAP (words put between
each queried key and its value, as an instruction stands between a question and its answer), INIT (Hugging Face's initializer_range for every weight, 0.02),
MLANINIT=1 (MLAN's initialisation instead: linear layers uniform in +-1/sqrt(in), embeddings normal with EMB,
0.02). Docs/RECIPE.md has the table. Needs torch, transformers and tokenizers (a venv outside the repository).
"""
import json, math, os, random, sys, time
import torch
from tokenizers import Tokenizer
from transformers import LlamaConfig, LlamaForCausalLM
torch.set_num_threads(1)
E = lambda k, d: type(d)(os.environ.get(k, d))
LR, STEPS, BATCH = E("LR", 2e-3), E("STEPS", 768), E("BATCH", 32)
HID, LAY, HEADS, KV, FFN = E("HID", 128), E("LAY", 3), E("HEADS", 4), E("KV", 2), E("FFN", 320)
PMIN, PMAX, SEED, ORDER = E("PMIN", 6), E("PMAX", 6), E("SEED", 7), E("ORDER", "kv")
GAP = os.environ.get("GAP", "")
WORDS = ("blue yellow black circle square triangle small medium large first second third box object objects "
         "there is are no true false question answer").split()
VALUES, KEYS = WORDS[:9], WORDS[9:]
tok = Tokenizer.from_file(sys.argv[1]); eos = tok.token_to_id("</s>")
def line(rng, n):
    keys = rng.sample(KEYS, n); val = {k: rng.choice(VALUES) for k in keys}; q = rng.sample(keys, n)
    first = ", ".join(f"{k} {val[k]}" if ORDER == "kv" else f"{val[k]} {k}" for k in keys) + " again:"
    ids = tok.encode(first, add_special_tokens=False).ids
    targets = []  # positions (in ids) whose next token is a queried value
    for i, k in enumerate(q):
        piece = ("" if i == 0 else ",") + f" {k}" + (f" {GAP}" if GAP else "")
        ids += tok.encode(piece, add_special_tokens=False).ids
        v = tok.encode(f" {val[k]}", add_special_tokens=False).ids
        targets.append((len(ids) - 1, v[0])); ids += v
    return ids + [eos], targets
rng = random.Random(SEED)
evalset = {n: [line(random.Random(1000 + i), n) for i in range(128)] for n in (3, 6)}
torch.manual_seed(SEED)
cfg = LlamaConfig(vocab_size=512, hidden_size=HID, intermediate_size=FFN, num_hidden_layers=LAY,
                  num_attention_heads=HEADS, num_key_value_heads=KV, head_dim=HID // HEADS, rms_norm_eps=1e-5,
                  max_position_embeddings=384, tie_word_embeddings=True, rope_theta=10000.0, initializer_range=E("INIT", 0.02))
m = LlamaForCausalLM(cfg)
if E("MLANINIT", 0):
    with torch.no_grad():
        for mod in m.modules():
            if isinstance(mod, torch.nn.Linear):
                b = 1 / math.sqrt(mod.in_features); mod.weight.uniform_(-b, b)
        m.model.embed_tokens.weight.normal_(0, E("EMB", 0.02))
opt = torch.optim.AdamW(m.parameters(), lr=LR, betas=(0.9, 0.999), eps=1e-8, weight_decay=0)
warm = math.ceil(0.03 * STEPS)
sch = torch.optim.lr_scheduler.LambdaLR(opt, lambda s: s / warm if s < warm else 0.5 * (1 + math.cos(math.pi * (s - warm) / (STEPS - warm))))
def evaluate():
    m.eval(); out = {}
    with torch.no_grad():
        for n, data in evalset.items():
            L = max(len(x) for x, _ in data); X = torch.full((len(data), L), eos)
            for i, (x, _) in enumerate(data): X[i, :len(x)] = torch.tensor(x)
            pred = m(input_ids=X).logits.argmax(-1)
            ok = [pred[i, p].item() == v for i, (_, t) in enumerate(data) for p, v in t]
            out[n] = sum(ok) / len(ok)
    m.train(); return out
t0 = time.time()
for step in range(1, STEPS + 1):
    batch = [line(rng, rng.randint(PMIN, PMAX))[0] for _ in range(BATCH)]
    L = max(map(len, batch)); X = torch.full((BATCH, L), eos); Y = torch.full((BATCH, L), -100)
    for i, x in enumerate(batch): X[i, :len(x)] = torch.tensor(x); Y[i, :len(x)] = torch.tensor(x)
    loss = m(input_ids=X, labels=Y).loss
    opt.zero_grad(); loss.backward(); torch.nn.utils.clip_grad_norm_(m.parameters(), 1.0); opt.step(); sch.step()
    if step % 64 == 0 or step == STEPS:
        a = evaluate()
        print(f"step {step} loss {loss.item():.3f} read3 {a[3]:.2f} read6 {a[6]:.2f} {time.time()-t0:.0f}s", flush=True)
