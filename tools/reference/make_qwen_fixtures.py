#!/usr/bin/env python3
"""Build tiny random-weight Qwen2 / Qwen3 checkpoints and their reference outputs.

Every fixture folder is a complete Hugging Face model folder (config.json,
generation_config.json, model.safetensors, tokenizer files) plus:

  reference.safetensors  input_ids [N] int64, logits [N, vocab] float32 (one
                         forward pass, no cache), greedy_ids (NEW tokens of
                         model.generate(..., do_sample=False, max_new_tokens=16),
                         which uses the KV cache), prompt_ids, prompt_greedy_ids
  reference.json         prompt, N, versions, eos id, notes
  config.v4.json         the same config written the way transformers 4.x
                         checkpoints on disk look (rope_theta top-level,
                         rope_scaling null, no layer_types, class defaults
                         omitted, torch_dtype instead of dtype)

plus fixtures/qwen/defaults.json with Qwen2Config().to_dict() / Qwen3Config().to_dict().

Everything runs on CPU in float32 with fixed seeds (deterministic). Written for
transformers 5.x (checked with 5.17) and torch 2.11.

Usage:  python3 make_qwen_fixtures.py -o OUTDIR
"""

import argparse
import dataclasses
import json
import os
import shutil
import sys

import torch

import safetensors
import tokenizers
import transformers
from safetensors.torch import save_file
from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers
from transformers import (
    PreTrainedTokenizerFast,
    Qwen2Config,
    Qwen2ForCausalLM,
    Qwen3Config,
    Qwen3ForCausalLM,
)

PROMPT = "The quick brown fox jumps over the lazy dog."
N_IDS = 24
MAX_NEW = 16
VOCAB = 512
ROPE_THETA = 1000000.0  # transformers 5.x default is 10000.0, so this is non-default
SPECIALS = ["<|endoftext|>", "<|im_start|>", "<|im_end|>"]

# Fixed training text for the tiny BPE tokenizer (deterministic).
CORPUS = """\
The quick brown fox jumps over the lazy dog. The dog sleeps in the sun.
A small language model reads text one token at a time and predicts the next one.
Once upon a time there was a little girl who lived in a village near the forest.
She liked to walk in the woods and listen to the birds singing in the trees.
Every morning the baker opened his shop and the smell of fresh bread filled the street.
Java is a programming language; the runtime loads weights and runs the model.
Attention is computed between queries and keys; values are mixed by the weights.
The rain in Spain stays mainly in the plain. How now, brown cow?
She sells sea shells by the sea shore, and the shells she sells are surely sea shells.
Numbers like 1, 2, 3, 10, 42 and 2024 appear in text too. So do symbols: #, $, %, &, (, ).
Hello, world! Hello again, world. Good morning, good evening, and good night.
The fox and the dog became friends, and they played together in the field all day.
What is the capital of France? The capital of France is Paris.
What is two plus two? Two plus two is four.
"""


def build_tokenizer():
    tok = Tokenizer(models.BPE())
    tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tok.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(
        vocab_size=400,
        min_frequency=2,
        special_tokens=SPECIALS,
        initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
        show_progress=False,
    )
    tok.train_from_iterator(CORPUS.splitlines(), trainer=trainer)
    fast = PreTrainedTokenizerFast(
        tokenizer_object=tok,
        eos_token="<|im_end|>",
        pad_token="<|endoftext|>",
        additional_special_tokens=["<|im_start|>"],
    )
    ids = {s: fast.convert_tokens_to_ids(s) for s in SPECIALS}
    assert all(0 <= v < VOCAB for v in ids.values()), ids
    assert len(fast) <= VOCAB, len(fast)
    return fast, ids


def reinit(model, seed, bf16_exact=False):
    """Re-initialise all weights so logits are far from uniform.

    bf16_exact rounds every value to the nearest bfloat16 (still stored as float32), so the
    bfloat16 copy of the checkpoint holds exactly the same numbers."""
    g = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for name, p in sorted(model.named_parameters()):
            if name.endswith("norm.weight"):  # RMSNorm weights (incl. q_norm/k_norm)
                p.copy_(1.0 + 0.1 * torch.randn(p.shape, generator=g))
            elif name.endswith(".bias"):
                p.copy_(0.2 * torch.randn(p.shape, generator=g))
            elif "embed_tokens" in name:
                p.copy_(0.5 * torch.randn(p.shape, generator=g))
            else:
                p.copy_(0.2 * torch.randn(p.shape, generator=g))
            if bf16_exact:
                p.copy_(p.to(torch.bfloat16).to(torch.float32))


def margins(logits):
    top2 = torch.topk(logits, 2, dim=-1).values
    return (top2[..., 0] - top2[..., 1]).min().item(), logits.abs().max().item()


@torch.no_grad()
def forward_logits(model, ids):
    return model(input_ids=ids[None], use_cache=False).logits[0].float()


@torch.no_grad()
def greedy_with_cache(model, ids, eos):
    out = model.generate(
        ids[None],
        attention_mask=torch.ones_like(ids[None]),
        do_sample=False,
        max_new_tokens=MAX_NEW,
        eos_token_id=eos,
        pad_token_id=eos,
        output_scores=True,
        return_dict_in_generate=True,
    )
    new = out.sequences[0, ids.shape[0]:].clone()
    scores = torch.stack([s[0] for s in out.scores]).float()
    return new, scores


@torch.no_grad()
def greedy_no_cache(model, ids, eos):
    seq = ids.clone()
    new = []
    for _ in range(MAX_NEW):
        nxt = int(forward_logits(model, seq)[-1].argmax())
        new.append(nxt)
        seq = torch.cat([seq, torch.tensor([nxt])])
        if nxt == eos:
            break
    return torch.tensor(new, dtype=torch.int64)


def make_model(cls, cfg, seed, dtype=torch.float32, bf16_exact=False):
    torch.manual_seed(seed)
    m = cls(cfg)
    reinit(m, seed, bf16_exact)
    m.set_attn_implementation("eager")
    return m.to(dtype).eval()


def evaluate(model, input_ids, prompt_ids, eos):
    logits = forward_logits(model, input_ids)
    greedy, scores = greedy_with_cache(model, input_ids, eos)
    p_logits = forward_logits(model, prompt_ids)
    p_greedy, p_scores = greedy_with_cache(model, prompt_ids, eos)
    greedy_nc = greedy_no_cache(model, input_ids, eos)
    p_greedy_nc = greedy_no_cache(model, prompt_ids, eos)
    allm = [margins(x) for x in (logits, scores, p_logits, p_scores)]
    min_margin = min(a for a, _ in allm)
    max_abs = max(b for _, b in allm)
    return dict(
        logits=logits,
        greedy=greedy,
        p_greedy=p_greedy,
        cache_matches_nocache=bool(
            torch.equal(greedy, greedy_nc) and torch.equal(p_greedy, p_greedy_nc)
        ),
        min_margin=min_margin,
        max_abs=max_abs,
    )


def v4_config(cfg_dict, default_dict, dtype_str):
    """Rewrite a 5.x config dict in the style of a 4.x checkpoint on disk."""

    def conv(d):
        d = dict(d)
        rp = d.pop("rope_parameters", None) or {}
        d["rope_theta"] = rp.get("rope_theta", 10000.0)
        d.pop("layer_types", None)
        d.pop("dtype", None)
        d.pop("transformers_version", None)
        d.pop("_name_or_path", None)
        return d

    cur, dflt = conv(cfg_dict), conv(default_dict)
    out = {"architectures": cur["architectures"], "model_type": cur["model_type"]}
    for k, v in cur.items():
        if k in out:
            continue
        if k in dflt and dflt[k] == v:
            continue
        out[k] = v
    out["rope_theta"] = cur["rope_theta"]  # always written by 4.x
    out["rope_scaling"] = None
    out["torch_dtype"] = dtype_str
    # Synthetic: a typical 4.x version string, as real checkpoints carry one.
    out["transformers_version"] = "4.51.0"
    return dict(sorted(out.items(), key=lambda kv: (kv[0] not in ("architectures", "model_type"), kv[0])))


def write_fixture(outdir, name, model, tok, ids_map, res, input_ids, prompt_ids,
                  default_cfg, dtype_str, extra_tensors=None, extra_json=None,
                  ref_override=None):
    d = os.path.join(outdir, name)
    os.makedirs(d, exist_ok=True)
    model.save_pretrained(d, safe_serialization=True)
    tok.save_pretrained(d)
    with open(os.path.join(d, "config.json")) as f:
        saved_cfg = json.load(f)
    v4 = v4_config(saved_cfg, default_cfg.to_dict(), dtype_str)
    with open(os.path.join(d, "config.v4.json"), "w") as f:
        json.dump(v4, f, indent=2)
        f.write("\n")
    r = ref_override or res
    tensors = {
        "input_ids": input_ids.to(torch.int64).contiguous(),
        "logits": r["logits"].to(torch.float32).contiguous(),
        "greedy_ids": r["greedy"].to(torch.int64).contiguous(),
        "prompt_ids": prompt_ids.to(torch.int64).contiguous(),
        "prompt_greedy_ids": r["p_greedy"].to(torch.int64).contiguous(),
    }
    if extra_tensors:
        tensors.update({k: v.contiguous() for k, v in extra_tensors.items()})
    save_file(tensors, os.path.join(d, "reference.safetensors"))
    meta = {
        "fixture": name,
        "prompt": PROMPT,
        "n": int(input_ids.shape[0]),
        "max_new_tokens": MAX_NEW,
        "eos_token_id": ids_map["<|im_end|>"],
        "bos_token_id": ids_map["<|endoftext|>"],
        "special_token_ids": ids_map,
        "transformers_version": transformers.__version__,
        "torch_version": torch.__version__,
        "tokenizers_version": tokenizers.__version__,
        "safetensors_version": safetensors.__version__,
        "attn_implementation": "eager",
        "device": "cpu",
        "config_rope_parameters": saved_cfg.get("rope_parameters"),
        "config_layer_types": saved_cfg.get("layer_types"),
        "min_top1_top2_margin": r["min_margin"],
        "max_abs_logit": r["max_abs"],
        "greedy_cache_matches_nocache": r["cache_matches_nocache"],
        "notes": "logits: one forward over input_ids (no cache); greedy_ids / prompt_greedy_ids: new "
                 "tokens only of model.generate(do_sample=False, max_new_tokens=16, eos_token_id=eos) "
                 "(KV cache); prompt_ids = tokenizer(prompt, add_special_tokens=True).input_ids.",
    }
    if extra_json:
        meta.update(extra_json)
    with open(os.path.join(d, "reference.json"), "w") as f:
        json.dump(meta, f, indent=2)
        f.write("\n")
    print(f"[{name}] rope_parameters={json.dumps(saved_cfg.get('rope_parameters'))} "
          f"layer_types={json.dumps(saved_cfg.get('layer_types'))}")
    print(f"[{name}] min top1-top2 margin={r['min_margin']:.4g} max|logit|={r['max_abs']:.4g} "
          f"ratio={r['min_margin'] / r['max_abs']:.3g} (need >1e-3, seed search asks >3e-3) "
          f"cache==nocache greedy: {r['cache_matches_nocache']}")
    print(f"[{name}] greedy_ids={r['greedy'].tolist()} prompt_greedy_ids={r['p_greedy'].tolist()}")
    return saved_cfg


def pick_seed(build, input_ids, prompt_ids, eos, base_seed, ratio=3e-3, extra_ok=None):
    """Deterministically search seeds until the top-1 margin is comfortable."""
    for seed in range(base_seed, base_seed + 100):
        model = build(seed)
        res = evaluate(model, input_ids, prompt_ids, eos)
        ok = res["min_margin"] > ratio * res["max_abs"] and res["cache_matches_nocache"]
        if ok and extra_ok is not None:
            ok = extra_ok(model, res)
        print(f"  seed {seed}: margin={res['min_margin']:.4g} max|logit|={res['max_abs']:.4g} "
              f"cache==nocache={res['cache_matches_nocache']} -> {'ok' if ok else 'retry'}")
        if ok:
            return seed, model, res
    raise SystemExit("no seed with a comfortable margin found")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("-o", "--out", required=True)
    args = ap.parse_args()
    out = args.out
    os.makedirs(out, exist_ok=True)
    torch.manual_seed(1234)
    torch.use_deterministic_algorithms(True)
    torch.set_num_threads(1)

    print("torch", torch.__version__, "transformers", transformers.__version__,
          "tokenizers", tokenizers.__version__, "safetensors", safetensors.__version__)

    tok, ids_map = build_tokenizer()
    eos = ids_map["<|im_end|>"]
    bos = ids_map["<|endoftext|>"]
    print("tokenizer size", len(tok), "special ids", ids_map)

    g = torch.Generator().manual_seed(20240601)
    input_ids = torch.randint(3, VOCAB, (N_IDS,), generator=g, dtype=torch.int64)
    prompt_ids = torch.tensor(tok(PROMPT, add_special_tokens=True)["input_ids"], dtype=torch.int64)
    print("input_ids", input_ids.tolist())
    print("prompt_ids", prompt_ids.tolist(), tok.convert_ids_to_tokens(prompt_ids.tolist()))
    assert tok.decode(prompt_ids.tolist()) == PROMPT

    # defaults.json
    def field_defaults(cls):
        return {f.name: f.default for f in dataclasses.fields(cls)
                if f.default is not dataclasses.MISSING}

    defaults = {
        "Qwen2Config": Qwen2Config().to_dict(),
        "Qwen3Config": Qwen3Config().to_dict(),
        # Raw dataclass field defaults (before __post_init__), e.g. sliding_window=4096 which
        # to_dict() shows as null because use_sliding_window defaults to false.
        "field_defaults": {"Qwen2Config": field_defaults(Qwen2Config),
                           "Qwen3Config": field_defaults(Qwen3Config)},
        "transformers_version": transformers.__version__,
    }
    with open(os.path.join(out, "defaults.json"), "w") as f:
        json.dump(defaults, f, indent=2, default=str)
        f.write("\n")
    for cname in ("Qwen2Config", "Qwen3Config"):
        d = defaults[cname]
        fd = defaults["field_defaults"][cname]
        keys = ["rope_parameters", "rms_norm_eps", "tie_word_embeddings", "sliding_window",
                "max_window_layers", "use_sliding_window", "head_dim", "attention_bias",
                "hidden_act", "num_key_value_heads", "max_position_embeddings"]
        print(f"defaults {cname}:", {k: d.get(k, "<absent>") for k in keys},
              "field sliding_window:", fd.get("sliding_window"))

    common = dict(
        vocab_size=VOCAB, hidden_size=64, intermediate_size=128, num_hidden_layers=2,
        num_attention_heads=4, num_key_value_heads=2, max_position_embeddings=256,
        rms_norm_eps=1e-6, rope_parameters={"rope_type": "default", "rope_theta": ROPE_THETA},
        bos_token_id=bos, eos_token_id=eos, pad_token_id=bos,
    )

    def set_gen(model):
        gc = model.generation_config
        gc.eos_token_id = eos
        gc.bos_token_id = bos
        gc.pad_token_id = bos
        gc.do_sample = False

    summary = {}

    # 1. qwen2-tiny
    def q2_cfg(**kw):
        c = dict(common)
        c.update(kw)
        return Qwen2Config(**c)

    print("== qwen2-tiny")
    cfg = q2_cfg(tie_word_embeddings=False)

    def bf16_greedy_ok(model, res):
        up = make_model(Qwen2ForCausalLM, cfg, 0)
        up.load_state_dict({k: v.to(torch.bfloat16).to(torch.float32)
                            for k, v in model.state_dict().items()})
        r2 = evaluate(up, input_ids, prompt_ids, eos)
        same = torch.equal(r2["greedy"], res["greedy"]) and torch.equal(r2["p_greedy"], res["p_greedy"])
        print(f"    bf16-rounded weights greedy same as f32: {same}")
        return same

    # qwen2-tiny's float32 weights are bf16-representable, so qwen2-tiny-bf16 holds the very
    # same numbers and its float32 reference logits stay exact for a runtime that widens bf16.
    seed, m, res = pick_seed(lambda s: make_model(Qwen2ForCausalLM, cfg, s, bf16_exact=True),
                             input_ids, prompt_ids, eos, 100, extra_ok=bf16_greedy_ok)
    set_gen(m)
    write_fixture(out, "qwen2-tiny", m, tok, ids_map, res, input_ids, prompt_ids,
                  Qwen2Config(), "float32", extra_json={"seed": seed})
    summary["qwen2-tiny"] = res
    q2_model, q2_res, q2_seed = m, res, seed

    # 5. qwen2-tiny-bf16: same weights in bf16; reference = float32 logits of qwen2-tiny.
    print("== qwen2-tiny-bf16")
    mb = make_model(Qwen2ForCausalLM, cfg, q2_seed)
    mb.load_state_dict(q2_model.state_dict())
    mb = mb.to(torch.bfloat16)
    set_gen(mb)
    up = make_model(Qwen2ForCausalLM, cfg, q2_seed)
    up.load_state_dict({k: v.to(torch.float32) for k, v in mb.state_dict().items()})
    up_res = evaluate(up, input_ids, prompt_ids, eos)
    rel = ((up_res["logits"] - q2_res["logits"]).abs().max() / q2_res["logits"].abs().max()).item()
    print(f"[qwen2-tiny-bf16] bf16-weights (upcast, f32 math) vs f32 logits: max|diff|/max|logit| = {rel:.3g}; "
          f"greedy same: {torch.equal(up_res['greedy'], q2_res['greedy'])}, "
          f"prompt greedy same: {torch.equal(up_res['p_greedy'], q2_res['p_greedy'])}")
    write_fixture(out, "qwen2-tiny-bf16", mb, tok, ids_map, q2_res, input_ids, prompt_ids,
                  Qwen2Config(), "bfloat16",
                  extra_tensors={"logits_upcast": up_res["logits"].float(),
                                 "greedy_ids_upcast": up_res["greedy"],
                                 "prompt_greedy_ids_upcast": up_res["p_greedy"]},
                  extra_json={"seed": q2_seed,
                              "reference_is": "float32 logits/greedy of qwen2-tiny (compare with ~2e-2 rel tol)",
                              "logits_upcast_is": "logits of these bf16 weights upcast to float32, "
                                                  "float32 math (eager, cpu): tight reference for a runtime "
                                                  "that widens bf16 to f32",
                              "upcast_vs_f32_rel_diff": rel})

    # 2. qwen2-tied
    print("== qwen2-tied")
    cfg_t = q2_cfg(tie_word_embeddings=True)
    seed, m, res = pick_seed(lambda s: make_model(Qwen2ForCausalLM, cfg_t, s),
                             input_ids, prompt_ids, eos, 1000)
    set_gen(m)
    write_fixture(out, "qwen2-tied", m, tok, ids_map, res, input_ids, prompt_ids,
                  Qwen2Config(), "float32", extra_json={"seed": seed})
    summary["qwen2-tied"] = res

    # 3. qwen3-tiny
    print("== qwen3-tiny")
    c3 = dict(common)
    c3.pop("pad_token_id")
    cfg3 = Qwen3Config(head_dim=32, tie_word_embeddings=False, pad_token_id=bos, **c3)
    seed, m, res = pick_seed(lambda s: make_model(Qwen3ForCausalLM, cfg3, s),
                             input_ids, prompt_ids, eos, 2000)
    set_gen(m)
    write_fixture(out, "qwen3-tiny", m, tok, ids_map, res, input_ids, prompt_ids,
                  Qwen3Config(), "float32", extra_json={"seed": seed})
    summary["qwen3-tiny"] = res

    # 4. qwen2-sliding
    print("== qwen2-sliding")
    cfg_s = q2_cfg(tie_word_embeddings=False, use_sliding_window=True, sliding_window=5,
                   max_window_layers=1)
    cfg_s_off = q2_cfg(tie_word_embeddings=False, use_sliding_window=False)
    print("  layer_types:", cfg_s.layer_types, "sliding_window:", cfg_s.sliding_window)

    def window_matters(model, res):
        off = make_model(Qwen2ForCausalLM, cfg_s_off, 0)
        off.load_state_dict(model.state_dict())
        lo = forward_logits(off, input_ids)
        diff = (lo - res["logits"]).abs().max(dim=-1).values
        # positions 0..4 see <= 5 keys, so they must agree; later ones should differ
        early = diff[:5].max().item()
        late = diff[5:].min().item()
        g_off = greedy_with_cache(off, input_ids, eos)[0]
        # sdpa must agree with eager (window honoured by the mask in both)
        sd = make_model(Qwen2ForCausalLM, cfg_s, 0)
        sd.load_state_dict(model.state_dict())
        sd.set_attn_implementation("sdpa")
        sdpa_diff = (forward_logits(sd, input_ids) - res["logits"]).abs().max().item()
        print(f"    window on vs off: max|diff| at positions 0-4 = {early:.3g}, "
              f"min over positions 5+ of max|diff| = {late:.3g}, max overall = {diff.max().item():.3g}; "
              f"greedy differs: {not torch.equal(g_off, res['greedy'])}; sdpa vs eager max|diff| = {sdpa_diff:.3g}")
        window_matters.info = dict(window_off_max_abs_diff_pos0_4=early,
                                   window_off_min_rowmax_abs_diff_pos5plus=late,
                                   window_off_max_abs_diff=diff.max().item(),
                                   window_off_greedy_differs=not torch.equal(g_off, res["greedy"]),
                                   sdpa_vs_eager_max_abs_diff=sdpa_diff)
        return early < 1e-5 and late > 1e-3

    seed, m, res = pick_seed(lambda s: make_model(Qwen2ForCausalLM, cfg_s, s),
                             input_ids, prompt_ids, eos, 3000, extra_ok=window_matters)
    set_gen(m)
    write_fixture(out, "qwen2-sliding", m, tok, ids_map, res, input_ids, prompt_ids,
                  Qwen2Config(), "float32",
                  extra_json={"seed": seed,
                              "sliding_window_semantics": "query i attends keys j with i-sliding_window < j <= i "
                                                          "(transformers masking_utils: kv_idx > q_idx - sliding_window); "
                                                          "layer i is sliding iff use_sliding_window and "
                                                          "i >= max_window_layers",
                              **window_matters.info})
    summary["qwen2-sliding"] = res

    print("== summary")
    for k, r in summary.items():
        print(f"  {k}: min margin {r['min_margin']:.4g}, max|logit| {r['max_abs']:.4g}, "
              f"ratio {r['min_margin'] / r['max_abs']:.3g}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
