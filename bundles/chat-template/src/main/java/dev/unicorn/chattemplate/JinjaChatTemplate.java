package dev.unicorn.chattemplate;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

import dev.unicorn.api.text.ChatTemplate;

/**
 * A Hugging Face chat template rendered as transformers' {@code apply_chat_template} renders it: jinja2 with
 * {@code trim_blocks} and {@code lstrip_blocks}, its {@code tojson}, {@code raise_exception} and
 * {@code strftime_now}; {@code tools}, {@code documents} are None and {@code add_generation_prompt} False unless
 * given.
 */
public final class JinjaChatTemplate implements ChatTemplate {
    private final List<Node> nodes;
    private final Map<String, Object> specialTokens;

    /**
     * @param source        the template text
     * @param specialTokens {@code bos_token}, {@code eos_token}, ... as the model's tokenizer defines them
     * @throws IllegalArgumentException when the template does not parse
     */
    public JinjaChatTemplate(String source, Map<String, String> specialTokens) {
        try {
            this.nodes = Parser.parse(source);
        } catch (TemplateException e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        }
        this.specialTokens = Map.copyOf(specialTokens);
    }

    /** Renders with only the given variables (no transformers defaults): the plain jinja2 behaviour. */
    public String renderPlain(Map<String, Object> variables) {
        Map<String, Object> context = new HashMap<>();
        variables.forEach((k, v) -> context.put(k, Py.normalize(v)));
        try {
            return new Interpreter(context).render(nodes);
        } catch (TemplateException e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        } catch (ArithmeticException | IndexOutOfBoundsException | ClassCastException e) {
            throw new IllegalArgumentException(e.toString(), e);
        }
    }

    @Override
    public String render(List<Map<String, Object>> messages, Map<String, Object> variables) {
        Map<String, Object> context = new HashMap<>(specialTokens);
        context.put("tools", null);
        context.put("documents", null);
        context.put("add_generation_prompt", false);
        context.putAll(variables);
        context.put("messages", messages);
        return renderPlain(context);
    }
}
