package dev.unicorn.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * {@code ./unicorn render-chat} through the exported runtime prints exactly what transformers rendered
 * (fixtures/chat-templates/cases, written by tools/reference/make_chat_fixtures.py).
 */
class RenderChatCommandTest {
    static final Path TEMPLATES = RuntimeCommandsTest.ROOT.resolve("fixtures/chat-templates");

    @TempDir
    Path temp;

    private Path request(JsonNode c) throws Exception {
        Path file = temp.resolve("request.json");
        Files.writeString(file, new ObjectMapper().writeValueAsString(c.get("request")), StandardCharsets.UTF_8);
        return file;
    }

    @ParameterizedTest
    @ValueSource(strings = {"qwen3--multi-step-tool-reasoning", "qwen2.5--two-tool-calls-two-responses",
            "qwen2.5-vl--vision-ids", "gemma3--unicode-content", "gemma3n--audio-image-text"})
    void printsTheTransformersPromptExactly(String name) throws Exception {
        JsonNode c = new ObjectMapper().readTree(TEMPLATES.resolve("cases/" + name + ".json").toFile());
        var r = RuntimeCommandsTest.unicorn(null, "render-chat", "--model",
                TEMPLATES.resolve(c.get("model").asText()).toString(), "--request", request(c).toString());
        assertEquals(0, r.status(), r.err());
        assertEquals(c.get("expected").asText(), r.out());
    }

    @Test
    void templateErrorExitsOneWithItsMessage() throws Exception {
        JsonNode c = new ObjectMapper().readTree(TEMPLATES.resolve("cases/gemma3--error-roles-alternate.json")
                .toFile());
        var r = RuntimeCommandsTest.unicorn(null, "render-chat", "--model", TEMPLATES.resolve("gemma3").toString(),
                "--request", request(c).toString());
        assertEquals(1, r.status(), r.err());
        assertTrue(r.err().contains("error: " + c.get("error").asText() + "\n"), r.err());
        assertEquals("", r.out());
    }

    @Test
    void badRequestFileExitsTwoNamingIt() throws Exception {
        Path file = temp.resolve("broken.json");
        Files.writeString(file, "{\"messages\": {\"role\": \"user\"}}");
        var r = RuntimeCommandsTest.unicorn(null, "render-chat", "--model", TEMPLATES.resolve("qwen3").toString(),
                "--request", file.toString());
        assertEquals(2, r.status(), r.err());
        assertTrue(r.err().contains("error: " + file + ": \"messages\" must be a list of objects"), r.err());
    }
}
