package dev.unicorn.api.text;

import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

import org.osgi.annotation.versioning.ConsumerType;

/** A service that opens the tokenizer stored with a model. */
@ConsumerType
public interface TokenizerProvider {

    /**
     * Opens the tokenizer of the model at {@code location}, or returns empty when this provider finds none there.
     *
     * @param metadata the metadata of the model's weights ({@code tokenizer.ggml.*} of a GGUF file; empty or
     *                 irrelevant for a Hugging Face folder, whose tokenizer is in its files)
     * @throws IllegalArgumentException naming the file when a tokenizer is present but malformed
     */
    Optional<Tokenizer> open(Path location, Map<String, Object> metadata);
}
