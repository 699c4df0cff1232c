package dev.unicorn.api.text;

import java.nio.file.Path;
import java.util.Optional;

import org.osgi.annotation.versioning.ConsumerType;

/** A service that opens the tokenizer stored with a model. */
@ConsumerType
public interface TokenizerProvider {

    /**
     * Opens the tokenizer of the model at {@code location}, or returns empty when this provider finds none there.
     *
     * @throws IllegalArgumentException naming the file when a tokenizer file is present but malformed
     */
    Optional<Tokenizer> open(Path location);
}
