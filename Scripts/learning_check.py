"""Learning check: does a micro Llama learn a lookup task in MLAN's trainer as fast as in PyTorch, from the same
initial weights, data and hyper-parameters?

    python Scripts/learning_check.py setup DIR TOKENIZER_JSON TASK [EPOCHS]  # task.txt, a random micro Llama, DIR/mlan.json
    mlan train --config DIR/mlan.json                               # MLAN's run (loss every 10 steps)
    python Scripts/learning_check.py torch DIR SEED                 # the PyTorch peer, same schedule

TASK is one of
  copy    ten random scene words, "again:", the same ten words. Without copying the loss stays near 2.3 nats
          per token; a model that copies reaches about 1.3 (the first half stays unpredictable). A head that
          looks a fixed distance back is enough.
  recall  six random key-value pairs ("first blue, box small, ..."), "again:", the six keys in another order,
          each followed by its value. Reading a value needs attention by content (find the key, take the
          next word), the lookup a scene question needs. Without it the loss stays near 2.2 nats per token;
          with it about 1.6 (the pairs and the order of the queried keys stay unpredictable).
Needs torch, transformers and tokenizers (a venv outside the repository).
"""
import json, math, random, shutil, sys
from pathlib import Path

WORDS = ("blue yellow black circle square triangle small medium large first second third box object objects "
         "there is are no true false question answer").split()
VALUES, KEYS = WORDS[:9], WORDS[9:]
LINES, BATCH, LR = 4096, 32, 2e-3


def task_line(task: str, rng: random.Random) -> str:
    if task == "copy":
        words = [rng.choice(WORDS) for _ in range(10)]
        return " ".join(words) + " again: " + " ".join(words)
    keys = rng.sample(KEYS, 6)
    value = {key: rng.choice(VALUES) for key in keys}
    queries = rng.sample(keys, len(keys))
    return (", ".join(f"{key} {value[key]}" for key in keys) + " again: "
            + ", ".join(f"{key} {value[key]}" for key in queries))


def setup(folder: Path, tokenizer: str, task: str, epochs: int) -> None:
    import torch
    from transformers import LlamaConfig, LlamaForCausalLM
    folder.mkdir(parents=True, exist_ok=True)
    rng = random.Random(0)
    with open(folder / "task.txt", "w") as out:
        for _ in range(LINES):
            out.write(task_line(task, rng) + "\n")
    config = LlamaConfig(vocab_size=512, hidden_size=128, intermediate_size=320, num_hidden_layers=3,
                         num_attention_heads=4, num_key_value_heads=2, rms_norm_eps=1e-5, max_position_embeddings=384,
                         tie_word_embeddings=True, rope_theta=10000.0, bos_token_id=None,
                         eos_token_id=json.loads(Path(tokenizer).read_text())["model"]["vocab"]["</s>"])
    torch.manual_seed(0)
    LlamaForCausalLM(config).save_pretrained(folder / "model", safe_serialization=True)
    shutil.copy(tokenizer, folder / "model" / "tokenizer.json")
    train = {"learning_rate": LR, "global_batch_size": BATCH, "micro_batch_size": BATCH // 2, "epochs": epochs,
             "warmup_ratio": 0.03, "max_grad_norm": 1, "max_length": 320, "log_every": 10, "schedule": "cosine",
             "seed": 7}
    stage = {"stage": "pretrain", "output": str(folder / "run-mlan"), "model": {"language_model": str(folder / "model")},
             "data": [{"file": str(folder / "task.txt"), "dataset": task, "task_cluster": task}], "train": train}
    (folder / "mlan.json").write_text(json.dumps(stage, indent=1))


def peer(folder: Path, seed: int) -> None:
    import torch
    from tokenizers import Tokenizer
    from transformers import LlamaForCausalLM
    torch.set_num_threads(1)
    torch.manual_seed(seed)
    tokenizer = Tokenizer.from_file(str(folder / "model" / "tokenizer.json"))
    eos = tokenizer.token_to_id("</s>")
    lines = (folder / "task.txt").read_text().splitlines()
    sequences = [tokenizer.encode(line, add_special_tokens=False).ids + [eos] for line in lines]
    model = LlamaForCausalLM.from_pretrained(folder / "model")
    epochs = json.loads((folder / "mlan.json").read_text())["train"]["epochs"]
    steps = epochs * LINES // BATCH
    model.train()
    optimizer = torch.optim.AdamW(model.parameters(), lr=LR, betas=(0.9, 0.999), eps=1e-8, weight_decay=0)
    warmup = math.ceil(0.03 * steps)  # as Hugging Face's cosine schedule: 0 at step 0
    schedule = torch.optim.lr_scheduler.LambdaLR(optimizer, lambda s: s / warmup if s < warmup else
                                                 0.5 * (1 + math.cos(math.pi * (s - warmup) / (steps - warmup))))
    order, rng = [], random.Random(seed)
    for _ in range(epochs):
        epoch = list(range(len(sequences)))
        rng.shuffle(epoch)
        order += epoch
    for step in range(steps):
        batch = [sequences[i] for i in order[step * BATCH:(step + 1) * BATCH]]
        width = max(map(len, batch))
        ids = torch.zeros((len(batch), width), dtype=torch.long)
        labels = torch.full((len(batch), width), -100)
        mask = torch.zeros((len(batch), width), dtype=torch.long)
        for row, sequence in enumerate(batch):
            ids[row, :len(sequence)] = torch.tensor(sequence)
            labels[row, :len(sequence)] = torch.tensor(sequence)
            mask[row, :len(sequence)] = 1
        loss = model(input_ids=ids, attention_mask=mask, labels=labels).loss
        optimizer.zero_grad()
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        optimizer.step()
        schedule.step()
        if (step + 1) % 10 == 0:
            print(f"step {step + 1}/{steps} loss {loss.item():.4f}", flush=True)


if __name__ == "__main__":
    if len(sys.argv) in (5, 6) and sys.argv[1] == "setup" and sys.argv[4] in ("copy", "recall"):
        setup(Path(sys.argv[2]), sys.argv[3], sys.argv[4], int(sys.argv[5]) if len(sys.argv) == 6 else 2)
    elif len(sys.argv) == 4 and sys.argv[1] == "torch":
        peer(Path(sys.argv[2]), int(sys.argv[3]))
    else:
        sys.exit(__doc__)
