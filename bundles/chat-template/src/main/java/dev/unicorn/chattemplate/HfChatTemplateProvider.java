package dev.unicorn.chattemplate;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.osgi.service.component.annotations.Component;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.unicorn.api.text.ChatTemplate;
import dev.unicorn.api.text.ChatTemplateProvider;

/**
 * Opens a model's chat template where transformers looks for it: in a Hugging Face folder {@code chat_template.jinja},
 * then {@code chat_template.json}, then {@code tokenizer_config.json}'s {@code chat_template} (a string, or named
 * templates of which {@code default} is used); for a GGUF file, the {@code tokenizer.chat_template} metadata. The
 * special tokens come from {@code tokenizer_config.json}, or from the GGUF vocabulary and its special token ids.
 */
@Component(service = ChatTemplateProvider.class)
public final class HfChatTemplateProvider implements ChatTemplateProvider {
    private static final String[] TOKENS = {"bos_token", "eos_token", "unk_token", "pad_token"};
    private static final String[] GGUF_IDS = {"tokenizer.ggml.bos_token_id", "tokenizer.ggml.eos_token_id",
            "tokenizer.ggml.unknown_token_id", "tokenizer.ggml.padding_token_id"};

    private final ObjectMapper json = new ObjectMapper();

    @Override
    public Optional<ChatTemplate> open(Path location, Map<String, Object> metadata) {
        if (Files.isDirectory(location)) {
            return openFolder(location, metadata);
        }
        Object template = metadata.get("tokenizer.chat_template");
        if (template instanceof String source) {
            return Optional.of(compile(source, ggufTokens(metadata), location + " (tokenizer.chat_template)"));
        }
        return builtin(metadata).map(source -> compile(source, ggufTokens(metadata),
                "the built-in " + metadata.get("general.architecture") + " template (" + location + " has none)"));
    }

    /**
     * The model family's published template for a GGUF file that carries none (as the default Gemma 3 270M file):
     * llama.cpp likewise falls back to built-in templates. Copied from the families' tokenizer_config.json files.
     */
    private static Optional<String> builtin(Map<String, Object> metadata) {
        if (!(metadata.get("general.architecture") instanceof String arch) || !arch.matches("[a-z0-9]+")) {
            return Optional.empty();
        }
        try (var in = HfChatTemplateProvider.class.getResourceAsStream("builtin/" + arch + ".jinja")) {
            return in == null ? Optional.empty()
                    : Optional.of(new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8));
        } catch (java.io.IOException e) {
            throw new IllegalStateException("cannot read the built-in " + arch + " template", e);
        }
    }

    private Optional<ChatTemplate> openFolder(Path dir, Map<String, Object> metadata) {
        Path config = dir.resolve("tokenizer_config.json");
        JsonNode tokenizerConfig = Files.isRegularFile(config) ? read(config) : null;
        Map<String, String> tokens = tokenizerConfig == null ? ggufTokens(metadata) : configTokens(tokenizerConfig);
        Path jinja = dir.resolve("chat_template.jinja");
        if (Files.isRegularFile(jinja)) {
            try {
                return Optional.of(compile(Files.readString(jinja, StandardCharsets.UTF_8), tokens, jinja.toString()));
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read " + jinja, e);
            }
        }
        Path chatJson = dir.resolve("chat_template.json");
        if (Files.isRegularFile(chatJson)) {
            JsonNode t = read(chatJson).get("chat_template");
            if (t == null || !t.isTextual()) {
                throw new IllegalArgumentException(chatJson + ": expected a string \"chat_template\"");
            }
            return Optional.of(compile(t.asText(), tokens, chatJson.toString()));
        }
        if (tokenizerConfig != null && tokenizerConfig.hasNonNull("chat_template")) {
            JsonNode t = tokenizerConfig.get("chat_template");
            if (t.isTextual()) {
                return Optional.of(compile(t.asText(), tokens, config.toString()));
            }
            if (t.isArray()) {
                for (JsonNode named : t) {
                    if ("default".equals(named.path("name").asText(null)) && named.path("template").isTextual()) {
                        return Optional.of(compile(named.get("template").asText(), tokens, config + " (default)"));
                    }
                }
                throw new IllegalArgumentException(config + ": chat_template lists named templates but none is "
                        + "named \"default\"");
            }
            throw new IllegalArgumentException(config + ": chat_template must be a string or a list of "
                    + "{name, template}, got " + t.getNodeType());
        }
        if (metadata.get("tokenizer.chat_template") instanceof String source) {
            return Optional.of(compile(source, tokens, dir + " (tokenizer.chat_template)"));
        }
        return Optional.empty();
    }

    private static ChatTemplate compile(String source, Map<String, String> tokens, String origin) {
        try {
            return new JinjaChatTemplate(source, tokens);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(origin + ": chat template does not parse: " + e.getMessage(), e);
        }
    }

    private JsonNode read(Path file) {
        try {
            return json.readTree(file.toFile());
        } catch (IOException e) {
            throw new IllegalArgumentException(file + ": not valid JSON: " + e.getMessage(), e);
        }
    }

    private static Map<String, String> configTokens(JsonNode config) {
        Map<String, String> tokens = new LinkedHashMap<>();
        for (String key : TOKENS) {
            JsonNode v = config.get(key);
            if (v != null && v.isTextual()) {
                tokens.put(key, v.asText());
            } else if (v != null && v.isObject() && v.path("content").isTextual()) {
                tokens.put(key, v.get("content").asText());
            }
        }
        return tokens;
    }

    private static Map<String, String> ggufTokens(Map<String, Object> metadata) {
        Map<String, String> tokens = new LinkedHashMap<>();
        Object vocabulary = metadata.get("tokenizer.ggml.tokens");
        List<?> vocab = vocabulary instanceof List<?> l ? l : vocabulary instanceof Object[] a ? List.of(a) : null;
        if (vocab == null) {
            return tokens;
        }
        for (int i = 0; i < TOKENS.length; i++) {
            if (metadata.get(GGUF_IDS[i]) instanceof Number id && id.longValue() >= 0 && id.longValue() < vocab.size()) {
                tokens.put(TOKENS[i], String.valueOf(vocab.get((int) id.longValue())));
            }
        }
        return tokens;
    }
}
