#!/usr/bin/env python3
"""Writes fixtures/quant/: for each ggml block type a small weight matrix in ggml's block layout, its dequantization
by gguf-py (llama.cpp's numpy port of ggml-quants.c), inputs x and the float64 product x · dequant(W)ᵀ.

Files (little-endian, row-major): x.f32 [N, K]; <TYPE>.blocks (raw block bytes of M rows);
<TYPE>.dequant.f32 [M, K]; <TYPE>.out.f64 [N, M].  pip install gguf numpy; run from the repository root.
gguf-py quantizes Q8_0/Q4_0/Q4_1/Q5_0/Q5_1 as ggml does; it has no k-quant quantizer, so Q4_K/Q5_K/Q6_K blocks are
random bytes with finite f16 super-scales (every bit pattern of the other bytes is a valid block)."""
import os

import numpy as np
import gguf
from gguf import GGMLQuantizationType as Q

N, M, K = 5, 37, 512
OUT = "fixtures/quant"
rng = np.random.default_rng(2026)


def blocks(qtype):
    if qtype in (Q.Q4_K, Q.Q5_K, Q.Q6_K):
        size = gguf.GGML_QUANT_SIZES[qtype][1]
        raw = rng.integers(0, 256, size=(M, K // 256, size), dtype=np.uint8)
        scales = rng.uniform(1e-3, 2e-2, size=(M, K // 256, 2)).astype(np.float16).view(np.uint8)
        if qtype == Q.Q6_K:
            raw[..., size - 2:] = scales[..., :2]  # d is the last field
        else:
            raw[..., :4] = scales  # d, dmin are the first fields
        return raw.reshape(M, -1)
    w = (rng.standard_normal((M, K)) * 0.05).astype(np.float32)
    return gguf.quants.quantize(w, qtype)


os.makedirs(OUT, exist_ok=True)
x = rng.standard_normal((N, K)).astype(np.float32)
x.tofile(f"{OUT}/x.f32")
for qtype in (Q.Q8_0, Q.Q4_0, Q.Q4_1, Q.Q5_0, Q.Q5_1, Q.Q4_K, Q.Q5_K, Q.Q6_K):
    raw = blocks(qtype)
    deq = gguf.quants.dequantize(raw, qtype).astype(np.float32)
    assert deq.shape == (M, K) and np.isfinite(deq).all()
    raw.tofile(f"{OUT}/{qtype.name}.blocks")
    deq.tofile(f"{OUT}/{qtype.name}.dequant.f32")
    (x.astype(np.float64) @ deq.astype(np.float64).T).tofile(f"{OUT}/{qtype.name}.out.f64")
    print(qtype.name, raw.shape, float(np.abs(deq).max()))
