#!/usr/bin/env python3
"""Runs a Gemma 3 GGUF file through transformers: gguf-py dequantizes every tensor exactly (numpy port of ggml's
dequantizers), the weights go into a float32 Gemma3ForCausalLM under their Hugging Face names (GGUF norms hold
1 + w: 1 is subtracted), and the config takes what llama.cpp takes (sliding pattern 6, local RoPE base 10000,
query_pre_attn_scalar = head_dim). Writes the float32 logits of the given ids as a safetensors file (and, with --top-json, each position's five
largest logits as a small JSON fixture), so that
Unicorn's logits on the quantized file can be compared with transformers on the same (dequantized) weights.

  tools/reference/gguf_gemma3_vs_transformers.py MODEL.gguf --ids 2,818,... --out ref.safetensors
Needs torch, transformers, gguf (pip)."""
import argparse
import numpy as np
import torch
from gguf import GGUFReader
from gguf.quants import dequantize
from safetensors.torch import save_file
from transformers import Gemma3ForCausalLM, Gemma3TextConfig

NAMES = {"attn_norm": "input_layernorm", "attn_q": "self_attn.q_proj", "attn_k": "self_attn.k_proj",
         "attn_v": "self_attn.v_proj", "attn_output": "self_attn.o_proj", "attn_q_norm": "self_attn.q_norm",
         "attn_k_norm": "self_attn.k_norm", "post_attention_norm": "post_attention_layernorm",
         "ffn_norm": "pre_feedforward_layernorm", "ffn_gate": "mlp.gate_proj", "ffn_up": "mlp.up_proj",
         "ffn_down": "mlp.down_proj", "post_ffw_norm": "post_feedforward_layernorm"}


def field(r, key):
    f = r.fields[key]
    return f.parts[f.data[0]][0].item()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("model")
    ap.add_argument("--ids", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--top-json", help="also write the 5 largest logits (ids, values) of every position as JSON")
    a = ap.parse_args()
    r = GGUFReader(a.model)
    p = "gemma3."
    layers = field(r, p + "block_count")
    head_dim = field(r, p + "attention.key_length")
    state = {}
    vocab = None
    for t in r.tensors:
        w = dequantize(t.data, t.tensor_type).astype(np.float32).reshape([int(x) for x in reversed(t.shape)])
        parts = t.name.split(".")
        if t.name == "token_embd.weight":
            name, vocab = "model.embed_tokens.weight", w.shape[0]
        elif t.name == "output_norm.weight":
            name = "model.norm.weight"
        elif parts[0] == "blk":
            name = f"model.layers.{parts[1]}.{NAMES[parts[2]]}.weight"
        else:
            raise SystemExit(f"unexpected tensor {t.name}")
        if name.endswith("norm.weight"):
            w = w - 1.0
        state[name] = torch.from_numpy(np.ascontiguousarray(w))
    config = Gemma3TextConfig(
        vocab_size=vocab, hidden_size=field(r, p + "embedding_length"), intermediate_size=field(r, p + "feed_forward_length"),
        num_hidden_layers=layers, num_attention_heads=field(r, p + "attention.head_count"),
        num_key_value_heads=field(r, p + "attention.head_count_kv"), head_dim=head_dim, query_pre_attn_scalar=head_dim,
        rms_norm_eps=field(r, p + "attention.layer_norm_rms_epsilon"), sliding_window=field(r, p + "attention.sliding_window"),
        layer_types=["full_attention" if (i + 1) % 6 == 0 else "sliding_attention" for i in range(layers)],
        rope_parameters={"full_attention": {"rope_type": "default", "rope_theta": field(r, p + "rope.freq_base")},
                         "sliding_attention": {"rope_type": "default", "rope_theta": 10000.0}},
        max_position_embeddings=field(r, p + "context_length"), tie_word_embeddings=True)
    model = Gemma3ForCausalLM(config).float().eval()
    missing, unexpected = model.load_state_dict(state, strict=False)
    missing = [m for m in missing if m != "lm_head.weight"]
    if missing or unexpected:
        raise SystemExit(f"missing {missing}, unexpected {unexpected}")
    model.tie_weights()
    ids = torch.tensor([[int(x) for x in a.ids.split(",")]])
    with torch.no_grad():
        logits = model(ids).logits[0].float().contiguous()
    save_file({"logits": logits}, a.out)
    if a.top_json:
        import json, hashlib, transformers
        values, indices = torch.topk(logits, 5, dim=1)
        with open(a.top_json, "w") as f:
            json.dump({"model": a.model.split("/")[-1], "transformers": transformers.__version__, "torch": torch.__version__,
                       "ids": ids[0].tolist(), "max_abs_logit": float(logits.abs().max()),
                       "top5_ids": indices.tolist(), "top5_logits": values.tolist()}, f)
    print(a.out, tuple(logits.shape))


if __name__ == "__main__":
    main()
