#!/usr/bin/env python3
"""Prefill and decode tokens/s of Unicorn and of llama.cpp on the same GGUF files, same thread count, one run.

  tools/bench/compare.py [--threads 2] [--prompt 128] [--gen 32] [--reps 3] [MODEL.gguf ...]

Without files it writes (once, into ~/.cache/unicorn/bench) random-weight GGUFs of the real shapes with
tools/bench/make_gguf.py: gemma3-1b and qwen2-0.5b in Q8_0 and Q4_K_M, plus the default model if present.
llama.cpp comes from npm's node-llama-cpp (prebuilt; `npm install` in tools/llama-cpp first)."""
import argparse, json, os, re, subprocess, sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
CACHE = os.path.join(os.environ.get("UNICORN_BENCH_DIR", os.path.expanduser("~/.cache/unicorn/bench")))
PRESETS = [("gemma3-1b", "q8_0"), ("gemma3-1b", "q4_k_m"), ("qwen2-0.5b", "q8_0"), ("qwen2-0.5b", "q4_k_m")]


def ensure(preset, ftype):
    path = os.path.join(CACHE, f"{preset}-{ftype}.gguf")
    if not os.path.exists(path):
        os.makedirs(CACHE, exist_ok=True)
        subprocess.run([sys.executable, os.path.join(HERE, "make_gguf.py"), "--model", preset, "--ftype", ftype,
                        "-o", path + ".part"], check=True, stdout=subprocess.DEVNULL)
        os.rename(path + ".part", path)
    return path


def unicorn(model, a):
    env = dict(os.environ, UNICORN_THREADS=str(a.threads), UNICORN_SKIP_BUILD=os.environ.get("UNICORN_SKIP_BUILD", "0"))
    out = subprocess.run([os.path.join(ROOT, "unicorn"), "bench", "--model", model, "--prompt-tokens", str(a.prompt),
                          "--gen-tokens", str(a.gen), "--reps", str(a.reps)], capture_output=True, text=True, env=env)
    m = re.search(r"\| median \| \d+ \| ([0-9.]+) \| \d+ \| ([0-9.]+) \|", out.stdout)
    if out.returncode != 0 or not m:
        return None, None, (out.stderr.strip().splitlines() or ["?"])[-1]
    return float(m.group(1)), float(m.group(2)), ""


def llama(model, a):
    out = subprocess.run(["node", os.path.join(ROOT, "tools/llama-cpp/reference.mjs"), "bench", model, "--threads",
                          str(a.threads), "--prompt", str(a.prompt), "--gen", str(a.gen), "--reps", str(a.reps)],
                         capture_output=True, text=True, cwd=os.path.join(ROOT, "tools/llama-cpp"))
    if out.returncode != 0:
        return None, None
    r = json.loads(out.stdout.strip().splitlines()[-1])
    return r["prefill_tps"], r["decode_tps"]


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--prompt", type=int, default=128)
    p.add_argument("--gen", type=int, default=32)
    p.add_argument("--reps", type=int, default=3)
    p.add_argument("models", nargs="*")
    a = p.parse_args()
    models = a.models or [ensure(*x) for x in PRESETS]
    default = os.path.expanduser("~/.unicorn/models/gemma-3-270m-q4_k_m.gguf")
    if not a.models and os.path.exists(default):
        models.append(default)
    print(f"threads {a.threads}, prompt {a.prompt} tokens, {a.gen} generated, median of {a.reps}")
    print("| model | unicorn prefill t/s | llama.cpp prefill t/s | ratio | unicorn decode t/s | llama.cpp decode t/s | ratio |")
    print("|---|---|---|---|---|---|---|")
    for m in models:
        up, ud, err = unicorn(m, a)
        lp, ld = llama(m, a)
        ratio = lambda x, y: f"{x / y:.2f}" if x and y else "-"
        fmt = lambda x: f"{x:.1f}" if x else "-"
        print(f"| {os.path.basename(m)} | {fmt(up)} | {fmt(lp)} | {ratio(up, lp)} | {fmt(ud)} | {fmt(ld)} | {ratio(ud, ld)} |"
              + (f" unicorn: {err}" if err else ""), flush=True)


if __name__ == "__main__":
    main()
