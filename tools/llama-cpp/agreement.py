#!/usr/bin/env python3
"""Top-1 agreement and greedy answers of Unicorn against llama.cpp on the same GGUF files.

  tools/llama-cpp/agreement.py MODEL.gguf [MODEL.gguf ...] [--tokens 256] [--prompts] [--self]

For each file: llama.cpp tokenizes tools/llama-cpp/agreement-text.txt (first --tokens ids, BOS as the model adds
it) and reports its two best next tokens at every position; `./unicorn logits` runs the same ids; the share of
positions whose argmax agrees is printed (positions where llama.cpp's own top-2 margin is below 1e-3 are counted
and reported separately). With --self, llama.cpp also runs the ids one at a time (its decoding kernels) and the
agreement of its own two runs is printed: the ceiling for any implementation not bit-identical to its prefill
(docs/testing.md). With --prompts, the greedy answers to fixed chat prompts are compared as ids and text.
Exits non-zero when agreement is below 99% or a greedy answer differs. Needs `npm install` in tools/llama-cpp."""
import json, os, struct, subprocess, sys, tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
PROMPTS = ["What is the capital of France?", "Write a haiku about the sea.", "List three prime numbers."]


def node(*args):
    out = subprocess.run(["node", os.path.join(HERE, "reference.mjs"), *args], capture_output=True, text=True,
                         cwd=HERE, timeout=900)
    if out.returncode != 0:
        raise SystemExit(f"llama.cpp reference failed: {out.stderr}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def unicorn(*args):
    env = dict(os.environ, UNICORN_SKIP_BUILD=os.environ.get("UNICORN_SKIP_BUILD", "1"))
    out = subprocess.run([os.path.join(ROOT, "unicorn"), *args], capture_output=True, text=True, env=env, timeout=900)
    if out.returncode != 0:
        raise SystemExit(f"unicorn {' '.join(args[:3])} failed: {out.stderr}")
    return out.stdout


def read_logits(path):
    with open(path, "rb") as f:
        n = struct.unpack("<Q", f.read(8))[0]
        header = json.loads(f.read(n))
        rows, vocab = header["logits"]["shape"]
        data = f.read()
    return rows, vocab, data


def argmax_rows(rows, vocab, data):
    try:
        import numpy as np
        return np.frombuffer(data, dtype="<f4").reshape(rows, vocab).argmax(1).tolist()
    except ImportError:
        pass
    import array
    a = array.array("f")
    a.frombytes(data)
    return [max(range(vocab), key=lambda j, base=r * vocab: a[base + j]) for r in range(rows)]


def self_agreement(model, tokens, ref):
    seq = node("top1", model, "--text-file", os.path.join(HERE, "agreement-text.txt"), "--tokens", str(tokens),
               "--one-by-one", "1")
    return sum(a[0][0] == b[0][0] for a, b in zip(ref["top"], seq["top"]))


def agreement(model, tokens, self_check=False):
    ref = node("top1", model, "--text-file", os.path.join(HERE, "agreement-text.txt"), "--tokens", str(tokens))
    ids = ref["ids"]
    with tempfile.TemporaryDirectory() as tmp:
        out = os.path.join(tmp, "logits.safetensors")
        unicorn("logits", "--model", model, "--ids", ",".join(map(str, ids)), "--out", out)
        ours = argmax_rows(*read_logits(out))
    agree = ties = 0
    for (top, mine) in zip(ref["top"], ours):
        if top[0][0] == mine:
            agree += 1
        elif len(top) > 1 and top[0][1] - top[1][1] < 1e-3:
            ties += 1
    return len(ids), agree, ties, (self_agreement(model, tokens, ref) if self_check else None)


CHAT = {"gemma3": "<start_of_turn>user\n{}<end_of_turn>\n<start_of_turn>model\n",
        "qwen2": "<|im_start|>user\n{}<|im_end|>\n<|im_start|>assistant\n",
        "qwen3": "<|im_start|>user\n{}<|im_end|>\n<|im_start|>assistant\n"}


def greedy(model, prompt, max_tokens):
    probe = node("tokenize", model, "--text-file", os.devnull)
    with tempfile.NamedTemporaryFile("w", suffix=".txt", delete=False) as f:
        f.write(CHAT[probe["arch"]].format(prompt))
    tok = node("tokenize", model, "--text-file", f.name, "--special", "1")
    os.unlink(f.name)
    ids = ([tok["bos"]] if tok["addBos"] else []) + tok["ids"]
    ref = node("greedy", model, "--ids", ",".join(map(str, ids)), "--max", str(max_tokens))
    ours = unicorn("generate", "--model", model, "--ids", ",".join(map(str, ids)), "--max-tokens",
                   str(max_tokens), "--temperature", "0", "--print-ids").strip()
    ours_ids = [int(x) for x in ours.split(",")] if ours else []
    return ref, ours_ids


def main():
    args = sys.argv[1:]
    tokens = 256
    if "--tokens" in args:
        i = args.index("--tokens")
        tokens = int(args[i + 1])
        del args[i:i + 2]
    prompts = "--prompts" in args
    self_check = "--self" in args
    models = [a for a in args if not a.startswith("--")]
    ok = True
    extra = " llama.cpp batch vs one-by-one |" if self_check else ""
    print("| model | positions | top-1 agree | agreement | near-ties (llama.cpp margin < 1e-3) |" + extra)
    print("|---|---|---|---|---|" + ("---|" if self_check else ""))
    for m in models:
        n, agree, ties, own = agreement(m, tokens, self_check)
        share = agree / n
        ok &= share >= 0.99
        own = f" {own / n:.2%} |" if self_check else ""
        print(f"| {os.path.basename(m)} | {n} | {agree} | {share:.2%} | {ties} |{own}", flush=True)
    if prompts:
        for m in models:
            for p in PROMPTS:
                ref, ours = greedy(m, p, 48)
                same = ref["ids"] == ours
                ok &= same
                print(f"\n{os.path.basename(m)} — {p!r}: {'same' if same else 'DIFFERENT'}")
                print(f"  llama.cpp: {ref['text']!r}")
                if not same:
                    print(f"  llama.cpp ids: {ref['ids']}\n  unicorn ids:   {ours}")
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
