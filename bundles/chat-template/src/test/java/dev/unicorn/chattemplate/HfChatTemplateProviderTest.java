package dev.unicorn.chattemplate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.unicorn.api.text.ChatTemplate;

/** Where the provider finds a template and its special tokens, in transformers' order. */
class HfChatTemplateProviderTest {
    private static final String SHOW = "{{ bos_token }}|{{ eos_token }}|{{ unk_token }}|{{ pad_token }}|"
            + "{{ messages[0].content }}";
    private static final List<Map<String, Object>> HI = List.of(Map.of("role", "user", "content", "hi"));

    @TempDir
    Path dir;

    private final HfChatTemplateProvider provider = new HfChatTemplateProvider();

    private String render(Path location, Map<String, Object> metadata) {
        ChatTemplate t = provider.open(location, metadata).orElseThrow();
        return t.render(HI, Map.of());
    }

    private static String json(String s) {
        return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }

    @Test
    void jinjaFileWinsOverJsonAndConfig() throws IOException {
        Files.writeString(dir.resolve("tokenizer_config.json"), "{\"bos_token\": \"<s>\", \"eos_token\": "
                + "{\"content\": \"</s>\", \"lstrip\": false}, \"unk_token\": null, \"chat_template\": \"config\"}");
        Files.writeString(dir.resolve("chat_template.json"), "{\"chat_template\": \"json\"}");
        Files.writeString(dir.resolve("chat_template.jinja"), SHOW + "\n");
        assertEquals("<s>|</s>|||hi", render(dir, Map.of()));
        Files.delete(dir.resolve("chat_template.jinja"));
        assertEquals("json", render(dir, Map.of()));
        Files.delete(dir.resolve("chat_template.json"));
        assertEquals("config", render(dir, Map.of()));
    }

    @Test
    void namedTemplatesUseDefault() throws IOException {
        Files.writeString(dir.resolve("tokenizer_config.json"), "{\"chat_template\": [{\"name\": \"tool_use\", "
                + "\"template\": \"tools\"}, {\"name\": \"default\", \"template\": " + json(SHOW) + "}], "
                + "\"pad_token\": \"<pad>\"}");
        assertEquals("|||<pad>|hi", render(dir, Map.of()));
    }

    @Test
    void namedTemplatesWithoutDefaultAreAnError() throws IOException {
        Files.writeString(dir.resolve("tokenizer_config.json"),
                "{\"chat_template\": [{\"name\": \"tool_use\", \"template\": \"x\"}]}");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> provider.open(dir, Map.of()));
        assertTrue(e.getMessage().contains("tokenizer_config.json"), e.getMessage());
    }

    @Test
    void noTemplateIsEmpty() throws IOException {
        Files.writeString(dir.resolve("tokenizer_config.json"), "{\"bos_token\": \"<s>\"}");
        assertTrue(provider.open(dir, Map.of()).isEmpty());
        assertTrue(provider.open(dir.resolve("model.gguf"), Map.of()).isEmpty());
    }

    @Test
    void malformedTemplateNamesTheFile() throws IOException {
        Files.writeString(dir.resolve("chat_template.jinja"), "{% if x %}never closed");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> provider.open(dir, Map.of()));
        assertTrue(e.getMessage().startsWith(dir.resolve("chat_template.jinja").toString()), e.getMessage());
    }

    @Test
    void ggufMetadataGivesTemplateAndTokens() {
        Map<String, Object> metadata = Map.of("tokenizer.chat_template", SHOW,
                "tokenizer.ggml.tokens", List.of("<unk>", "<s>", "</s>", "a"),
                "tokenizer.ggml.bos_token_id", 1L, "tokenizer.ggml.eos_token_id", 2,
                "tokenizer.ggml.unknown_token_id", 0, "tokenizer.ggml.padding_token_id", 99);
        assertEquals("<s>|</s>|<unk>||hi", render(dir.resolve("model.gguf"), metadata));
    }

    @Test
    void templateRaisingIsIllegalArgumentWithItsMessage() throws IOException {
        Files.writeString(dir.resolve("chat_template.jinja"), "{{ raise_exception('no system role, please') }}");
        ChatTemplate t = provider.open(dir, Map.of()).orElseThrow();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> t.render(HI, Map.of()));
        assertEquals("no system role, please", e.getMessage());
    }

    @Test
    void variablesOverrideSpecialTokensAndDefaults() throws IOException {
        Files.writeString(dir.resolve("chat_template.jinja"),
                "{{ bos_token }}{{ add_generation_prompt }}{{ tools }}{{ documents }}{{ extra }}");
        Files.writeString(dir.resolve("tokenizer_config.json"), "{\"bos_token\": \"<s>\"}");
        ChatTemplate t = provider.open(dir, Map.of()).orElseThrow();
        assertEquals("<s>FalseNoneNone", t.render(HI, Map.of()));
        assertEquals("[B]True[1, 2.5]None{'k': 'v'}", t.render(HI, Map.of("bos_token", "[B]",
                "add_generation_prompt", true, "tools", List.of(1, 2.5), "extra", Map.of("k", "v"))));
    }
}
