package dev.unicorn.chattemplate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

import com.fasterxml.jackson.databind.ObjectMapper;

import dev.unicorn.api.text.ChatTemplate;

/**
 * The real Gemma 3, Gemma 3n, Qwen2.5, Qwen2.5-VL and Qwen3 templates, opened through the provider from
 * fixtures/chat-templates/&lt;model&gt;/, must render every request in fixtures/chat-templates/cases/ byte for byte as
 * transformers (jinja2) did, or fail with the same message.
 */
class RealTemplatesTest {

    @TestFactory
    Stream<DynamicTest> rendersAsTransformers() throws IOException {
        Path root = Fixtures.root();
        ObjectMapper json = new ObjectMapper();
        List<Path> files;
        try (Stream<Path> s = Files.list(root.resolve("cases"))) {
            files = s.filter(p -> p.toString().endsWith(".json")).sorted().toList();
        }
        assertTrue(files.size() >= 60, "expected at least 60 cases, found " + files.size());
        HfChatTemplateProvider provider = new HfChatTemplateProvider();
        Map<String, ChatTemplate> templates = new LinkedHashMap<>();
        List<DynamicTest> tests = new ArrayList<>();
        for (Path file : files) {
            @SuppressWarnings("unchecked")
            Map<String, Object> c = json.readValue(file.toFile(), Map.class);
            tests.add(DynamicTest.dynamicTest(file.getFileName().toString(), () -> {
                String model = (String) c.get("model");
                ChatTemplate template = templates.computeIfAbsent(model,
                        m -> provider.open(root.resolve(m), Map.of()).orElseThrow());
                @SuppressWarnings("unchecked")
                Map<String, Object> request = new LinkedHashMap<>((Map<String, Object>) c.get("request"));
                @SuppressWarnings("unchecked")
                List<Map<String, Object>> messages = (List<Map<String, Object>>) request.remove("messages");
                if (c.containsKey("error")) {
                    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                            () -> template.render(messages, request));
                    assertEquals(c.get("error"), e.getMessage());
                } else {
                    assertEquals(c.get("expected"), template.render(messages, request));
                }
            }));
        }
        return tests.stream();
    }
}
