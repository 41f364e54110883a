#!/usr/bin/env python3
"""Checks that Hugging Face's tools read what MLAN writes, as MLAN reads it.

Usage: hub-parity.py EXPECTATIONS.json

EXPECTATIONS.json (written by HubInteropTests) names directories MLAN saved and what MLAN computed on them:
  {"arrays": "expected.safetensors",
   "language_model": {"directory", "bos", "eos", "texts": [{"text", "ids", "ids_special"}],
                      "chats": [{"messages", "add_generation_prompt", "rendered"}], "logits_ids"},
   "llava": {"directory", "bos", "eos", "texts", "chats", "prompt", "ids", "images"}}
Arrays: "lm.logits" [T, V]; "llava.pixel_values.K" [3, H, W] per image; "llava.logits" [T, V] for the prompt
with image 0. Prints one JSON object {"checks": [{"name", "ok", "detail"}], "ok"}; exits 1 when a check fails.
"""
import json
import sys

import torch
from PIL import Image
from safetensors.torch import load_file
from transformers import AutoModelForCausalLM, AutoProcessor, AutoTokenizer, LlavaForConditionalGeneration

checks = []


def check(name, ok, detail=""):
    checks.append({"name": name, "ok": bool(ok), "detail": detail})


def relative_max(ours, theirs):
    scale = max(float(theirs.abs().max()), 1e-12)
    return float((ours - theirs).abs().max()) / scale


def tokenizer_checks(tag, tokenizer, spec):
    check(f"{tag}.bos", tokenizer.bos_token_id == spec["bos"], f"{tokenizer.bos_token_id} vs {spec['bos']}")
    check(f"{tag}.eos", tokenizer.eos_token_id == spec["eos"], f"{tokenizer.eos_token_id} vs {spec['eos']}")
    for i, item in enumerate(spec["texts"]):
        plain = tokenizer(item["text"], add_special_tokens=False)["input_ids"]
        special = tokenizer(item["text"])["input_ids"]
        check(f"{tag}.ids[{i}]", plain == item["ids"], f"{plain} vs {item['ids']}")
        check(f"{tag}.ids_special[{i}]", special == item["ids_special"], f"{special} vs {item['ids_special']}")
    for i, chat in enumerate(spec["chats"]):
        rendered = tokenizer.apply_chat_template(chat["messages"], tokenize=False,
                                                 add_generation_prompt=chat["add_generation_prompt"])
        check(f"{tag}.chat[{i}]", rendered == chat["rendered"], f"{rendered!r} vs {chat['rendered']!r}")


def language_model(spec, arrays):
    tokenizer = AutoTokenizer.from_pretrained(spec["directory"])
    tokenizer_checks("lm", tokenizer, spec)
    model = AutoModelForCausalLM.from_pretrained(spec["directory"], dtype=torch.float32, attn_implementation="eager")
    with torch.no_grad():
        logits = model(torch.tensor([spec["logits_ids"]])).logits[0]
    error = relative_max(arrays["lm.logits"], logits)
    check("lm.logits", error <= 1e-4, f"max |diff| / max |logit| = {error:.3g}")
    try:
        from lm_eval.api.instance import Instance
        from lm_eval.models.huggingface import HFLM
    except ImportError as exc:
        check("lm_eval.prefix_token", True, f"skipped: lm-eval not installed ({exc})")
        return
    lm = HFLM(pretrained=spec["directory"], device="cpu", batch_size=1)
    prefix = lm.prefix_token_id
    # An empty context is scored after the prefix token: the request that failed before MLAN wrote its tokens.
    request = Instance(request_type="loglikelihood", doc={}, arguments=("", " Paris is in France."), idx=0)
    (logprob, _), = lm.loglikelihood([request])
    check("lm_eval.prefix_token", prefix is not None and logprob < 0, f"prefix_token_id {prefix}, log-likelihood {logprob:.4f}")


def llava(spec, arrays):
    processor = AutoProcessor.from_pretrained(spec["directory"])
    tokenizer_checks("llava", processor.tokenizer, spec)
    check("llava.processor_class", type(processor).__name__ == "LlavaProcessor", type(processor).__name__)
    for i, chat in enumerate(spec["chats"]):
        rendered = processor.apply_chat_template(chat["messages"], tokenize=False,
                                                 add_generation_prompt=chat["add_generation_prompt"])
        check(f"llava.processor_chat[{i}]", rendered == chat["rendered"], f"{rendered!r} vs {chat['rendered']!r}")
    inputs = None
    for k, path in enumerate(spec["images"]):
        image = Image.open(path)
        out = processor(images=image, text=spec["prompt"], return_tensors="pt")
        ours = arrays[f"llava.pixel_values.{k}"]
        error = float((out["pixel_values"][0] - ours).abs().max())
        check(f"llava.pixels[{k}]", error <= 1e-5, f"{type(processor.image_processor).__name__}: max |diff| = {error:.3g}")
        if k == 0:
            inputs = out
    ids = inputs["input_ids"][0].tolist()
    check("llava.processor_ids", ids == spec["ids"], f"{ids} vs {spec['ids']}")
    model = LlavaForConditionalGeneration.from_pretrained(spec["directory"], dtype=torch.float32,
                                                          attn_implementation="eager")
    with torch.no_grad():
        logits = model(input_ids=inputs["input_ids"], pixel_values=inputs["pixel_values"]).logits[0]
    error = relative_max(arrays["llava.logits"], logits)
    check("llava.logits", error <= 1e-4, f"max |diff| / max |logit| = {error:.3g}")


def main():
    with open(sys.argv[1]) as handle:
        spec = json.load(handle)
    arrays = load_file(spec["arrays"])
    for name, run in [("language_model", language_model), ("llava", llava)]:
        if name in spec:
            try:
                run(spec[name], arrays)
            except Exception as exc:  # reported as a failed check, with its message
                check(f"{name}.error", False, f"{type(exc).__name__}: {exc}")
    ok = all(c["ok"] for c in checks)
    print(json.dumps({"checks": checks, "ok": ok}, indent=1))
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
