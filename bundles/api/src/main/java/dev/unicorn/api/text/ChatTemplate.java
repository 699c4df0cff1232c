package dev.unicorn.api.text;

import java.util.List;
import java.util.Map;

import org.osgi.annotation.versioning.ProviderType;

/** A model's chat template, rendering a conversation into the prompt text the model was trained on. */
@ProviderType
public interface ChatTemplate {

    /**
     * Renders the conversation.
     *
     * @param variables further template variables ({@code tools}, {@code enable_thinking}, ...)
     * @throws IllegalArgumentException with the template's own message when the template raises
     */
    String render(List<ChatMessage> messages, boolean addGenerationPrompt, Map<String, Object> variables);
}
