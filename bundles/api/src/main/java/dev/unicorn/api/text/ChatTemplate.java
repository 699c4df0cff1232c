package dev.unicorn.api.text;

import java.util.List;
import java.util.Map;

import org.osgi.annotation.versioning.ProviderType;

/**
 * A model's chat template (Hugging Face Jinja), rendering a conversation into the prompt text the model was trained
 * on, exactly as transformers' {@code apply_chat_template} renders it.
 */
@ProviderType
public interface ChatTemplate {

    /**
     * Renders the conversation.
     *
     * @param messages  the messages as parsed JSON: {@code role}, {@code content} (a string or a list of parts such
     *                  as {@code {"type": "text", "text": ...}} and {@code {"type": "image"}}), {@code tool_calls}, ...
     * @param variables further template variables: {@code add_generation_prompt}, {@code tools},
     *                  {@code enable_thinking}, ...; the model's special tokens ({@code bos_token},
     *                  {@code eos_token}, ...) are provided by the template unless given here
     * @throws IllegalArgumentException with the template's own message when the template raises or is malformed
     */
    String render(List<Map<String, Object>> messages, Map<String, Object> variables);
}
