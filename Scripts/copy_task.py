"""Copy-task learning check: does a micro Llama learn to copy (an induction head) in MLAN's trainer as fast as
in PyTorch, from the same initial weights, data and hyper-parameters?

    python Scripts/copy_task.py setup DIR TOKENIZER_JSON   # copy.txt, a random micro Llama, DIR/mlan.json
    mlan train --config DIR/mlan.json                      # MLAN's run (loss every 10 steps)
    python Scripts/copy_task.py torch DIR SEED             # the PyTorch peer, same schedule (loss every 10 steps)

Each line is ten random scene words, "again:", and the same ten words. Without copying the loss stays near
2.3 nats per token; a model that copies reaches about 1.3 (the first half stays unpredictable).
Needs torch, transformers and tokenizers (a venv outside the repository).
"""
import json, math, random, shutil, sys
from pathlib import Path

WORDS = ("blue yellow black circle square triangle small medium large first second third box object objects "
         "there is are no true false question answer").split()
STEPS, BATCH, LR = 256, 32, 2e-3


def setup(folder: Path, tokenizer: str) -> None:
    import torch
    from transformers import LlamaConfig, LlamaForCausalLM
    folder.mkdir(parents=True, exist_ok=True)
    rng = random.Random(0)
    with open(folder / "copy.txt", "w") as out:
        for _ in range(4096):
            words = [rng.choice(WORDS) for _ in range(10)]
            out.write(" ".join(words) + " again: " + " ".join(words) + "\n")
    config = LlamaConfig(vocab_size=512, hidden_size=128, intermediate_size=320, num_hidden_layers=3,
                         num_attention_heads=4, num_key_value_heads=2, rms_norm_eps=1e-5, max_position_embeddings=384,
                         tie_word_embeddings=True, rope_theta=10000.0, bos_token_id=None, eos_token_id=None)
    torch.manual_seed(0)
    LlamaForCausalLM(config).save_pretrained(folder / "model", safe_serialization=True)
    shutil.copy(tokenizer, folder / "model" / "tokenizer.json")
    train = {"learning_rate": LR, "global_batch_size": BATCH, "micro_batch_size": BATCH // 2, "epochs": 2,
             "warmup_ratio": 0.03, "max_grad_norm": 1, "max_length": 320, "log_every": 10, "schedule": "cosine",
             "seed": 7}
    stage = {"stage": "pretrain", "output": str(folder / "run-mlan"), "model": {"language_model": str(folder / "model")},
             "data": [{"file": str(folder / "copy.txt"), "dataset": "copy", "task_cluster": "copy"}], "train": train}
    (folder / "mlan.json").write_text(json.dumps(stage, indent=1))


def peer(folder: Path, seed: int) -> None:
    import torch
    from tokenizers import Tokenizer
    from transformers import LlamaForCausalLM
    torch.set_num_threads(1)
    torch.manual_seed(seed)
    tokenizer = Tokenizer.from_file(str(folder / "model" / "tokenizer.json"))
    eos = tokenizer.token_to_id("</s>")
    lines = (folder / "copy.txt").read_text().splitlines()
    sequences = [tokenizer.encode(line, add_special_tokens=False).ids + [eos] for line in lines]
    model = LlamaForCausalLM.from_pretrained(folder / "model")
    model.train()
    optimizer = torch.optim.AdamW(model.parameters(), lr=LR, betas=(0.9, 0.999), eps=1e-8, weight_decay=0)
    warmup = math.ceil(0.03 * STEPS)  # as Hugging Face's cosine schedule: 0 at step 0
    schedule = torch.optim.lr_scheduler.LambdaLR(optimizer, lambda s: s / warmup if s < warmup else
                                                 0.5 * (1 + math.cos(math.pi * (s - warmup) / (STEPS - warmup))))
    order, rng = [], random.Random(seed)
    for _ in range(2):
        epoch = list(range(len(sequences)))
        rng.shuffle(epoch)
        order += epoch
    for step in range(STEPS):
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
            print(f"step {step + 1}/{STEPS} loss {loss.item():.4f}", flush=True)


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[1] == "setup":
        setup(Path(sys.argv[2]), sys.argv[3])
    elif len(sys.argv) == 4 and sys.argv[1] == "torch":
        peer(Path(sys.argv[2]), int(sys.argv[3]))
    else:
        sys.exit(__doc__)
