package dev.unicorn.tokenizer.gguf;

import java.util.Arrays;
import java.util.OptionalInt;

import dev.unicorn.api.text.Tokenizer;

/**
 * What both GGUF tokenizer kinds share: added tokens matched first, BOS/EOS as the metadata asks, ids unknown to the
 * vocabulary (padding rows) skipped when decoding, control tokens skipped on request.
 */
abstract sealed class GgufTokenizer implements Tokenizer permits SentencePieceTokenizer, ByteLevelBpeTokenizer {

    final GgufVocabulary vocabulary;
    private final AddedTokenMatcher addedTokens;
    private final boolean addBos;
    private final boolean addEos;

    GgufTokenizer(GgufVocabulary vocabulary, boolean addBosByDefault) {
        this.vocabulary = vocabulary;
        this.addedTokens = new AddedTokenMatcher(vocabulary, this::matchedText);
        this.addBos = (vocabulary.addBos == null ? addBosByDefault : vocabulary.addBos) && vocabulary.bosId >= 0;
        this.addEos = vocabulary.addEos != null && vocabulary.addEos && vocabulary.eosId >= 0;
    }

    /**
     * The text by which a token is matched as a whole before the rest is tokenized (HF's added tokens), or null for
     * tokens that are not.
     */
    String matchedText(int id) {
        return vocabulary.isAddedToken(id) ? vocabulary.tokens[id] : null;
    }

    /** Appends the ids of text that contains no added token; {@code afterSpecial} when it starts the text or follows one. */
    abstract void encodeText(String text, boolean afterSpecial, IntList out);

    /** Decodes ids that are all in the vocabulary and meant to be shown. */
    abstract String decodeTokens(int[] ids);

    @Override
    public int[] encode(String text, boolean addSpecialTokens) {
        IntList ids = new IntList(Math.max(16, text.length() / 3));
        if (addSpecialTokens && addBos) {
            ids.add(vocabulary.bosId);
        }
        addedTokens.split(text, new AddedTokenMatcher.Sink() {
            private boolean afterSpecial = true;

            @Override
            public void text(String whole, int start, int end) {
                encodeText(whole.substring(start, end), afterSpecial, ids);
                afterSpecial = false;
            }

            @Override
            public void token(int id) {
                ids.add(id);
                afterSpecial = true;
            }
        });
        if (addSpecialTokens && addEos) {
            ids.add(vocabulary.eosId);
        }
        return ids.toArray();
    }

    @Override
    public String decode(int[] ids, boolean skipSpecialTokens) {
        IntList kept = new IntList(Math.max(16, ids.length));
        for (int id : ids) {
            if (id < 0 || id >= vocabulary.size()) {
                continue;
            }
            int type = vocabulary.type(id);
            // UNUSED rows are converter padding ([PADn]), ids the Hugging Face tokenizer does not know.
            if (type == GgufVocabulary.TYPE_UNUSED) {
                continue;
            }
            // GGUF keeps no "special" flag: control tokens stand for HF's special ones. The converter also makes control
            // tokens of added tokens that merely look special (Gemma's <unusedN> and <mask>, Qwen's <|fim_*|>), which
            // HF keeps when skipping special tokens and we skip, as llama.cpp does.
            if (skipSpecialTokens && (type == GgufVocabulary.TYPE_CONTROL || type == GgufVocabulary.TYPE_UNKNOWN)) {
                continue;
            }
            kept.add(id);
        }
        return decodeTokens(kept.toArray());
    }

    @Override
    public int vocabularySize() {
        return vocabulary.size();
    }

    @Override
    public OptionalInt tokenId(String token) {
        Integer id = vocabulary.ids.get(token);
        return id == null ? OptionalInt.empty() : OptionalInt.of(id);
    }

    @Override
    public void close() {
        // Nothing native or mapped: the vocabulary is plain heap memory.
    }

    /** A growable int array. */
    static final class IntList {
        private int[] values;
        private int size;

        IntList(int capacity) {
            values = new int[capacity];
        }

        void add(int value) {
            if (size == values.length) {
                values = Arrays.copyOf(values, size * 2);
            }
            values[size++] = value;
        }

        int[] toArray() {
            return Arrays.copyOf(values, size);
        }
    }
}
