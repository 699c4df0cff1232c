package dev.unicorn.chattemplate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * Engine semantics against jinja2: every case in fixtures/chat-templates/engine/cases.json was rendered by
 * tools/reference/make_chat_fixtures.py with jinja2 set up as transformers sets it up.
 */
class EngineTest {

    @TestFactory
    Stream<DynamicTest> matchesJinja2() throws IOException {
        List<Map<String, Object>> cases = new ObjectMapper().readValue(
                Fixtures.root().resolve("engine/cases.json").toFile(), new TypeReference<>() { });
        return cases.stream().map(c -> DynamicTest.dynamicTest((String) c.get("name"), () -> {
            @SuppressWarnings("unchecked")
            Map<String, Object> variables = (Map<String, Object>) c.get("variables");
            String template = (String) c.get("template");
            if (c.containsKey("error")) {
                IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                        () -> new JinjaChatTemplate(template, Map.of()).renderPlain(variables));
                assertEquals(c.get("error"), e.getMessage());
            } else {
                assertEquals(c.get("expected"), new JinjaChatTemplate(template, Map.of()).renderPlain(variables));
            }
        }));
    }
}
