#!/usr/bin/env python3
"""llama.cpp's side of `mlan-bench smollm2`: the same 128-token prompt, prefill and 64 greedy decode steps.

Run with a Python that has llama-cpp-python (a venv outside the repository), alternating with mlan-bench:
    for i in 1 2 3; do .build/release/mlan-bench smollm2:native; python3 Scripts/bench-llama-cpp.py; done
Prints load seconds, prefill tok/s (median of 5), decode tok/s (median of 3 × 64) and peak RSS.
"""
import os
import resource
import statistics
import sys
import time

import numpy as np
from llama_cpp import Llama

MODEL = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "models", "SmolLM2-135M-Instruct.Q4_1.gguf")
THREADS = int(os.environ.get("MLAN_THREADS", "2"))

start = time.perf_counter()
llm = Llama(model_path=sys.argv[1] if len(sys.argv) > 1 else MODEL, n_threads=THREADS, n_threads_batch=THREADS,
            n_ctx=512, n_batch=512, verbose=False)
load = time.perf_counter() - start
text = "The quick brown fox jumps over the lazy dog near the river bank. " * 12
prompt = llm.tokenize(text.encode(), add_bos=False)[:128]

def prefill():
    llm.reset()
    t = time.perf_counter()
    llm.eval(prompt)
    return time.perf_counter() - t

prefill()
prefills = sorted(prefill() for _ in range(5))
rates = []
for _ in range(3):
    prefill()
    token = prompt[-1]
    t = time.perf_counter()
    for _ in range(64):
        llm.eval([token])
        token = int(np.argmax(llm.scores[llm.n_tokens - 1]))
    rates.append(64 / (time.perf_counter() - t))
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(f"llama.cpp (llama-cpp-python), {THREADS} threads: load {load:.2f} s; prefill 128 tokens "
      f"{prefills[2] * 1e3:.1f} ms ({128 / prefills[2]:.1f} tok/s); decode {statistics.median(rates):.1f} tok/s "
      f"(median of 3 × 64); peak RSS {peak:.1f} MiB")
