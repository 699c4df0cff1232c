package dev.unicorn.api.model;

import java.nio.file.Path;
import java.util.Optional;
import java.util.Set;

import org.osgi.annotation.versioning.ProviderType;

import dev.unicorn.api.text.Tokenizer;

/** A model ready to generate: its network, tokenizer and generation settings. Closing releases everything. */
@ProviderType
public interface Model extends AutoCloseable {

    /** Where it was loaded from. */
    Path location();

    LoadedModel network();

    /** The tokenizer, when the model folder has one. */
    Optional<Tokenizer> tokenizer();

    /** The chat template, when the model has one. */
    Optional<dev.unicorn.api.text.ChatTemplate> chatTemplate();

    /** Token ids that end generation (from {@code generation_config.json}, {@code config.json} or the tokenizer). */
    Set<Integer> stopTokenIds();

    /** Id of the backend the weights are bound to. */
    String backendId();

    @Override
    void close();
}
