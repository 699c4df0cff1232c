package dev.unicorn.engine.loader;

import java.nio.file.Path;
import java.util.Optional;
import java.util.Set;

import dev.unicorn.api.model.LoadedModel;
import dev.unicorn.api.model.Model;
import dev.unicorn.api.text.ChatTemplate;
import dev.unicorn.api.text.Tokenizer;

/** A model loaded from a Hugging Face folder or a GGUF file. */
final class HfModel implements Model {
    private final Path location;
    private final LoadedModel network;
    private final Tokenizer tokenizer;
    private final ChatTemplate chatTemplate;
    private final Set<Integer> stopTokenIds;
    private final String backendId;

    HfModel(Path location, LoadedModel network, Tokenizer tokenizer, ChatTemplate chatTemplate,
            Set<Integer> stopTokenIds, String backendId) {
        this.location = location;
        this.network = network;
        this.tokenizer = tokenizer;
        this.chatTemplate = chatTemplate;
        this.stopTokenIds = Set.copyOf(stopTokenIds);
        this.backendId = backendId;
    }

    @Override
    public Path location() {
        return location;
    }

    @Override
    public LoadedModel network() {
        return network;
    }

    @Override
    public Optional<Tokenizer> tokenizer() {
        return Optional.ofNullable(tokenizer);
    }

    @Override
    public Optional<ChatTemplate> chatTemplate() {
        return Optional.ofNullable(chatTemplate);
    }

    @Override
    public Set<Integer> stopTokenIds() {
        return stopTokenIds;
    }

    @Override
    public String backendId() {
        return backendId;
    }

    @Override
    public void close() {
        try {
            network.close();
        } finally {
            if (tokenizer != null) {
                tokenizer.close();
            }
        }
    }
}
