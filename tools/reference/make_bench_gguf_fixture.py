#!/usr/bin/env python3
"""Writes fixtures/gguf/gemma3-tiny-q4_k_m_like.gguf with the team's bench writer (/work/shared/bench/make_gguf.py,
or the path in MAKE_GGUF) under a tiny Gemma 3 preset: real tensor names, metadata keys and tokenizer arrays,
Q4_K/Q6_K matrices, and a Q6_K→Q8_0 fallback for the 640-wide ffn_down rows.  Run from the repository root."""
import importlib.util
import os
import sys

path = os.environ.get("MAKE_GGUF", "/work/shared/bench/make_gguf.py")
spec = importlib.util.spec_from_file_location("make_gguf", path)
make_gguf = importlib.util.module_from_spec(spec)
spec.loader.exec_module(make_gguf)
make_gguf.PRESETS["gemma3-tiny"] = dict(arch="gemma3", n_embd=256, n_layer=1, n_head=2, n_head_kv=1, head_dim=128,
                                       n_ff=640, n_vocab=512, ctx=1024, swa=64, rope_base=1e6, rope_linear=None,
                                       tied=True, eps=1e-6)
sys.argv = [path, "--model", "gemma3-tiny", "--ftype", "q4_k_m_like", "--seed", "3",
            "-o", "fixtures/gguf/gemma3-tiny-q4_k_m_like.gguf"]
make_gguf.main()

# What an independent reader (gguf-py's GGUFReader) finds, for the Java test to compare with.
import json
import zlib

import gguf

OUT = "fixtures/gguf/gemma3-tiny-q4_k_m_like.gguf"
r = gguf.GGUFReader(OUT)
tensors = {t.name: {"type": t.tensor_type.name, "shape": [int(d) for d in reversed(t.shape)],
                    "bytes": int(t.n_bytes), "crc32": zlib.crc32(bytes(t.data.tobytes()))} for t in r.tensors}
scalars, arrays = {}, {}
for name, f in r.fields.items():
    if name.startswith("GGUF."):
        continue
    if f.types[0] == gguf.GGUFValueType.ARRAY:
        arrays[name] = {"length": len(f.data), "first": f.contents(0), "last": f.contents(len(f.data) - 1)}
    else:
        v = f.contents()
        scalars[name] = {"type": f.types[0].name, "value": v}
with open(OUT.replace(".gguf", ".json"), "w") as fo:
    json.dump({"tensors": tensors, "scalars": scalars, "arrays": arrays}, fo, indent=1, ensure_ascii=False)
print("wrote", OUT.replace(".gguf", ".json"))
