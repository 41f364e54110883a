"""Skill probe: how many steps does the micro Llama need to learn each held-out skill on its own? (PyTorch, 1 thread)

    TASK=exist [VAR=VALUE ...] python Scripts/skill_probe.py

Each line is a fresh micro-world scene in the demo's compound form (`first box: a largebluecircle and a
smallblacksquare. second box: ...`, one id per word), then QPER (1) questions in corpus form (`question: Is there a
yellow circle in the scene? answer: yes`); only the answers are targets. Every 64 steps it prints the training loss
and the argmax accuracy on the answers of 256 fresh lines, beside the majority share of those answers.

TASK (exist): attr `What colour is the large circle?` (a value named by the two other attributes); verify `Is the
large circle blue?` (that value or another, balanced); exist `Is there a yellow circle in the scene?` (balanced);
judge `Is it true that there is a yellow circle?` (presence as
the judgement warm-up asks it, true or false); boxhas `Does the second box contain a yellow circle?` (balanced); everybox `Does every box contain a yellow
object?` (a colour or a shape, balanced); exactly `Are there exactly 2 yellow circles?` (balanced); count `How
many yellow circles are there?`; mc an attr question with three lettered options, answered by the letter; mcword
the same answered by the option's word (the paper's protocol maps it to the letter); mix one of MIXOF (all of the
above but mcword) per question.
Settings: STEPS (1024), BATCH (32), LR (2e-3, cosine after 3% warm-up), HID (128), LAY (3), HEADS (4), KV (2),
FFN (320), EMB (0.0884; embeddings N(0, EMB), linear layers uniform in +-1/sqrt(in), as MLAN initialises), SEED (7),
PERBOX (1,2: objects per box), QPER (1), QFIRST (0; 1 puts the one question before the scene), SWITCH and TASK2
(after step SWITCH, train on TASK2 instead; both are evaluated: does a skill learned in one form carry to another?). Needs torch and
transformers (a venv outside the repository). Docs/RECIPE.md, "What the micro Llama learns alone", has the results.
"""
import math, os, random, time
import torch
from transformers import LlamaConfig, LlamaForCausalLM

torch.set_num_threads(1)
E = lambda k, d: type(d)(os.environ.get(k, d))
TASK, STEPS, BATCH, LR = E("TASK", "exist"), E("STEPS", 1024), E("BATCH", 32), E("LR", 2e-3)
HID, LAY, HEADS, KV, FFN, EMB = E("HID", 128), E("LAY", 3), E("HEADS", 4), E("KV", 2), E("FFN", 320), E("EMB", 0.0884)
SEED, QPER, QFIRST = E("SEED", 7), E("QPER", 1), E("QFIRST", 0)
PMIN, PMAX = (int(v) for v in os.environ.get("PERBOX", "1,2").split(","))
SIZES, COLOURS, SHAPES = ["small", "medium", "large"], ["blue", "yellow", "black"], ["circle", "square", "triangle"]
ORD = ["first", "second", "third"]
TASKS = os.environ.get("MIXOF", "attr,verify,exist,boxhas,everybox,exactly,count,mc").split(",")


def scene(r):
    return [[(r.choice(SIZES), r.choice(COLOURS), r.choice(SHAPES)) for _ in range(r.randint(PMIN, PMAX))]
            for _ in range(3)]


def describe(s):
    return " ".join(f"{ORD[b]} box: " + " and ".join("a " + "".join(o) for o in box) + "." for b, box in enumerate(s))


def question(task, s, r, want):
    """(question words, answer word) or None when the draw is not well posed; `want` is the wanted yes/no."""
    objs = [o for box in s for o in box]
    if task in ("attr", "mc", "mcword", "verify"):
        asked = r.randrange(3)
        o = r.choice(objs)
        named = [i for i in range(3) if i != asked]
        if sum(all(p[i] == o[i] for i in named) for p in objs) != 1:
            return None
        noun = o[2] if 2 in named else "object"
        adj = " ".join(o[i] for i in named if i != 2)
        q = f"What {['size', 'colour', 'shape'][asked]} is the {adj} {noun}?"
        if task == "attr":
            return q, o[asked]
        if task == "verify":  # `Is the large circle blue?`: the referent's value or another one, balanced
            value = o[asked] if want else r.choice([v for v in [SIZES, COLOURS, SHAPES][asked] if v != o[asked]])
            if asked == 2:
                return f"Is the {' '.join(o[i] for i in named)} object a {value}?", "yes" if want else "no"
            return f"Is the {adj} {noun} {value}?", "yes" if want else "no"
        opts = [SIZES, COLOURS, SHAPES][asked][:]
        r.shuffle(opts)
        q += " options: " + " ".join(f"{'ABC'[i]}: {w}" for i, w in enumerate(opts))
        return q, o[asked] if task == "mcword" else "ABC"[opts.index(o[asked])]
    c, sh = r.choice(COLOURS), r.choice(SHAPES)
    if want and task in ("exist", "judge", "boxhas", "exactly", "count"):
        o = r.choice(objs if task != "boxhas" else [o for o in s[r.randrange(3)]])
        c, sh = o[1], o[2]
    n = sum(p[1] == c and p[2] == sh for p in objs)
    if task == "judge":  # presence in the judgement warm-up's form, verdict true or false
        return (f"Is it true that there is a {c} {sh}?", "true" if want else "false") if (n > 0) == want else None
    if task == "exist":
        return (f"Is there a {c} {sh} in the scene?", "yes" if want else "no") if (n > 0) == want else None
    if task == "boxhas":
        b = r.randrange(3) if not want else next(i for i, box in enumerate(s) if any(p[1] == c and p[2] == sh for p in box))
        has = any(p[1] == c and p[2] == sh for p in s[b])
        return (f"Does the {ORD[b]} box contain a {c} {sh}?", "yes" if want else "no") if has == want else None
    if task == "everybox":
        if r.random() < 0.5:
            w, hit = c, lambda p: p[1] == c
        else:
            w, hit = sh, lambda p: p[2] == sh
        every = all(any(hit(p) for p in box) for box in s)
        return (f"Does every box contain a {w} object?", "yes" if want else "no") if every == want else None
    if task == "exactly":
        k = n if want else max(0, n + r.choice([-1, 1]))
        if (k == n) != want:
            return None
        return f"Are there exactly {k} {c} {sh}s?", "yes" if want else "no"
    if task == "count":
        return f"How many {c} {sh}s are there?", str(n)
    raise SystemExit(f"unknown TASK {task}")


def line(r, task):
    qs = []
    while len(qs) < QPER:  # each question's task and wanted answer are drawn once, before its scene
        t, want = (r.choice(TASKS) if task == "mix" else task), r.random() < 0.5
        while True:
            s = scene(r) if not qs else s
            qa = next(filter(None, (question(t, s, r, want) for _ in range(24))), None)
            if qa:
                qs.append(qa)
                break
            if qs:  # a later question that does not fit this scene is drawn again
                t, want = (r.choice(TASKS) if task == "mix" else task), r.random() < 0.5
    return describe(s), qs


# A closed vocabulary: every word a line can hold.
words = ["<pad>", "<s>", "question:", "answer:", "options:", "A:", "B:", "C:", "A", "B", "C", "box:", "a", "and", ".",
         "yes", "no", "What", "is", "the", "object?", "Is", "there", "in", "scene?", "a", "it", "true", "false", "that", "Does", "box", "contain", "every",
         "Are", "exactly", "How", "many", "are", "there?", "size", "colour", "shape", "object"] + ORD + SIZES + COLOURS + SHAPES
words += [f"{s}{c}{h}" for s in SIZES for c in COLOURS for h in SHAPES]
words += [f"{w}?" for w in SHAPES + SIZES + COLOURS + ["object"]] + [f"{h}s?" for h in SHAPES] + [f"{h}s" for h in SHAPES]
words += [f"{w}." for w in [f"{s}{c}{h}" for s in SIZES for c in COLOURS for h in SHAPES]]
words += [str(i) for i in range(8)]
vocab = {w: i for i, w in enumerate(dict.fromkeys(words))}


def encode(desc, qs):
    ids, tgt = [vocab["<s>"]], [-100]
    if QFIRST:  # one question, before the scene: `question: ... first box: ... answer: yes`
        (q, a), = qs
        for w in ["question:"] + q.split() + desc.split() + ["answer:"]:
            ids.append(vocab[w]); tgt.append(-100)
        tgt[-1] = vocab[a]
        return ids + [vocab[a]], tgt + [-100]
    for w in desc.split():
        ids.append(vocab[w]); tgt.append(-100)
    for q, a in qs:
        for w in ["question:"] + q.split() + ["answer:"]:
            ids.append(vocab[w]); tgt.append(-100)
        tgt[-1] = vocab[a]  # the token after "answer:" is predicted at "answer:"
        ids.append(vocab[a]); tgt.append(-100)
    return ids, tgt


def batch(lines):
    enc = [encode(*l) for l in lines]
    n = max(len(i) for i, _ in enc)
    ids = torch.tensor([i + [0] * (n - len(i)) for i, _ in enc])
    tgt = torch.tensor([t + [-100] * (n - len(t)) for _, t in enc])
    mask = torch.tensor([[1] * len(i) + [0] * (n - len(i)) for i, _ in enc])
    return ids, tgt, mask


torch.manual_seed(SEED)
cfg = LlamaConfig(vocab_size=len(vocab), hidden_size=HID, intermediate_size=FFN, num_hidden_layers=LAY,
                  num_attention_heads=HEADS, num_key_value_heads=KV, max_position_embeddings=256,
                  tie_word_embeddings=True, attn_implementation="eager")
model = LlamaForCausalLM(cfg)
with torch.no_grad():
    for mod in model.modules():
        if isinstance(mod, torch.nn.Linear):
            b = 1 / math.sqrt(mod.in_features); mod.weight.uniform_(-b, b)
    model.model.embed_tokens.weight.normal_(0, EMB)
opt = torch.optim.AdamW(model.parameters(), lr=LR, weight_decay=0.0)
warm = max(1, int(0.03 * STEPS))
sched = torch.optim.lr_scheduler.LambdaLR(
    opt, lambda s: (s + 1) / warm if s < warm else 0.5 * (1 + math.cos(math.pi * (s - warm) / max(1, STEPS - warm))))
train_r, eval_r = random.Random(SEED), random.Random(SEED + 1000)
SWITCH, TASK2 = E("SWITCH", 0), E("TASK2", "")
evals = {t: [line(eval_r, t) for _ in range(256)] for t in (TASKS if TASK == "mix" else [TASK] + ([TASK2] if TASK2 else []))}


def accuracy(lines):
    ids, tgt, mask = batch(lines)
    with torch.no_grad():
        pred = model(input_ids=ids, attention_mask=mask).logits.argmax(-1)
    sel = tgt != -100
    answers = tgt[sel].tolist()
    majority = max(answers.count(a) for a in set(answers)) / len(answers)
    return (pred[sel] == tgt[sel]).float().mean().item(), majority


start = time.time()
for step in range(1, STEPS + 1):
    ids, tgt, mask = batch([line(train_r, TASK2 if SWITCH and step > SWITCH else TASK) for _ in range(BATCH)])
    loss = torch.nn.functional.cross_entropy(model(input_ids=ids, attention_mask=mask).logits.flatten(0, 1),
                                             tgt.flatten(), ignore_index=-100)
    opt.zero_grad(); loss.backward()
    torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
    opt.step(); sched.step()
    if step % 64 == 0 or step == STEPS:
        model.eval()
        cells = " ".join(f"{t} {a:.2f} (maj {m:.2f})" for t, (a, m) in ((t, accuracy(l)) for t, l in evals.items()))
        model.train()
        print(f"step {step} loss {loss.item():.3f} {cells} {time.time() - start:.0f}s", flush=True)
