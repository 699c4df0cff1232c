package dev.unicorn.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.unicorn.api.generation.GenerationRequest;
import dev.unicorn.api.generation.GenerationResult;
import dev.unicorn.api.generation.SamplingParameters;
import dev.unicorn.api.generation.TokenConstraint;
import dev.unicorn.api.model.Model;
import dev.unicorn.engine.generation.DefaultGenerationService;

/**
 * Schemas for the structured-output tests of real models, and their validity checked field by field with Jackson
 * (independently of the matcher that constrained the output).
 */
public final class StructuredOutputChecks {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final DefaultGenerationService GENERATION = new DefaultGenerationService();

    public static final String PERSON = """
            {"type":"object","properties":{"name":{"type":"string"},"age":{"type":"integer"},
             "tags":{"type":"array","items":{"enum":["a","b"]}}},
             "required":["name","age","tags"],"additionalProperties":false}""";

    /** PERSON with at most three tags: random-weight models prefer ',' to ']'. */
    public static final String SHORT_PERSON = PERSON.replace("\"enum\":[\"a\",\"b\"]}",
            "\"enum\":[\"a\",\"b\"]},\"maxItems\":3");

    /** A forced call of one of two tools. */
    public static final String TOOLS = """
            {"anyOf":[
              {"type":"object","properties":{"name":{"const":"get_weather"},"arguments":{"type":"object",
                "properties":{"city":{"type":"string"},"unit":{"enum":["celsius","fahrenheit"]}},
                "required":["city","unit"],"additionalProperties":false}},
               "required":["name","arguments"],"additionalProperties":false},
              {"type":"object","properties":{"name":{"const":"add"},"arguments":{"type":"object",
                "properties":{"a":{"type":"number"},"b":{"type":"number"}},
                "required":["a","b"],"additionalProperties":false}},
               "required":["name","arguments"],"additionalProperties":false}]}""";

    private StructuredOutputChecks() {
    }

    @SuppressWarnings("unchecked")
    public static Map<String, Object> schema(String json) {
        try {
            return JSON.readValue(json, Map.class);
        } catch (java.io.IOException e) {
            throw new IllegalArgumentException(e);
        }
    }

    public static JsonNode parse(String text) {
        try {
            return JSON.readTree(text);
        } catch (java.io.IOException e) {
            throw new AssertionError("not JSON: " + text, e);
        }
    }

    /** Samples at temperature 1 with {@code seed} under {@code constraint}. */
    public static GenerationResult sample(Model model, int[] prompt, TokenConstraint constraint, long seed,
            int maxTokens) throws Exception {
        SamplingParameters sampling = new SamplingParameters(1f, 0, 1f, 0f, 1f, 0f, 0f, seed);
        GenerationRequest request = new GenerationRequest(prompt, maxTokens, sampling, List.of(), false, -1,
                constraint);
        return GENERATION.generate(model, request, (id, text) -> { }).result().toCompletableFuture()
                .get(300, TimeUnit.SECONDS);
    }

    private static Set<String> fields(JsonNode object) {
        Set<String> names = new TreeSet<>();
        object.fieldNames().forEachRemaining(names::add);
        return names;
    }

    /** Valid against PERSON (and SHORT_PERSON when {@code maxTags} is 3). */
    public static void assertPerson(String text, int maxTags) {
        JsonNode v = parse(text);
        assertTrue(v.isObject(), text);
        assertEquals(Set.of("age", "name", "tags"), fields(v), text);
        assertTrue(v.get("name").isTextual(), text);
        assertTrue(v.get("age").isIntegralNumber(), text);
        assertTrue(v.get("tags").isArray() && v.get("tags").size() <= maxTags, text);
        for (JsonNode tag : v.get("tags")) {
            assertTrue(tag.isTextual() && Set.of("a", "b").contains(tag.asText()), text);
        }
    }

    /** Valid against TOOLS. */
    public static void assertToolCall(String text) {
        JsonNode v = parse(text);
        assertTrue(v.isObject(), text);
        assertEquals(Set.of("arguments", "name"), fields(v), text);
        JsonNode args = v.get("arguments");
        assertTrue(args.isObject() && v.get("name").isTextual(), text);
        switch (v.get("name").asText()) {
            case "get_weather" -> {
                assertEquals(Set.of("city", "unit"), fields(args), text);
                assertTrue(args.get("city").isTextual(), text);
                assertTrue(args.get("unit").isTextual()
                        && Set.of("celsius", "fahrenheit").contains(args.get("unit").asText()), text);
            }
            case "add" -> {
                assertEquals(Set.of("a", "b"), fields(args), text);
                assertTrue(args.get("a").isNumber() && args.get("b").isNumber(), text);
            }
            default -> throw new AssertionError("unknown tool in " + text);
        }
    }
}
