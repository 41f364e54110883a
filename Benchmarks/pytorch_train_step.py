#!/usr/bin/env python3
"""PyTorch eager peer of `mlan-bench train`: the same Llama-style training steps, alternating with MLAN.

Run from a virtual environment outside the repository that has torch (see Docs/BENCHMARKS.md):

    python Benchmarks/pytorch_train_step.py --mlan-bench .build-perf/release/mlan-bench \
        --configs S,M,L,SmolLM2 --threads 1,2 --rounds 2 [--busy]

For every round, configuration and thread count it runs `mlan-bench step:NAME` (a child process with
MLAN_THREADS set) and then the same step in PyTorch (torch.set_num_threads), so both see the same load.
`--busy` keeps one busy-loop process running beside both. One step = forward, causal-LM cross-entropy,
backward, AdamW (PyTorch's default implementation), zero_grad; random weights and ids, float32, tied head.
"""
import argparse
import math
import os
import statistics
import subprocess
import sys
import time

import torch
import torch.nn.functional as F

# name: (vocab, dim, layers, heads, kv heads, ffn, sequence, batch, rope theta, eps, timed steps)
CONFIGS = {
    "S": (512, 128, 2, 4, 4, 384, 64, 8, 10000.0, 1e-6, 15),
    "M": (2048, 256, 4, 8, 8, 768, 128, 8, 10000.0, 1e-6, 7),
    "L": (49152, 576, 4, 9, 3, 1536, 256, 4, 10000.0, 1e-6, 3),
    "SmolLM2": (49152, 576, 30, 9, 3, 1536, 256, 4, 100000.0, 1e-5, 3),
}


class RMSNorm(torch.nn.Module):
    def __init__(self, dim, eps):
        super().__init__()
        self.weight = torch.nn.Parameter(torch.ones(dim))
        self.eps = eps

    def forward(self, x):
        return x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + self.eps) * self.weight


def rotate_half(x):
    a, b = x.chunk(2, dim=-1)
    return torch.cat((-b, a), dim=-1)


class Block(torch.nn.Module):
    def __init__(self, dim, heads, kv_heads, ffn, eps):
        super().__init__()
        self.heads, self.kv_heads, self.head_dim = heads, kv_heads, dim // heads
        self.q = torch.nn.Linear(dim, dim, bias=False)
        self.k = torch.nn.Linear(dim, kv_heads * self.head_dim, bias=False)
        self.v = torch.nn.Linear(dim, kv_heads * self.head_dim, bias=False)
        self.o = torch.nn.Linear(dim, dim, bias=False)
        self.gate = torch.nn.Linear(dim, ffn, bias=False)
        self.up = torch.nn.Linear(dim, ffn, bias=False)
        self.down = torch.nn.Linear(ffn, dim, bias=False)
        self.norm1, self.norm2 = RMSNorm(dim, eps), RMSNorm(dim, eps)

    def forward(self, x, cos, sin):
        b, t, d = x.shape
        h = self.norm1(x)
        q = self.q(h).view(b, t, self.heads, self.head_dim).transpose(1, 2)
        k = self.k(h).view(b, t, self.kv_heads, self.head_dim).transpose(1, 2)
        v = self.v(h).view(b, t, self.kv_heads, self.head_dim).transpose(1, 2)
        q, k = q * cos + rotate_half(q) * sin, k * cos + rotate_half(k) * sin
        group = self.heads // self.kv_heads
        k, v = k.repeat_interleave(group, dim=1), v.repeat_interleave(group, dim=1)
        a = F.scaled_dot_product_attention(q, k, v, is_causal=True)
        x = x + self.o(a.transpose(1, 2).reshape(b, t, d))
        h = self.norm2(x)
        return x + self.down(F.silu(self.gate(h)) * self.up(h))


class Llama(torch.nn.Module):
    def __init__(self, vocab, dim, layers, heads, kv_heads, ffn, theta, eps):
        super().__init__()
        self.embed = torch.nn.Embedding(vocab, dim)
        torch.nn.init.normal_(self.embed.weight, std=0.02)
        self.blocks = torch.nn.ModuleList(Block(dim, heads, kv_heads, ffn, eps) for _ in range(layers))
        self.norm = RMSNorm(dim, eps)
        self.head_dim, self.theta = dim // heads, theta

    def forward(self, ids):
        t = ids.shape[1]
        inv = 1.0 / (self.theta ** (torch.arange(0, self.head_dim, 2, dtype=torch.float32) / self.head_dim))
        angles = torch.outer(torch.arange(t, dtype=torch.float32), inv)
        angles = torch.cat((angles, angles), dim=-1)
        cos, sin = angles.cos(), angles.sin()
        x = self.embed(ids)
        for block in self.blocks:
            x = block(x, cos, sin)
        return self.norm(x) @ self.embed.weight.t()  # tied head


def torch_steps(name, threads):
    vocab, dim, layers, heads, kv, ffn, seq, batch, theta, eps, steps = CONFIGS[name]
    torch.set_num_threads(threads)
    torch.manual_seed(7)
    model = Llama(vocab, dim, layers, heads, kv, ffn, theta, eps)
    decay = [p for p in model.parameters() if p.dim() >= 2]
    no_decay = [p for p in model.parameters() if p.dim() < 2]
    optimizer = torch.optim.AdamW([{"params": decay, "weight_decay": 0.01},
                                   {"params": no_decay, "weight_decay": 0.0}], lr=1e-4)
    ids = torch.randint(0, vocab, (batch, seq))
    times = []
    for index in range(steps + 1):  # 0: warm-up
        start = time.perf_counter()
        logits = model(ids)
        loss = F.cross_entropy(logits[:, :-1].reshape(-1, vocab), ids[:, 1:].reshape(-1))
        loss.backward()
        optimizer.step()
        optimizer.zero_grad()
        if index > 0:
            times.append((time.perf_counter() - start) * 1e3)
    return times


def mlan_steps(binary, name, threads):
    env = dict(os.environ, MLAN_THREADS=str(threads))
    out = subprocess.run([binary, f"step:{name}"], env=env, capture_output=True, text=True, check=True).stdout
    line = next(l for l in out.splitlines() if l.startswith(f"step {name} "))
    return [float(x) for x in line.split()[3:]]


def load_average():
    return os.getloadavg()[0]


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--mlan-bench", help="path of a release mlan-bench; without it only PyTorch runs")
    parser.add_argument("--configs", default="S,M,L,SmolLM2")
    parser.add_argument("--threads", default="1,2")
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--busy", action="store_true", help="run a busy-loop process beside both")
    args = parser.parse_args()
    configs = args.configs.split(",")
    for name in configs:
        if name not in CONFIGS:
            sys.exit(f"unknown config {name!r}; known: {', '.join(CONFIGS)}")
    thread_counts = [int(x) for x in args.threads.split(",")]
    competitor = subprocess.Popen([sys.executable, "-c", "while True: pass"]) if args.busy else None
    print(f"torch {torch.__version__}, busy loop beside: {'yes' if args.busy else 'no'}", flush=True)
    results = {}
    try:
        for _ in range(args.rounds):
            for name in configs:
                for threads in thread_counts:
                    load = load_average()
                    ours = mlan_steps(args.mlan_bench, name, threads) if args.mlan_bench else []
                    theirs = torch_steps(name, threads)
                    results.setdefault((name, threads), []).append((ours, theirs, load))
                    print(f"{name} {threads}t load {load:.1f}: MLAN {', '.join(f'{x:.1f}' for x in ours)} ms | "
                          f"PyTorch {', '.join(f'{x:.1f}' for x in theirs)} ms", flush=True)
    finally:
        if competitor:
            competitor.kill()
    print("\nconfig threads  MLAN median ms  PyTorch median ms  MLAN/PyTorch  MLAN tokens/s  PyTorch tokens/s  "
          "per-round ratios")
    for (name, threads), rows in results.items():
        tokens = CONFIGS[name][6] * CONFIGS[name][7]
        ours = [x for r in rows for x in r[0]]
        theirs = [x for r in rows for x in r[1]]
        mo = statistics.median(ours) if ours else math.nan
        mt = statistics.median(theirs)
        per_round = [statistics.median(r[0]) / statistics.median(r[1]) for r in rows if r[0]]
        print(f"{name:7} {threads:7} {mo:14.1f} {mt:18.1f} {mo / mt:13.2f} {tokens / mo * 1e3:14.0f} "
              f"{tokens / mt * 1e3:17.0f}  {', '.join(f'{x:.2f}' for x in per_round)}")


if __name__ == "__main__":
    main()
