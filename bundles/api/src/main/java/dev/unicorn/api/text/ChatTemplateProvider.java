package dev.unicorn.api.text;

import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

import org.osgi.annotation.versioning.ConsumerType;

/**
 * A service that opens the chat template stored with a model: {@code chat_template.jinja},
 * {@code chat_template.json} or {@code tokenizer_config.json}'s {@code chat_template} in a Hugging Face folder, or
 * {@code tokenizer.chat_template} in a GGUF file.
 */
@ConsumerType
public interface ChatTemplateProvider {

    /**
     * Opens the template of the model at {@code location}, or returns empty when this provider finds none there.
     *
     * @param metadata the metadata of the model's weights ({@code tokenizer.chat_template} and the special token
     *                 ids of a GGUF file); empty for a Hugging Face folder
     * @throws IllegalArgumentException naming the file when a template is present but cannot be parsed
     */
    Optional<ChatTemplate> open(Path location, Map<String, Object> metadata);
}
