package dev.unicorn.engine.loader;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.Set;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.unicorn.api.model.ModelException;
import dev.unicorn.api.text.Tokenizer;

/**
 * The ids that end generation, as transformers finds them: {@code eos_token_id} of {@code generation_config.json}
 * (an id or a list), else of {@code config.json}, else the tokenizer's {@code eos_token}.
 */
final class StopTokens {
    private StopTokens() {
    }

    static Set<Integer> read(Path folder, Tokenizer tokenizer, java.util.Map<String, Object> metadata) {
        Set<Integer> ids = new LinkedHashSet<>();
        if (!java.nio.file.Files.isDirectory(folder)) {
            // GGUF: tokenizer.ggml.eos_token_id (and the end-of-turn id llama.cpp also stops at).
            for (String key : new String[] {"tokenizer.ggml.eos_token_id", "tokenizer.ggml.eot_token_id"}) {
                if (metadata.get(key) instanceof Number n) {
                    ids.add(n.intValue());
                }
            }
            return ids;
        }
        ObjectMapper json = new ObjectMapper();
        for (String name : new String[] {"generation_config.json", "config.json"}) {
            Path file = folder.resolve(name);
            if (Files.isRegularFile(file)) {
                collect(file, readTree(json, file).path("eos_token_id"), ids);
                if (!ids.isEmpty()) {
                    return ids;
                }
            }
        }
        Path tokenizerConfig = folder.resolve("tokenizer_config.json");
        if (tokenizer != null && Files.isRegularFile(tokenizerConfig)) {
            JsonNode eos = readTree(json, tokenizerConfig).path("eos_token");
            String token = eos.isTextual() ? eos.asText() : eos.path("content").asText(null);
            if (token != null) {
                tokenizer.tokenId(token).ifPresent(ids::add);
            }
        }
        return ids;
    }

    private static JsonNode readTree(ObjectMapper json, Path file) {
        try {
            return json.readTree(file.toFile());
        } catch (IOException e) {
            throw new ModelException(file + ": malformed JSON: " + e.getMessage(), e);
        }
    }

    private static void collect(Path file, JsonNode node, Set<Integer> ids) {
        if (node.isIntegralNumber()) {
            ids.add(node.asInt());
        } else if (node.isArray()) {
            for (JsonNode n : node) {
                if (!n.isIntegralNumber()) {
                    throw new ModelException(file + ": field 'eos_token_id' has " + n + "; expected integer ids");
                }
                ids.add(n.asInt());
            }
        } else if (!node.isMissingNode() && !node.isNull()) {
            throw new ModelException(file + ": field 'eos_token_id' is " + node + "; expected an id or a list of ids");
        }
    }
}
