#!/usr/bin/env python3
"""Writes fixtures/gguf/tiny.gguf with gguf-py's GGUFWriter (llama.cpp's own writer) and a JSON sidecar of what a
reader must find: every key/value type, nested arrays, several tensor types with shapes outermost first, and a
CRC32 of each tensor's bytes.  pip install gguf numpy; run from the repository root."""
import json
import zlib

import numpy as np
import gguf
from gguf import GGUFValueType as V, GGMLQuantizationType as Q

OUT = "fixtures/gguf/tiny.gguf"
rng = np.random.default_rng(7)

w = gguf.GGUFWriter(OUT, "llama")  # writes general.architecture first
w.add_key_value("test.u8", 200, V.UINT8)
w.add_key_value("test.i8", -100, V.INT8)
w.add_key_value("test.u16", 60000, V.UINT16)
w.add_key_value("test.i16", -30000, V.INT16)
w.add_key_value("test.u32", 4000000000, V.UINT32)
w.add_key_value("test.i32", -2000000000, V.INT32)
w.add_key_value("test.u64", 1 << 40, V.UINT64)
w.add_key_value("test.i64", -(1 << 40), V.INT64)
w.add_key_value("test.f32", 0.25, V.FLOAT32)
w.add_key_value("test.f64", 1e-300, V.FLOAT64)
w.add_key_value("test.bool", True, V.BOOL)
w.add_key_value("test.string", "Grüße, 世界", V.STRING)
w.add_key_value("test.int_array", [1, -2, 3], V.ARRAY, V.INT32)
w.add_key_value("test.nested", [[1, 2], [3]], V.ARRAY, V.ARRAY)
w.add_key_value("tokenizer.ggml.tokens", ["<pad>", "a", "▁b"], V.ARRAY, V.STRING)
w.add_key_value("tokenizer.ggml.scores", [0.0, -1.5, 2.0], V.ARRAY, V.FLOAT32)

expected = {}


def kquant_blocks(rows, cols, qtype):
    """gguf-py cannot quantize k-quants: random block bytes with finite f16 scales are valid blocks all the same."""
    size = gguf.GGML_QUANT_SIZES[qtype][1]
    raw = rng.integers(0, 256, size=(rows, cols // 256, size), dtype=np.uint8)
    scales = rng.uniform(1e-3, 1e-2, size=(rows, cols // 256, 2)).astype(np.float16).view(np.uint8)
    if qtype == Q.Q6_K:
        raw[..., size - 2:] = scales[..., :2]  # d is last
    else:
        raw[..., :4] = scales  # d, dmin first
    return raw.reshape(rows, -1)


def add(name, data, qtype):
    if qtype in (Q.Q4_K, Q.Q5_K, Q.Q6_K):
        raw = kquant_blocks(int(np.prod(data.shape[:-1])), data.shape[-1], qtype)
        raw = raw.reshape(*data.shape[:-1], -1)
    else:
        raw = gguf.quants.quantize(data, qtype) if qtype != Q.F32 else data
    w.add_tensor(name, raw, raw_dtype=qtype)
    expected[name] = {"type": qtype.name, "shape": list(data.shape), "bytes": int(raw.nbytes),
                      "crc32": zlib.crc32(raw.tobytes())}


add("f32.weight", np.array([[1.5, -2.25, 3.0], [0.0, 1e-3, 7.0]], dtype=np.float32), Q.F32)
add("f16.weight", rng.standard_normal((3, 8)).astype(np.float32), Q.F16)
add("bf16.weight", rng.standard_normal((2, 4)).astype(np.float32), Q.BF16)
add("q8_0.weight", rng.standard_normal((2, 64)).astype(np.float32), Q.Q8_0)
add("q4_k.weight", rng.standard_normal((3, 256)).astype(np.float32), Q.Q4_K)
add("q6_k.weight", rng.standard_normal((2, 2, 256)).astype(np.float32), Q.Q6_K)

w.write_header_to_file()
w.write_kv_data_to_file()
w.write_tensors_to_file()
w.close()
with open(OUT.replace(".gguf", ".json"), "w") as f:
    json.dump(expected, f, indent=1)
print("wrote", OUT)
