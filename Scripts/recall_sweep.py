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

TASK=conj asks for a conjunction lookup shaped like the scene text instead: a list of NMIN..NMAX (3/6) objects,
`a small blue triangle, a large black circle, ...`, then QPER (2) questions `question: What colour is the small
triangle? answer: blue`, each naming one object by the two attributes it does not ask (size and shape for a
colour, colour and shape for a size, size and colour for a shape: `the small black object`). The first question's
object has two distractors, each sharing one of the two named attributes; every named pair is unique in the list.
It prints `conj3` and `conj6`: accuracy on the answers of 128 held-out lines with 3 and with 6 objects (one value
per kind of question gives about 1/3). ONE (0): fraction of questions naming the object by one attribute only
(`the triangle`, when it is unique); CURR (0): for the first CURR steps every question that can names one attribute;
MIX (0): fraction of each batch that is `recall` lines (one-word lookups, with PMIN/PMAX pairs). GEN (0): fraction
of each batch that is the same task over generic words instead of scene words (`a big red cat, a tiny green dog,
... question: What size is the red dog? answer: tiny`; `What is the big red thing?` asks for the noun), as stage
0's generic conjunction lookups hold; POOL (0): when positive, the scene-word lines come from a fixed set of POOL
lines (as the demo's corpus repeats its scenes each epoch); GQPER (QPER): questions per generic line; evaluation lines are always fresh scene-word lines.
EQPER (QPER): questions per evaluation line (keep 2 to compare with the 2-question baselines); EONE (0): as ONE, for
the evaluation lines. HARD=1: every question, not only the first, names an object whose two named words each occur
in another object (the one-word matcher cannot answer it). QFIRST=1: each line's first question comes before the
list (`question: ... scene: a ..., a ... . answer: blue`). COMPOUND=1: each listed object is one word
(`a smallbluetriangle`, the micro recipe's `object_words: compound`; the tokenizer must hold them). SEP (,): what separates the listed objects. REPEAT
(training lines only): 1 the list again after `again:` in the same order, 2 the same shuffled (each restated word
after an object's first is then a lookup, supervised when LOSS=all), 3 a statement per object, shuffled, naming it
by two attributes (`the small triangle is blue`, `the small black object is a square`).
Loss and optimiser (both tasks): LOSS (all: every token, as stage 0's corpus lines; answer: the queried values only,
as a template that supervises only the reply), AW (1): weight of the queried values' loss against the other
tokens'; WD (0): AdamW weight decay; WARM (0.03): warmup fraction; ROPE (10000): rope_theta; VOCAB (bpe: the given
tokenizer; word: one id per word and punctuation mark); SAVE: a path to save the final weights to (torch.save).
At the last step TASK=conj also prints the accuracy by kind of question (`conj3_size`, ...).
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
TASK, NMIN, NMAX, QPER = E("TASK", "recall"), E("NMIN", 3), E("NMAX", 6), E("QPER", 2)
GQPER, EQPER, EONE = E("GQPER", QPER), E("EQPER", QPER), E("EONE", 0.0)
LOSS, AW, VOCAB = E("LOSS", "all"), E("AW", 1.0), E("VOCAB", "bpe")
WD, WARM, ROPE = E("WD", 0.0), E("WARM", 0.03), E("ROPE", 10000.0)
QFIRST, SEP, HARD, REPEAT = E("QFIRST", 0), os.environ.get("SEP", ","), E("HARD", 0), E("REPEAT", 0)
COMPOUND = E("COMPOUND", 0)
ONE, CURR, MIX, GEN, POOL = E("ONE", 0.0), E("CURR", 0), E("MIX", 0.0), E("GEN", 0.0), E("POOL", 0)
WORDS = ("blue yellow black circle square triangle small medium large first second third box object objects "
         "there is are no true false question answer").split()
VALUES, KEYS = WORDS[:9], WORDS[9:]
tok = Tokenizer.from_file(sys.argv[1]); eos = tok.token_to_id("</s>")
if VOCAB == "word":  # one id per word and per punctuation mark, grown as words appear (ids below 512)
    import re
    class WordVocab:
        class Out:
            def __init__(self, ids): self.ids = ids
        def __init__(self): self.ids = {"</s>": 0}
        def token_to_id(self, w): return self.ids[w]
        def encode(self, text, add_special_tokens=False):
            return self.Out([self.ids.setdefault(w, len(self.ids)) for w in re.findall(r"\w+|[^\w\s]", text)])
    tok = WordVocab(); eos = 0
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
SIZES, COLOURS, SHAPES = ("small", "medium", "large"), ("black", "blue", "yellow"), ("circle", "square", "triangle")
SCENE_KINDS = (("size", SIZES), ("colour", COLOURS), ("shape", SHAPES))
GENERIC_KINDS = (("size", ("big", "tiny", "huge")), ("colour", ("red", "green", "white")),
                 ("thing", ("cat", "dog", "bird", "tree", "apple", "book", "lamp", "horse", "stone", "cloud")))
KINDS = SCENE_KINDS
def word(obj, k): return KINDS[k][1][obj[k]]
def unique(objs, obj, kinds): return sum(all(o[k] == obj[k] for k in kinds) for o in objs) == 1
def conj_line(rng, n, one=0.0, kinds=SCENE_KINDS, qper=QPER, hard=0, repeat=0):
    global KINDS
    KINDS = kinds; width = [len(v) for _, v in kinds]
    while True:  # a target, two distractors sharing one named attribute each, the rest random, all distinct
        asked = rng.randrange(3); named = [k for k in range(3) if k != asked]
        target = tuple(rng.randrange(w) for w in width); objs = [target]
        for k in named:
            d = list(target); d[k] = rng.choice([v for v in range(width[k]) if v != target[k]]); d[asked] = rng.randrange(width[asked])
            objs.append(tuple(d))
        while len(objs) < n: objs.append(tuple(rng.randrange(w) for w in width))
        objs = objs[:n]
        if len(set(objs)) == n and unique(objs, target, named): break
    rng.shuffle(objs)
    text = (SEP + " ").join("a " + ("" if COMPOUND else " ").join(word(o, k) for k in range(3)) for o in objs) + "."
    if repeat in (1, 2):  # the list again, in the same order (1) or shuffled (2)
        again = objs if repeat == 1 else rng.sample(objs, len(objs))
        text += " again: " + (SEP + " ").join("a " + " ".join(word(o, k) for k in range(3)) for o in again) + "."
    elif repeat == 3:  # a statement per object, shuffled: `the small triangle is blue`, any attribute last
        facts = []
        for o in rng.sample(objs, len(objs)):
            last = [k for k in range(3) if unique(objs, o, [j for j in range(3) if j != k])]
            k = rng.choice(last) if last else 2
            fact = f"the {name_of(o, [j for j in range(3) if j != k])} is " + ("a " if k == 2 else "") + word(o, k)
            facts.append(fact if last else "a " + " ".join(word(o, j) for j in range(3)))
        text += " " + (SEP + " ").join(facts) + "."
    ids = tok.encode(text, add_special_tokens=False).ids; targets = []; ask_first = QFIRST
    for q in range(qper):
        if q > 0:  # any object and asked kind whose named pair is unique
            while True:
                target = rng.choice(objs); asked = rng.randrange(3); named = [k for k in range(3) if k != asked]
                if unique(objs, target, named) and not (hard and any(unique(objs, target, [k]) for k in named)): break
        if rng.random() < one:  # one named attribute, when one suffices
            single = [[k] for k in named if unique(objs, target, [k])]
            if single: named = rng.choice(single)
        question = (f"What is the {name_of(target, named)}?" if asked == 2 and kinds is GENERIC_KINDS
                    else f"What {KINDS[asked][0]} is the {name_of(target, named)}?")
        if ask_first:  # the first question before the list, its answer after it
            ids = tok.encode(f"question: {question} scene: ", add_special_tokens=False).ids + ids
            ids += tok.encode(" answer:", add_special_tokens=False).ids; ask_first = 0
        else: ids += tok.encode(f" question: {question} answer:", add_special_tokens=False).ids
        v = tok.encode(f" {word(target, asked)}", add_special_tokens=False).ids
        targets.append((len(ids) - 1, v[0])); ids += v
    return ids + [eos], targets
def name_of(obj, kinds):  # "small triangle", "black object", "small black object"
    adjectives = [word(obj, k) for k in (0, 1) if k in kinds]
    return " ".join(adjectives + [word(obj, 2) if 2 in kinds else ("object" if KINDS is SCENE_KINDS else "thing")])
rng = random.Random(SEED)
if TASK == "conj":
    evalset = {f"conj{n}": [conj_line(random.Random(1000 + i), n, EONE, qper=EQPER) for i in range(128)] for n in (3, 6)}
else:
    evalset = {f"read{n}": [line(random.Random(1000 + i), n) for i in range(128)] for n in (3, 6)}
pool = [conj_line(random.Random(5000 + i), random.Random(9000 + i).randint(NMIN, NMAX), ONE) for i in range(POOL)]
torch.manual_seed(SEED)
cfg = LlamaConfig(vocab_size=max(512, tok.get_vocab_size()), hidden_size=HID, intermediate_size=FFN, num_hidden_layers=LAY,
                  num_attention_heads=HEADS, num_key_value_heads=KV, head_dim=HID // HEADS, rms_norm_eps=1e-5,
                  max_position_embeddings=384, tie_word_embeddings=True, rope_theta=ROPE, initializer_range=E("INIT", 0.02))
m = LlamaForCausalLM(cfg)
if E("MLANINIT", 0):
    with torch.no_grad():
        for mod in m.modules():
            if isinstance(mod, torch.nn.Linear):
                b = 1 / math.sqrt(mod.in_features); mod.weight.uniform_(-b, b)
        m.model.embed_tokens.weight.normal_(0, E("EMB", 0.02))
opt = torch.optim.AdamW(m.parameters(), lr=LR, betas=(0.9, 0.999), eps=1e-8, weight_decay=WD)
warm = max(1, math.ceil(WARM * STEPS))
sch = torch.optim.lr_scheduler.LambdaLR(opt, lambda s: s / warm if s < warm else 0.5 * (1 + math.cos(math.pi * (s - warm) / (STEPS - warm))))
def evaluate(last=False):
    m.eval(); out = {}
    with torch.no_grad():
        for n, data in evalset.items():
            L = max(len(x) for x, _ in data); X = torch.full((len(data), L), eos)
            for i, (x, _) in enumerate(data): X[i, :len(x)] = torch.tensor(x)
            pred = m(input_ids=X).logits.argmax(-1)
            ok = [(pred[i, p].item() == v, v) for i, (_, t) in enumerate(data) for p, v in t]
            out[n] = sum(o for o, _ in ok) / len(ok)
            if TASK == "conj" and last:  # accuracy by the kind of the answer
                for kind, values in SCENE_KINDS:
                    ids = {tok.encode(f" {w}", add_special_tokens=False).ids[0] for w in values}
                    sel = [o for o, v in ok if v in ids]; out[f"{n}_{kind}"] = sum(sel) / max(1, len(sel))
    m.train(); return out
t0 = time.time()
for step in range(1, STEPS + 1):
    if TASK == "conj":
        one = 1.0 if step <= CURR else ONE
        def draw():
            r = rng.random()
            if r < MIX: return line(rng, rng.randint(PMIN, PMAX))
            if r < MIX + GEN: return conj_line(rng, rng.randint(NMIN, NMAX), one, GENERIC_KINDS, GQPER)
            if POOL: return pool[rng.randrange(POOL)]
            return conj_line(rng, rng.randint(NMIN, NMAX), one, hard=HARD, repeat=REPEAT)
        batch = [draw() for _ in range(BATCH)]
    else:
        batch = [line(rng, rng.randint(PMIN, PMAX)) for _ in range(BATCH)]
    L = max(len(x) for x, _ in batch); X = torch.full((BATCH, L), eos); W = torch.zeros(BATCH, L)
    for i, (x, t) in enumerate(batch):
        X[i, :len(x)] = torch.tensor(x)
        W[i, :len(x) - 1] = 0.0 if LOSS == "answer" else 1.0  # W[i, p]: weight of predicting token p + 1
        for p, _ in t: W[i, p] = AW
    ce = torch.nn.functional.cross_entropy(m(input_ids=X).logits[:, :-1].flatten(0, 1), X[:, 1:].flatten(), reduction="none")
    loss = (ce * W[:, :-1].flatten()).sum() / W.sum()
    opt.zero_grad(); loss.backward(); torch.nn.utils.clip_grad_norm_(m.parameters(), 1.0); opt.step(); sch.step()
    if step % 64 == 0 or step == STEPS:
        a = evaluate(step == STEPS)
        print(f"step {step} loss {loss.item():.3f} " + " ".join(f"{k} {v:.2f}" for k, v in a.items()) + f" {time.time()-t0:.0f}s", flush=True)
if os.environ.get("SAVE"): torch.save(m.state_dict(), os.environ["SAVE"])
