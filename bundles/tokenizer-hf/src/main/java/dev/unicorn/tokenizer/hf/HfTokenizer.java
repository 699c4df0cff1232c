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
        // Ids the tokenizer does not know are skipped, as the Hugging Face tokenizers do: a model's embedding is
        // often padded beyond its tokenizer's vocabulary, and a model may sample those rows.
        long[] known = new long[ids.length];
        int n = 0;
        for (int id : ids) {
            if (id >= 0 && id < vocabulary.size()) {
                known[n++] = id;
            }
        }
        long[] longIds = n == ids.length ? known : java.util.Arrays.copyOf(known, n);
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
