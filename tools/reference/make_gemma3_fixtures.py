#!/usr/bin/env python3
"""Build tiny random-weight Gemma 3 checkpoints and their reference outputs.

Fixture folders (complete Hugging Face model folders, float32, eager attention, CPU):

  gemma3-tiny      Gemma3ForCausalLM: 3 layers (sliding, sliding, full), sliding_window 5 (< 24 ids),
                   rope_theta 100 with linear factor 8 on the full layer, rope_local_base_freq 10000 on
                   sliding layers, query_pre_attn_scalar 24 != head_dim 16 != hidden/heads 12, untied head
  gemma3-softcap   as gemma3-tiny plus final_logit_softcapping and attn_logit_softcapping, tied head
  gemma3-vlm       Gemma3ForConditionalGeneration (tiny SigLIP tower); only the text path is used
  gemma3-large     as gemma3-tiny with weights scaled so the residual stream reaches ~1e4-1e5

Each folder holds config.json (5.x, as saved), config.v4.json (the same model written the 4.x way:
rope_theta, rope_local_base_freq, rope_scaling, sliding_window_pattern, no layer_types/rope_parameters,
class defaults omitted), generation_config.json, model.safetensors, tokenizer files and
reference.safetensors (input_ids, logits [N, vocab] of one forward without cache, greedy_ids = new tokens of
generate(do_sample=False) with the KV cache, prompt_ids, prompt_greedy_ids) + reference.json (metadata).
defaults.json: Gemma3TextConfig().to_dict() and Gemma3Config().to_dict() of this transformers.

Usage:  python3 make_gemma3_fixtures.py -o OUTDIR
"""

import argparse
import dataclasses
import json
import os
import sys
import traceback

import torch

import safetensors
import tokenizers
import transformers
from safetensors.torch import save_file
from tokenizers import Tokenizer, decoders, models, pre_tokenizers, processors, trainers
from transformers import PreTrainedTokenizerFast, Gemma3TextConfig, Gemma3ForCausalLM

PROMPT = "The quick brown fox jumps over the lazy dog."
N_IDS = 24
MAX_NEW = 16
VOCAB = 512
WINDOW = 5
SPECIALS = ["<pad>", "<eos>", "<bos>", "<start_of_turn>", "<end_of_turn>"]
PAD, EOS, BOS = 0, 1, 2
CG_NAME = "Gemma3ForConditionalGeneration"

CORPUS = """\
The quick brown fox jumps over the lazy dog. The dog sleeps in the sun.
A small language model reads text one token at a time and predicts the next one.
Once upon a time there was a little girl who lived in a village near the forest.
She liked to walk in the woods and listen to the birds singing in the trees.
Every morning the baker opened his shop and the smell of fresh bread filled the street.
Java is a programming language; the runtime loads weights and runs the model.
Attention is computed between queries and keys; values are mixed by the weights.
The rain in Spain stays mainly in the plain. How now, brown cow?
Hello, world! Hello again, world. Good morning, good evening, and good night.
What is the capital of France? The capital of France is Paris.
"""

LAYER_TYPES = ["sliding_attention", "sliding_attention", "full_attention"]
PATTERN = 3  # 4.x: layer i is global iff (i + 1) % sliding_window_pattern == 0
GLOBAL_THETA = 100.0
LOCAL_THETA = 10000.0
LINEAR_FACTOR = 8.0

COMMON = dict(
    vocab_size=VOCAB, hidden_size=48, intermediate_size=96, num_hidden_layers=3, num_attention_heads=4,
    num_key_value_heads=2, head_dim=16, query_pre_attn_scalar=24, max_position_embeddings=256,
    rms_norm_eps=1e-6, sliding_window=WINDOW, bos_token_id=BOS, eos_token_id=EOS, pad_token_id=PAD,
    hidden_activation="gelu_pytorch_tanh",
)


def build_tokenizer():
    tok = Tokenizer(models.BPE())
    tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tok.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(vocab_size=400, min_frequency=2, special_tokens=SPECIALS,
                                  initial_alphabet=pre_tokenizers.ByteLevel.alphabet(), show_progress=False)
    tok.train_from_iterator(CORPUS.splitlines(), trainer=trainer)
    tok.post_processor = processors.TemplateProcessing(single="<bos> $A", pair="<bos> $A $B",
                                                       special_tokens=[("<bos>", BOS)])
    fast = PreTrainedTokenizerFast(tokenizer_object=tok, bos_token="<bos>", eos_token="<eos>", pad_token="<pad>",
                                   additional_special_tokens=["<start_of_turn>", "<end_of_turn>"])
    ids = {s: fast.convert_tokens_to_ids(s) for s in SPECIALS}
    assert ids["<pad>"] == PAD and ids["<eos>"] == EOS and ids["<bos>"] == BOS, ids
    return fast, ids


def text_config(**kw):
    """A 5.x Gemma3TextConfig with nested per-layer-type rope_parameters; falls back to the legacy kwargs."""
    c = dict(COMMON)
    c.update(kw)
    rp = {"full_attention": {"rope_type": "linear", "factor": LINEAR_FACTOR, "rope_theta": GLOBAL_THETA},
          "sliding_attention": {"rope_type": "default", "rope_theta": LOCAL_THETA}}
    try:
        cfg = Gemma3TextConfig(layer_types=list(LAYER_TYPES), rope_parameters=rp, **c)
        how = "layer_types + nested rope_parameters"
    except Exception as e:  # noqa: BLE001
        print("  nested rope_parameters rejected:", repr(e))
        cfg = Gemma3TextConfig(rope_theta=GLOBAL_THETA, rope_local_base_freq=LOCAL_THETA,
                               rope_scaling={"rope_type": "linear", "factor": LINEAR_FACTOR},
                               sliding_window_pattern=PATTERN, **c)
        how = "legacy kwargs"
    print(f"  config built from {how}: layer_types={cfg.layer_types} "
          f"rope_parameters={getattr(cfg, 'rope_parameters', None)}")
    return cfg


def reinit(model, seed, big=False):
    g = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for name, p in sorted(model.named_parameters()):
            if not (name.startswith("model.") or name.startswith("lm_head") or "language_model" in name):
                continue  # vision tower keeps its own init
            if name.endswith("norm.weight"):  # Gemma RMSNorm scales by (1 + w)
                p.copy_(0.3 * torch.randn(p.shape, generator=g))
                if big and ("post_attention_layernorm" in name or "post_feedforward_layernorm" in name):
                    p.copy_(3000.0 * (1.0 + 0.3 * torch.randn(p.shape, generator=g)))
            elif "embed_tokens" in name:  # tied heads need small embeddings or greedy just repeats the input
                std = 2000.0 if big else (0.03 if model.config.get_text_config().tie_word_embeddings else 0.5)
                p.copy_(std * torch.randn(p.shape, generator=g))
            else:
                p.copy_(0.2 * torch.randn(p.shape, generator=g))


def margins(logits):
    top2 = torch.topk(logits, 2, dim=-1).values
    return (top2[..., 0] - top2[..., 1]).min().item(), logits.abs().max().item()


@torch.no_grad()
def forward_logits(model, ids):
    return model(input_ids=ids[None], use_cache=False).logits[0].float()


@torch.no_grad()
def greedy_with_cache(model, ids):
    out = model.generate(ids[None], attention_mask=torch.ones_like(ids[None]), do_sample=False,
                         max_new_tokens=MAX_NEW, eos_token_id=EOS, pad_token_id=PAD,
                         output_scores=True, return_dict_in_generate=True)
    new = out.sequences[0, ids.shape[0]:].clone()
    return new, torch.stack([s[0] for s in out.scores]).float()


@torch.no_grad()
def greedy_no_cache(model, ids):
    seq = ids.clone()
    new = []
    for _ in range(MAX_NEW):
        nxt = int(forward_logits(model, seq)[-1].argmax())
        new.append(nxt)
        seq = torch.cat([seq, torch.tensor([nxt])])
        if nxt == EOS:
            break
    return torch.tensor(new, dtype=torch.int64)


def make(cls, cfg, seed, big=False):
    torch.manual_seed(seed)
    m = cls(cfg)
    reinit(m, seed, big)
    m.set_attn_implementation("eager")
    return m.float().eval()


def evaluate(model, input_ids, prompt_ids):
    logits = forward_logits(model, input_ids)
    greedy, scores = greedy_with_cache(model, input_ids)
    p_logits = forward_logits(model, prompt_ids)
    p_greedy, p_scores = greedy_with_cache(model, prompt_ids)
    same = torch.equal(greedy, greedy_no_cache(model, input_ids)) and \
        torch.equal(p_greedy, greedy_no_cache(model, prompt_ids))
    allm = [margins(x) for x in (logits, scores, p_logits, p_scores)]
    return dict(logits=logits, greedy=greedy, p_greedy=p_greedy, cache_matches_nocache=bool(same),
                min_margin=min(a for a, _ in allm), max_abs=max(b for _, b in allm))


def pick_seed(build, input_ids, prompt_ids, base, extra_ok=None, tries=40, ratio=3e-3):
    for seed in range(base, base + tries):
        model = build(seed)
        res = evaluate(model, input_ids, prompt_ids)
        ok = res["min_margin"] > ratio * res["max_abs"] and res["cache_matches_nocache"] \
            and len(res["greedy"]) >= 12 and len(res["p_greedy"]) >= 12 \
            and len(set(res["greedy"].tolist())) >= 4 and len(set(res["p_greedy"].tolist())) >= 4
        if ok and extra_ok is not None:
            ok = extra_ok(model, res)
        print(f"  seed {seed}: margin={res['min_margin']:.4g} max|logit|={res['max_abs']:.4g} "
              f"cache==nocache={res['cache_matches_nocache']} -> {'ok' if ok else 'retry'}")
        if ok:
            return seed, model, res
    raise SystemExit("no seed with a comfortable margin found")


def v4_text(d, dflt):
    """A 5.x text-config dict rewritten as a 4.x checkpoint writes it; fields equal to the class defaults omitted."""
    d = dict(d)
    rp = d.pop("rope_parameters", None) or {}
    full = rp.get("full_attention", rp)
    local = rp.get("sliding_attention", {})
    lt = d.pop("layer_types", None)
    out = {}
    for k, v in d.items():
        if k in ("dtype", "transformers_version", "_name_or_path", "architectures", "model_type"):
            continue
        if k in dflt and dflt[k] == v:
            continue
        out[k] = v
    out["rope_theta"] = full.get("rope_theta", 10000.0)
    out["rope_local_base_freq"] = local.get("rope_theta", 10000.0)
    rtype = full.get("rope_type", "default")
    out["rope_scaling"] = None if rtype == "default" else {"rope_type": rtype, "factor": full["factor"]}
    if lt is not None:
        pattern = lt.index("full_attention") + 1
        expect = ["sliding_attention" if (i + 1) % pattern else "full_attention" for i in range(len(lt))]
        assert expect == lt, (lt, pattern)
        out["sliding_window_pattern"] = pattern
    return out


def finish_v4(out, cfg_dict, dtype_str):
    out["architectures"] = cfg_dict["architectures"]
    out["model_type"] = cfg_dict["model_type"]
    out["torch_dtype"] = dtype_str
    out["transformers_version"] = "4.51.0"  # synthetic, as real 4.x checkpoints carry one
    return dict(sorted(out.items(), key=lambda kv: (kv[0] not in ("architectures", "model_type"), kv[0])))


def check_v4(cls, cfg_cls, v4, model, input_ids, ref_logits, vlm=False):
    """Load config.v4.json with this transformers and prove it gives the same model."""
    c4 = cfg_cls.from_dict(dict(v4))
    m4 = cls(c4)
    m4.load_state_dict(model.state_dict())
    m4.set_attn_implementation("eager")
    m4 = m4.float().eval()
    diff = (forward_logits(m4, input_ids) - ref_logits).abs().max().item()
    tc = c4.text_config if vlm else c4
    print(f"  v4 config read back: layer_types={tc.layer_types} rope_parameters={getattr(tc, 'rope_parameters', None)}"
          f" max|logit diff| vs 5.x = {diff:.3g}")
    return diff


def write_fixture(out, name, model, tok, res, input_ids, prompt_ids, v4, extra_json=None, extra_tensors=None):
    d = os.path.join(out, name)
    os.makedirs(d, exist_ok=True)
    gc = model.generation_config
    gc.eos_token_id, gc.bos_token_id, gc.pad_token_id, gc.do_sample = EOS, BOS, PAD, False
    model.save_pretrained(d, safe_serialization=True)
    tok.save_pretrained(d)
    with open(os.path.join(d, "config.json")) as f:
        saved = json.load(f)
    with open(os.path.join(d, "config.v4.json"), "w") as f:
        json.dump(v4, f, indent=2)
        f.write("\n")
    tensors = {"input_ids": input_ids, "logits": res["logits"], "greedy_ids": res["greedy"],
               "prompt_ids": prompt_ids, "prompt_greedy_ids": res["p_greedy"]}
    tensors.update(extra_tensors or {})
    save_file({k: v.contiguous() for k, v in tensors.items()}, os.path.join(d, "reference.safetensors"))
    from safetensors import safe_open
    with safe_open(os.path.join(d, "model.safetensors"), "pt") as f:
        names = sorted(f.keys())
    meta = {"fixture": name, "prompt": PROMPT, "n": int(input_ids.shape[0]), "max_new_tokens": MAX_NEW,
            "eos_token_id": EOS, "bos_token_id": BOS, "pad_token_id": PAD,
            "transformers_version": transformers.__version__, "torch_version": torch.__version__,
            "tokenizers_version": tokenizers.__version__, "safetensors_version": safetensors.__version__,
            "attn_implementation": "eager", "device": "cpu", "dtype": "float32",
            "min_top1_top2_margin": res["min_margin"], "max_abs_logit": res["max_abs"],
            "greedy_cache_matches_nocache": res["cache_matches_nocache"],
            "checkpoint_tensor_names": names,
            "notes": "logits: one forward over input_ids (no cache); greedy ids: new tokens of generate("
                     "do_sample=False, max_new_tokens=16, eos_token_id=1) with the KV cache; prompt_ids = "
                     "tokenizer(prompt).input_ids (adds <bos>)."}
    meta.update(extra_json or {})
    with open(os.path.join(d, "reference.json"), "w") as f:
        json.dump(meta, f, indent=2)
        f.write("\n")
    print(f"[{name}] saved config keys: {sorted(saved.keys())}")
    print(f"[{name}] tensor names: {names[:12]} ... ({len(names)})")
    print(f"[{name}] margin={res['min_margin']:.4g} max|logit|={res['max_abs']:.4g} greedy={res['greedy'].tolist()} "
          f"prompt greedy={res['p_greedy'].tolist()}")
    return saved


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("-o", "--out", required=True)
    out = ap.parse_args().out
    os.makedirs(out, exist_ok=True)
    torch.use_deterministic_algorithms(True)
    torch.set_num_threads(1)
    print("torch", torch.__version__, "transformers", transformers.__version__)

    tok, ids_map = build_tokenizer()
    g = torch.Generator().manual_seed(20240601)
    input_ids = torch.randint(3, VOCAB, (N_IDS,), generator=g, dtype=torch.int64)
    prompt_ids = torch.tensor(tok(PROMPT)["input_ids"], dtype=torch.int64)
    assert prompt_ids[0].item() == BOS, prompt_ids
    assert tok.decode(prompt_ids.tolist(), skip_special_tokens=True) == PROMPT
    print("input_ids", input_ids.tolist())
    print("prompt_ids", prompt_ids.tolist())

    def field_defaults(cls):
        try:
            return {f.name: f.default for f in dataclasses.fields(cls) if f.default is not dataclasses.MISSING}
        except TypeError:
            return {}

    from transformers import Gemma3Config
    tdef = Gemma3TextConfig().to_dict()
    defaults = {"Gemma3TextConfig": tdef, "Gemma3Config": Gemma3Config().to_dict(),
                "field_defaults": {"Gemma3TextConfig": field_defaults(Gemma3TextConfig)},
                "legacy_kwargs": {}, "transformers_version": transformers.__version__}
    # How 5.x reads 4.x-style fields (sliding_window_pattern, rope_local_base_freq, rope_scaling).
    try:
        leg = Gemma3TextConfig(num_hidden_layers=7, sliding_window_pattern=3, rope_theta=123.0,
                               rope_local_base_freq=45.0, rope_scaling={"rope_type": "linear", "factor": 8.0})
        defaults["legacy_kwargs"] = {"input": "num_hidden_layers=7, sliding_window_pattern=3, rope_theta=123, "
                                              "rope_local_base_freq=45, rope_scaling=linear 8",
                                     "layer_types": leg.layer_types,
                                     "rope_parameters": getattr(leg, "rope_parameters", None)}
    except Exception as e:  # noqa: BLE001
        defaults["legacy_kwargs"] = {"error": repr(e)}
    print("legacy kwargs ->", defaults["legacy_kwargs"])
    with open(os.path.join(out, "defaults.json"), "w") as f:
        json.dump(defaults, f, indent=2, default=str)
        f.write("\n")
    print("Gemma3TextConfig defaults:", json.dumps(tdef, default=str))

    summary = {}

    # (a) gemma3-tiny
    print("== gemma3-tiny")
    cfg = text_config(tie_word_embeddings=False)
    full_cfg = text_config(tie_word_embeddings=False, sliding_window=1000)  # same layers, window wider than input

    def window_matters(model, res):
        off = make(Gemma3ForCausalLM, full_cfg, 0)
        off.load_state_dict(model.state_dict())
        diff = (forward_logits(off, input_ids) - res["logits"]).abs().max(dim=-1).values
        early, late = diff[:WINDOW].max().item(), diff[WINDOW:].min().item()
        window_matters.info = dict(window_off_max_abs_diff_first_window=early,
                                   window_off_min_rowmax_abs_diff_after=late)
        print(f"    window on/off: positions < {WINDOW}: {early:.3g}; later min {late:.3g}")
        return early < 1e-5 and late > 1e-3

    seed, m, res = pick_seed(lambda s: make(Gemma3ForCausalLM, cfg, s), input_ids, prompt_ids, 100,
                             extra_ok=window_matters)
    saved = m.config.to_dict()
    v4 = finish_v4(v4_text(saved, tdef), {"architectures": ["Gemma3ForCausalLM"], "model_type": "gemma3_text"},
                   "float32")
    v4diff = check_v4(Gemma3ForCausalLM, Gemma3TextConfig, v4, m, input_ids, res["logits"])
    write_fixture(out, "gemma3-tiny", m, tok, res, input_ids, prompt_ids, v4,
                  extra_json={"seed": seed, "v4_config_max_abs_logit_diff": v4diff, **window_matters.info})
    summary["gemma3-tiny"] = res

    # (b) gemma3-softcap
    print("== gemma3-softcap")
    cfg_s = text_config(tie_word_embeddings=True, final_logit_softcapping=1.0, attn_logit_softcapping=1.0)
    cfg_nocap = text_config(tie_word_embeddings=True, final_logit_softcapping=None, attn_logit_softcapping=1.0)
    cfg_noattn = text_config(tie_word_embeddings=True, final_logit_softcapping=1.0, attn_logit_softcapping=None)
    # capped logits crowd below the cap, so top-1 margins are thinner: ask 1.5e-3 (15x the test tolerance)
    seed, m, res = pick_seed(lambda s: make(Gemma3ForCausalLM, cfg_s, s), input_ids, prompt_ids, 200, ratio=1.5e-3)
    effects = {}
    for label, c in (("without_final_softcap", cfg_nocap), ("without_attn_softcap", cfg_noattn)):
        mm = make(Gemma3ForCausalLM, c, 0)
        mm.load_state_dict(m.state_dict())
        effects[label + "_max_abs_logit_diff"] = (forward_logits(mm, input_ids) - res["logits"]).abs().max().item()
    print("  softcap effects:", effects)
    saved = m.config.to_dict()
    v4 = finish_v4(v4_text(saved, tdef), {"architectures": ["Gemma3ForCausalLM"], "model_type": "gemma3_text"},
                   "float32")
    v4diff = check_v4(Gemma3ForCausalLM, Gemma3TextConfig, v4, m, input_ids, res["logits"])
    write_fixture(out, "gemma3-softcap", m, tok, res, input_ids, prompt_ids, v4,
                  extra_json={"seed": seed, "v4_config_max_abs_logit_diff": v4diff, **effects})
    summary["gemma3-softcap"] = res

    # (d) gemma3-large
    print("== gemma3-large")
    cfg_l = text_config(tie_word_embeddings=False)

    def large_ok(model, res):
        with torch.no_grad():
            hs = model(input_ids=input_ids[None], use_cache=False, output_hidden_states=True).hidden_states
        peak = max(h.abs().max().item() for h in hs[:-1])
        fp16 = None
        try:
            h16 = make(Gemma3ForCausalLM, cfg_l, 0)
            h16.load_state_dict(model.state_dict())
            dev = "cuda" if torch.cuda.is_available() else "cpu"
            h16 = h16.to(dev).half()
            with torch.no_grad():
                l16 = h16(input_ids=input_ids[None].to(dev), use_cache=False).logits[0].float().cpu()
            fp16 = dict(fp16_nonfinite=int((~torch.isfinite(l16)).sum()),
                        fp16_max_abs_diff=float((l16 - res["logits"]).abs().nan_to_num(float("inf")).max()))
        except Exception as e:  # noqa: BLE001
            fp16 = dict(fp16_error=repr(e))
        large_ok.info = dict(residual_peak_abs=peak, **fp16)
        print(f"    residual peak {peak:.4g}; fp16: {fp16}")
        return 1e4 <= peak <= 1e6

    seed, m, res = pick_seed(lambda s: make(Gemma3ForCausalLM, cfg_l, s, big=True), input_ids, prompt_ids, 300,
                             extra_ok=large_ok)
    saved = m.config.to_dict()
    v4 = finish_v4(v4_text(saved, tdef), {"architectures": ["Gemma3ForCausalLM"], "model_type": "gemma3_text"},
                   "float32")
    v4diff = check_v4(Gemma3ForCausalLM, Gemma3TextConfig, v4, m, input_ids, res["logits"])
    write_fixture(out, "gemma3-large", m, tok, res, input_ids, prompt_ids, v4,
                  extra_json={"seed": seed, "v4_config_max_abs_logit_diff": v4diff, **large_ok.info})
    summary["gemma3-large"] = res

    # (c) gemma3-vlm
    print("== gemma3-vlm")
    try:
        from transformers import Gemma3ForConditionalGeneration, SiglipVisionConfig
        vision = SiglipVisionConfig(hidden_size=32, intermediate_size=64, num_hidden_layers=1,
                                    num_attention_heads=2, image_size=28, patch_size=14)
        tcfg = text_config(tie_word_embeddings=True)

        def vcfg():
            return Gemma3Config(text_config=tcfg.to_dict(), vision_config=vision.to_dict(), mm_tokens_per_image=4,
                                bos_token_id=BOS, eos_token_id=EOS, pad_token_id=PAD)

        seed, m, res = pick_seed(lambda s: make(Gemma3ForConditionalGeneration, vcfg(), s), input_ids, prompt_ids,
                                 400)
        saved = m.config.to_dict()
        cdef = Gemma3Config().to_dict()
        v4 = {k: v for k, v in saved.items() if k not in ("text_config", "dtype", "transformers_version",
                                                          "_name_or_path") and cdef.get(k, object()) != v}
        v4["text_config"] = dict(v4_text(saved["text_config"], tdef), model_type="gemma3_text")
        v4["vision_config"] = saved["vision_config"]
        v4 = finish_v4(v4, {"architectures": [CG_NAME], "model_type": "gemma3"}, "float32")
        try:
            v4diff = check_v4(Gemma3ForConditionalGeneration, Gemma3Config, v4, m, input_ids, res["logits"], True)
        except Exception as e:  # noqa: BLE001
            traceback.print_exc()
            v4diff = repr(e)
        write_fixture(out, "gemma3-vlm", m, tok, res, input_ids, prompt_ids, v4,
                      extra_json={"seed": seed, "v4_config_max_abs_logit_diff": v4diff})
        summary["gemma3-vlm"] = res
    except Exception:  # noqa: BLE001
        traceback.print_exc()

    print("== summary")
    for k, r in summary.items():
        print(f"  {k}: min margin {r['min_margin']:.4g}, max|logit| {r['max_abs']:.4g}, "
              f"ratio {r['min_margin'] / r['max_abs']:.3g}, cache==nocache {r['cache_matches_nocache']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
