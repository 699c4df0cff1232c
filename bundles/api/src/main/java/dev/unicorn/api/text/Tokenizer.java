package dev.unicorn.api.text;

import java.util.OptionalInt;

import org.osgi.annotation.versioning.ProviderType;

/** Converts text to token ids and back, exactly as the model's reference tokenizer does. */
@ProviderType
public interface Tokenizer extends AutoCloseable {

    /**
     * Encodes text.
     *
     * @param addSpecialTokens whether the tokenizer's own additions (e.g. a leading {@code <bos>}) are added;
     *                         false for text whose template already contains them
     */
    int[] encode(String text, boolean addSpecialTokens);

    /**
     * Decodes ids to text; special tokens are skipped when {@code skipSpecialTokens}. Ids the tokenizer does not
     * know (a model's embedding may be padded beyond its vocabulary) are skipped, as the Hugging Face tokenizers do.
     */
    String decode(int[] ids, boolean skipSpecialTokens);

    /** Number of ids the tokenizer knows, special tokens included. */
    int vocabularySize();

    /** The id of a token string such as {@code <|im_end|>}, if it is in the vocabulary. */
    OptionalInt tokenId(String token);

    @Override
    void close();
}
