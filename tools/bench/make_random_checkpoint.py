#!/usr/bin/env python3
"""Write a random-weight Hugging Face model folder (BF16 safetensors + 4.x-style config.json).

Only numpy is needed. The safetensors file is written by hand:
  8-byte little-endian header length N, N bytes of JSON header (padded with spaces so that
  8 + N is a multiple of 8), then the raw little-endian tensor data, tensors in sorted-name
  order, each entry {"dtype": "BF16", "shape": [...], "data_offsets": [begin, end]} with
  offsets relative to the start of the data section; "__metadata__": {"format": "pt"}.

Weights are N(0, 0.02) (biases too), RMSNorm weights are 1.0. Values are generated chunk-wise
(per-tensor seeds derived from --seed and the tensor name), so memory stays small (~100 MB)
whatever the model size, and a tensor's values do not depend on which other tensors exist.
The tensor names and shapes, and config.json, match the real checkpoint of the preset;
no tokenizer is written.

Usage:
  python3 make_random_checkpoint.py --preset qwen2.5-0.5b -o /tmp/q05b [--seed 0]
"""

import argparse
import json
import os
import sys
import time
import zlib

import numpy as np

# Presets: "config" is written verbatim to config.json (transformers 4.x style, like the real
# checkpoint); "arch" describes the tensor layout.
PRESETS = {
    "qwen2.5-0.5b": {
        "arch": {"qkv_bias": True, "qk_norm": False},
        "config": {
            "architectures": ["Qwen2ForCausalLM"],
            "attention_dropout": 0.0,
            "bos_token_id": 151643,
            "eos_token_id": 151643,
            "hidden_act": "silu",
            "hidden_size": 896,
            "initializer_range": 0.02,
            "intermediate_size": 4864,
            "max_position_embeddings": 32768,
            "max_window_layers": 24,
            "model_type": "qwen2",
            "num_attention_heads": 14,
            "num_hidden_layers": 24,
            "num_key_value_heads": 2,
            "rms_norm_eps": 1e-06,
            "rope_theta": 1000000.0,
            "sliding_window": 32768,
            "tie_word_embeddings": True,
            "torch_dtype": "bfloat16",
            "transformers_version": "4.40.1",
            "use_cache": True,
            "use_sliding_window": False,
            "vocab_size": 151936,
        },
    },
}

STD = 0.02
CHUNK = 1 << 22  # elements generated per step


def tensor_specs(cfg, arch):
    """Return {name: (shape, kind)} with kind in {"normal", "ones"}."""
    h = cfg["hidden_size"]
    inter = cfg["intermediate_size"]
    nh = cfg["num_attention_heads"]
    nkv = cfg.get("num_key_value_heads", nh)
    hd = cfg.get("head_dim", h // nh)
    v = cfg["vocab_size"]
    specs = {"model.embed_tokens.weight": ((v, h), "normal"), "model.norm.weight": ((h,), "ones")}
    if not cfg.get("tie_word_embeddings", False):
        specs["lm_head.weight"] = ((v, h), "normal")
    for i in range(cfg["num_hidden_layers"]):
        p = f"model.layers.{i}."
        specs[p + "input_layernorm.weight"] = ((h,), "ones")
        specs[p + "post_attention_layernorm.weight"] = ((h,), "ones")
        specs[p + "self_attn.q_proj.weight"] = ((nh * hd, h), "normal")
        specs[p + "self_attn.k_proj.weight"] = ((nkv * hd, h), "normal")
        specs[p + "self_attn.v_proj.weight"] = ((nkv * hd, h), "normal")
        specs[p + "self_attn.o_proj.weight"] = ((h, nh * hd), "normal")
        if arch.get("qkv_bias"):
            specs[p + "self_attn.q_proj.bias"] = ((nh * hd,), "normal")
            specs[p + "self_attn.k_proj.bias"] = ((nkv * hd,), "normal")
            specs[p + "self_attn.v_proj.bias"] = ((nkv * hd,), "normal")
        if arch.get("qk_norm"):
            specs[p + "self_attn.q_norm.weight"] = ((hd,), "ones")
            specs[p + "self_attn.k_norm.weight"] = ((hd,), "ones")
        specs[p + "mlp.gate_proj.weight"] = ((inter, h), "normal")
        specs[p + "mlp.up_proj.weight"] = ((inter, h), "normal")
        specs[p + "mlp.down_proj.weight"] = ((h, inter), "normal")
    return specs


def f32_to_bf16_bits(x):
    """float32 array -> uint16 bfloat16 bit patterns, round to nearest even (no NaNs here)."""
    u = np.ascontiguousarray(x, dtype=np.float32).view(np.uint32)
    u = u + (np.uint32(0x7FFF) + ((u >> np.uint32(16)) & np.uint32(1)))
    return (u >> np.uint32(16)).astype("<u2")


def tensor_rng(seed, name):
    return np.random.Generator(np.random.PCG64(np.random.SeedSequence([seed, zlib.crc32(name.encode())])))


def write_tensor(f, name, shape, kind, seed):
    n = int(np.prod(shape))
    if kind == "ones":
        f.write(f32_to_bf16_bits(np.ones(n, dtype=np.float32)).tobytes())
        return
    rng = tensor_rng(seed, name)
    left = n
    while left:
        k = min(CHUNK, left)
        x = rng.standard_normal(k, dtype=np.float32)
        x *= np.float32(STD)
        f.write(f32_to_bf16_bits(x).tobytes())
        left -= k


def write_safetensors(path, specs, seed):
    names = sorted(specs)
    header = {"__metadata__": {"format": "pt"}}
    off = 0
    for name in names:
        shape, _ = specs[name]
        nbytes = int(np.prod(shape)) * 2
        header[name] = {"dtype": "BF16", "shape": list(shape), "data_offsets": [off, off + nbytes]}
        off += nbytes
    hjson = json.dumps(header, separators=(",", ":")).encode("utf-8")
    hjson += b" " * ((8 - (8 + len(hjson)) % 8) % 8)
    with open(path, "wb") as f:
        f.write(len(hjson).to_bytes(8, "little"))
        f.write(hjson)
        start = f.tell()
        for name in names:
            shape, kind = specs[name]
            write_tensor(f, name, shape, kind, seed)
            begin, end = header[name]["data_offsets"]
            assert f.tell() - start == end, name
    return off, len(hjson)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--preset", default="qwen2.5-0.5b", choices=sorted(PRESETS))
    ap.add_argument("-o", "--out", required=True, help="output folder")
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args(argv)

    preset = PRESETS[args.preset]
    cfg = preset["config"]
    os.makedirs(args.out, exist_ok=True)
    specs = tensor_specs(cfg, preset["arch"])
    t0 = time.time()
    data_bytes, hlen = write_safetensors(os.path.join(args.out, "model.safetensors"), specs, args.seed)
    with open(os.path.join(args.out, "config.json"), "w") as f:
        json.dump(cfg, f, indent=2)
        f.write("\n")
    gen = {"bos_token_id": cfg.get("bos_token_id"), "eos_token_id": cfg.get("eos_token_id"),
           "do_sample": False, "transformers_version": cfg.get("transformers_version")}
    with open(os.path.join(args.out, "generation_config.json"), "w") as f:
        json.dump(gen, f, indent=2)
        f.write("\n")
    n_params = sum(int(np.prod(s)) for s, _ in specs.values())
    print(f"{args.preset}: {len(specs)} tensors, {n_params:,} parameters, "
          f"{data_bytes / 2**20:.1f} MiB data, header {hlen} bytes, seed {args.seed}, "
          f"{time.time() - t0:.1f} s -> {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
