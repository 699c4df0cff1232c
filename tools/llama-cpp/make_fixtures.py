#!/usr/bin/env python3
"""Records llama.cpp's outputs on the default model (Gemma 3 270M Q4_K_M) as test fixtures:
fixtures/llama-cpp/gemma3-270m-q4_k_m.json with the top-2 next-token logits at every position of
agreement-text.txt (first 256 ids) and the greedy answers to chat prompts. Needs `npm install` here and the model
(tools/fetch-default-model.sh)."""
import json, os, sys, tempfile
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import agreement as A

model = os.path.expanduser(os.environ.get("UNICORN_MODELS", "~/.unicorn/models")) + "/gemma-3-270m-q4_k_m.gguf"
top = A.node("top1", model, "--text-file", os.path.join(A.HERE, "agreement-text.txt"), "--tokens", "256")
prompts = []
for p in A.PROMPTS:
    with tempfile.NamedTemporaryFile("w", suffix=".txt", delete=False) as f:
        f.write(A.CHAT["gemma3"].format(p))
    tok = A.node("tokenize", model, "--text-file", f.name, "--special", "1")
    os.unlink(f.name)
    ids = ([tok["bos"]] if tok["addBos"] else []) + tok["ids"]
    g = A.node("greedy", model, "--ids", ",".join(map(str, ids)), "--max", "48")
    prompts.append({"prompt": p, "prompt_ids": ids, "greedy_ids": g["ids"], "text": g["text"]})
out = {"model": os.path.basename(model), "sha256": open(model + ".sha256").read().split()[0],
       "llama_cpp": top["llamaCppRelease"], "node_llama_cpp": "3.22.1",
       "text_ids": top["ids"], "top2": top["top"], "prompts": prompts}
dst = os.path.join(A.ROOT, "fixtures/llama-cpp/gemma3-270m-q4_k_m.json")
with open(dst, "w") as f:
    json.dump(out, f, ensure_ascii=False)
print(dst)
