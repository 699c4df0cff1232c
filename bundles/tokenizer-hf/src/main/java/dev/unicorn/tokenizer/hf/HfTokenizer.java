package dev.unicorn.tokenizer.hf;

import java.util.OptionalInt;

import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import dev.unicorn.api.text.Tokenizer;

/** A {@link Tokenizer} backed by DJL's binding of the Hugging Face tokenizers library. */
final class HfTokenizer implements Tokenizer {

    private final HuggingFaceTokenizer djl;
    private final TokenizerVocabulary vocabulary;

    HfTokenizer(HuggingFaceTokenizer djl, TokenizerVocabulary vocabulary) {
        this.djl = djl;
        this.vocabulary = vocabulary;
    }

    @Override
    public int[] encode(String text, boolean addSpecialTokens) {
        long[] ids = HfTokenizerProvider.withBundleClassLoader(
                () -> djl.encode(text, addSpecialTokens, false).getIds());
        int[] result = new int[ids.length];
        for (int i = 0; i < ids.length; i++) {
            result[i] = Math.toIntExact(ids[i]);
        }
        return result;
    }

    @Override
    public String decode(int[] ids, boolean skipSpecialTokens) {
        long[] longIds = new long[ids.length];
        for (int i = 0; i < ids.length; i++) {
            if (ids[i] < 0 || ids[i] >= vocabulary.size()) {
                throw new IllegalArgumentException(
                        "Token id " + ids[i] + " at index " + i + " is outside 0.." + (vocabulary.size() - 1));
            }
            longIds[i] = ids[i];
        }
        return HfTokenizerProvider.withBundleClassLoader(() -> djl.decode(longIds, skipSpecialTokens));
    }

    @Override
    public int vocabularySize() {
        return vocabulary.size();
    }

    @Override
    public OptionalInt tokenId(String token) {
        return vocabulary.id(token);
    }

    @Override
    public void close() {
        djl.close();
    }
}
