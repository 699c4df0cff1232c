#!/usr/bin/env python3
"""A numpy forward pass of a Gemma 3 or Qwen 2 GGUF file with switches for llama.cpp's CPU approximations, scored
against llama.cpp's own top-1 next tokens: which approximations explain where llama.cpp and Unicorn disagree?

  tools/llama-cpp/emulate_llama_cpp.py MODEL.gguf --ref TOP1.json [--configs exact,actq,actq+kv16,...]

TOP1.json is `node tools/llama-cpp/reference.mjs top1 MODEL.gguf --text-file agreement-text.txt --tokens 256`
(llama.cpp's ids and its two best logits per position). For each configuration (a '+'-joined set of switches, or
'exact' for none) prints the share of positions whose argmax equals llama.cpp's, and how far the emulation's logit of
llama.cpp's top token is from llama.cpp's value (mean and max |diff|) - a finer measure than agreement.

Switches (each is what node-llama-cpp 3.22.1's CPU build does; see docs/testing.md):
  actq    a matmul with a quantized weight first quantizes the activations per row to the weight type's vec_dot_type:
          Q8_0 (blocks of 32, scale amax/127 stored as f16, q = rint(x*127/amax)) for Q4_0/Q5_0/Q8_0.. weights,
          Q8_K (blocks of 256, float scale max/-127 with the signed max, q = nearest-even) for the k-quants; the
          integer dot products and per-block scale products are then exact, so quantize-dequantize of the
          activations followed by a float matmul with the dequantized weights is the same computation
  kv16    the KV cache holds K and V as f16 (prefill with flash attention: Q stays f32, softmax and V sum in f32)
  q16     Q rounded to f16 too (flash attention's one-row path, used for decoding one token at a time)
  gelu16  GEGLU through ggml's f16 table: gelu(f16(x)) rounded to f16, times the up projection
  ropef32 RoPE angles in float: theta_i = pos * s^i by repeated float multiplication, cos/sin of float
  f64     matmuls accumulated in float64, rounded to float32 (a control: same math, another summation order)
  ln32    RMS norm in float32 (llama.cpp sums squares in double; this switch is a control, not llama.cpp)
"""
import argparse, json, os, sys, time
import numpy as np
from gguf import GGUFReader
from gguf.quants import dequantize

K_QUANTS = {"Q2_K", "Q3_K", "Q4_K", "Q5_K", "Q6_K"}
BLOCK32 = {"Q4_0", "Q4_1", "Q5_0", "Q5_1", "Q8_0"}


def field(r, key, default=None):
    if key not in r.fields:
        return default
    f = r.fields[key]
    part = f.parts[f.data[0]]
    if f.types and f.types[0].name == "STRING":
        return bytes(part).decode()
    return part[0].item()


def f16(x):
    return x.astype(np.float16).astype(np.float32)


def quant_q8_0(x):
    """ggml-cpu quantize_row_q8_0 (x86 SIMD): d = f16(amax/127), q = rint(x * 127/amax); returns d*q."""
    s = x.shape
    b = x.reshape(-1, 32).astype(np.float32)
    amax = np.abs(b).max(1, keepdims=True)
    with np.errstate(divide="ignore", invalid="ignore"):
        iscale = np.where(amax > 0, np.float32(127.0) / amax, 0).astype(np.float32)
    q = np.rint(b * iscale)
    d = f16((amax / np.float32(127.0)).astype(np.float32))
    return (q * d).astype(np.float32).reshape(s)


def quant_q8_K(x):
    """ggml quantize_row_q8_K_ref: signed max of largest |x| (first), iscale = -127/max, q = min(127, rint(iscale*x)),
    d = 1/iscale (float); returns d*q."""
    s = x.shape
    b = x.reshape(-1, 256).astype(np.float32)
    idx = np.abs(b).argmax(1)
    mx = b[np.arange(b.shape[0]), idx][:, None]
    with np.errstate(divide="ignore", invalid="ignore"):
        iscale = np.where(mx != 0, np.float32(-127.0) / mx, 0).astype(np.float32)
        q = np.minimum(127, np.rint((iscale * b).astype(np.float32)))
        d = np.where(mx != 0, np.float32(1.0) / iscale, 0).astype(np.float32)
    return (q * d).astype(np.float32).reshape(s)


class Weight:
    def __init__(self, t):
        self.type = t.tensor_type.name
        self.w = np.ascontiguousarray(
            dequantize(t.data, t.tensor_type).astype(np.float32).reshape([int(x) for x in reversed(t.shape)]))

    def matmul(self, x, sw):
        if "actq" in sw:
            if self.type in K_QUANTS:
                x = quant_q8_K(x)
            elif self.type in BLOCK32:
                x = quant_q8_0(x)
            elif self.type == "F16":
                x = f16(x)
        if "f64" in sw:
            return (x.astype(np.float64) @ self.w.T.astype(np.float64)).astype(np.float32)
        return x @ self.w.T


def rms(x, w, eps, sw):
    if "ln32" in sw:
        ms = (x * x).mean(-1, keepdims=True, dtype=np.float32)
    else:
        ms = (x.astype(np.float64) ** 2).sum(-1, keepdims=True) / x.shape[-1]
    scale = (np.float32(1.0) / np.sqrt(np.float32(ms + eps))).astype(np.float32)
    return (x * scale).astype(np.float32) * w


def rope_neox(x, pos, base, sw):
    # x: [T, H, D]
    d = x.shape[-1]
    half = d // 2
    if "ropef32" in sw:
        s = np.float32(np.float32(base) ** np.float32(-2.0 / d))
        theta = np.empty((len(pos), half), np.float32)
        t = pos.astype(np.float32)
        for i in range(half):
            theta[:, i] = t
            t = (t * s).astype(np.float32)
        c, sn = np.cos(theta).astype(np.float32), np.sin(theta).astype(np.float32)
    else:
        inv = base ** (-np.arange(0, half, dtype=np.float64) * 2 / d)
        theta = pos[:, None].astype(np.float64) * inv[None, :]
        c, sn = np.cos(theta).astype(np.float32), np.sin(theta).astype(np.float32)
    c, sn = c[:, None, :], sn[:, None, :]
    x0, x1 = x[..., :half], x[..., half:]
    return np.concatenate([x0 * c - x1 * sn, x0 * sn + x1 * c], -1).astype(np.float32)


def attention(q, k, v, sw, window=None):
    # q [T, H, D], k/v [T, KH, D]; causal
    T, H, D = q.shape
    KH = k.shape[1]
    if "kv16" in sw:
        k, v = f16(k), f16(v)
    if "q16" in sw:
        q = f16(q)
    if "fa16" in sw:
        return attention_fa16(q, k, v, window)
    out = np.empty((T, H, v.shape[-1]), np.float32)
    mask = np.triu(np.full((T, T), -np.inf, np.float32), 1)
    if window is not None:
        i = np.arange(T)
        mask[(i[:, None] - i[None, :]) >= window] = -np.inf
    for h in range(H):
        kh = h // (H // KH)
        s = q[:, h, :] @ k[:, kh, :].T + mask
        s = s - s.max(1, keepdims=True)
        p = np.exp(s)
        p /= p.sum(1, keepdims=True)
        out[:, h, :] = p @ v[:, kh, :]
    return out


def attention_fa16(q, k, v, window=None):
    """ggml's CPU flash attention, one-row path (ggml_compute_forward_flash_attn_ext_f16_one_chunk) with an f16 KV
    cache: Q converted to f16, K.Q dot products in f32, online softmax over the keys in order, and the V sum kept in
    an f16 accumulator (rounded to f16 after every scale and every multiply-add), divided by the f32 sum at the end."""
    T, H, D = q.shape
    KH = k.shape[1]
    q16, k16, v16 = f16(q), f16(k), f16(v)
    out = np.empty((T, H, v.shape[-1]), np.float32)
    rows = np.arange(T)
    for h in range(H):
        kh = h // (H // KH)
        s_all = (q16[:, h, :] @ k16[:, kh, :].T).astype(np.float32)  # [T, T]
        M = np.full(T, -np.inf, np.float32)
        S = np.zeros(T, np.float32)
        acc = np.zeros((T, v.shape[-1]), np.float32)  # values always representable in f16
        for ic in range(T):
            live = rows >= ic
            if window is not None:
                live &= (rows - ic) < window
            s = s_all[:, ic]
            new = live & (s > M)
            old = live & ~new
            ms = np.ones(T, np.float32)
            vs = np.ones(T, np.float32)
            with np.errstate(invalid="ignore", over="ignore"):
                ms[new] = np.exp((M[new] - s[new]).astype(np.float32))
                vs[old] = np.exp((s[old] - M[old]).astype(np.float32))
            M[new] = s[new]
            acc[new] = f16(acc[new] * ms[new, None])
            acc[live] = f16(acc[live] + v16[ic, kh, :][None, :] * vs[live, None])
            S[live] = S[live] * ms[live] + vs[live]
        out[:, h, :] = acc * (np.float32(1.0) / S)[:, None]
    return out


def gelu_tanh(x):
    x = x.astype(np.float32)
    return (np.float32(0.5) * x * (np.float32(1.0) + np.tanh(np.float32(0.7978845608028654) * x * (
        np.float32(1.0) + np.float32(0.044715) * x * x)))).astype(np.float32)


_GELU_TABLE = None


def gelu16(x):
    global _GELU_TABLE
    if _GELU_TABLE is None:
        all16 = np.arange(65536, dtype=np.uint16).view(np.float16).astype(np.float32)
        with np.errstate(all="ignore"):
            _GELU_TABLE = f16(gelu_tanh(all16))
    t = x.astype(np.float16).view(np.uint16)
    y = _GELU_TABLE[t]
    y = np.where(x <= -10.0, 0.0, np.where(x >= 10.0, x, y))
    return y.astype(np.float32)


class Model:
    def __init__(self, path):
        r = GGUFReader(path)
        self.arch = field(r, "general.architecture")
        p = self.arch + "."
        self.layers = field(r, p + "block_count")
        self.heads = field(r, p + "attention.head_count")
        self.kv_heads = field(r, p + "attention.head_count_kv")
        self.eps = np.float32(field(r, p + "attention.layer_norm_rms_epsilon"))
        self.base = field(r, p + "rope.freq_base")
        self.embd = field(r, p + "embedding_length")
        self.head_dim = field(r, p + "attention.key_length", self.embd // self.heads)
        self.window = field(r, p + "attention.sliding_window")
        self.t = {}
        for t in r.tensors:
            if t.name == "token_embd.weight" or t.name == "output.weight":
                self.t[t.name] = Weight(t)
            elif len(t.shape) == 1:
                self.t[t.name] = dequantize(t.data, t.tensor_type).astype(np.float32).reshape(-1)
            else:
                self.t[t.name] = Weight(t)
        self.out = self.t.get("output.weight", self.t["token_embd.weight"])

    def forward(self, ids, sw):
        ids = np.asarray(ids)
        T = len(ids)
        pos = np.arange(T)
        x = self.t["token_embd.weight"].w[ids].astype(np.float32)
        g = self.arch == "gemma3"
        if g:
            x = (x * np.float32(np.sqrt(np.float32(self.embd)))).astype(np.float32)
        for l in range(self.layers):
            b = f"blk.{l}."
            t = self.t
            h = rms(x, t[b + "attn_norm.weight"], self.eps, sw)
            q = t[b + "attn_q.weight"].matmul(h, sw)
            k = t[b + "attn_k.weight"].matmul(h, sw)
            v = t[b + "attn_v.weight"].matmul(h, sw)
            if b + "attn_q.bias" in t:
                q, k, v = q + t[b + "attn_q.bias"], k + t[b + "attn_k.bias"], v + t[b + "attn_v.bias"]
            q = q.reshape(T, self.heads, self.head_dim)
            k = k.reshape(T, self.kv_heads, self.head_dim)
            v = v.reshape(T, self.kv_heads, self.head_dim)
            if g:
                q = rms(q, t[b + "attn_q_norm.weight"], self.eps, sw)
                k = rms(k, t[b + "attn_k_norm.weight"], self.eps, sw)
                sliding = (l + 1) % 6 != 0
                base = 10000.0 if sliding else self.base
            else:
                sliding, base = False, self.base
            q = rope_neox(q, pos, base, sw)
            k = rope_neox(k, pos, base, sw)
            q = (q * np.float32(1.0 / np.sqrt(self.head_dim))).astype(np.float32)
            a = attention(q, k, v, sw, self.window if (g and sliding) else None).reshape(T, -1)
            o = t[b + "attn_output.weight"].matmul(a, sw)
            if g:
                o = rms(o, t[b + "post_attention_norm.weight"], self.eps, sw)
            x = (x + o).astype(np.float32)
            h = rms(x, t[b + "ffn_norm.weight"], self.eps, sw)
            gate = t[b + "ffn_gate.weight"].matmul(h, sw)
            up = t[b + "ffn_up.weight"].matmul(h, sw)
            if g:
                act = (gelu16(gate) if "gelu16" in sw else gelu_tanh(gate)) * up
            else:
                act = (gate / (np.float32(1.0) + np.exp(-gate))) * up
            d = t[b + "ffn_down.weight"].matmul(act.astype(np.float32), sw)
            if g:
                d = rms(d, t[b + "post_ffw_norm.weight"], self.eps, sw)
            x = (x + d).astype(np.float32)
        x = rms(x, self.t["output_norm.weight"], self.eps, sw)
        return self.out.matmul(x, sw)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("model")
    ap.add_argument("--ref", required=True)
    ap.add_argument("--configs", default="exact,actq,kv16,gelu16,ropef32,actq+kv16,actq+kv16+gelu16,"
                                          "actq+kv16+gelu16+ropef32")
    ap.add_argument("--tokens", type=int, default=256)
    a = ap.parse_args()
    ref = json.load(open(a.ref))
    ids = ref["ids"][:a.tokens]
    top = ref["top"][:a.tokens]
    t0 = time.time()
    m = Model(a.model)
    print(f"# {os.path.basename(a.model)}: {m.arch}, loaded in {time.time() - t0:.0f}s", flush=True)
    print("| configuration | top-1 agree | agreement | mean abs diff of llama.cpp's top logit | max | near-ties missed |")
    print("|---|---|---|---|---|---|")
    tops = {}
    for cfg in a.configs.split(","):
        sw = set() if cfg == "exact" else set(cfg.split("+"))
        t0 = time.time()
        logits = m.forward(ids, sw)
        am = logits.argmax(1)
        tops[cfg] = am
        agree = ties = 0
        diffs = []
        for i, tp in enumerate(top):
            diffs.append(abs(float(logits[i, tp[0][0]]) - tp[0][1]))
            if am[i] == tp[0][0]:
                agree += 1
            elif len(tp) > 1 and tp[0][1] - tp[1][1] < 1e-3:
                ties += 1
        n = len(top)
        print(f"| {cfg} | {agree}/{n} | {agree / n:.2%} | {np.mean(diffs):.2e} | {np.max(diffs):.2e} | {ties} |"
              f"  <!-- {time.time() - t0:.0f}s -->", flush=True)
    if len(tops) > 1:
        names = list(tops)
        print("\ntop-1 agreement between the configurations themselves:\n")
        print("| | " + " | ".join(names) + " |\n|---|" + "---|" * len(names))
        for x in names:
            print(f"| {x} | " + " | ".join(f"{np.mean(tops[x] == tops[y]):.2%}" for y in names) + " |")


if __name__ == "__main__":
    main()
