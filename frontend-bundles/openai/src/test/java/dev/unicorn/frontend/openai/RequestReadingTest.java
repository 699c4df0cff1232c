package dev.unicorn.frontend.openai;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.ObjectMapper;

/** The checks on request fields and command-line settings, without a model. */
class RequestReadingTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    private static JsonFields fields(String json) throws Exception {
        return new JsonFields(JSON.readTree(json), "");
    }

    private static ApiException error(String json, java.util.function.Consumer<JsonFields> read) {
        return assertThrows(ApiException.class, () -> read.accept(fields(json)));
    }

    @Test
    void samplingDefaultsAreOpenAis() throws Exception {
        SamplingOptions o = SamplingOptions.read(fields("{}"), -1, -1);
        assertEquals(1f, o.sampling().temperature());
        assertEquals(1f, o.sampling().topP());
        assertEquals(0, o.sampling().topK());
        assertEquals(1, o.n());
        assertEquals(List.of(), o.stop());
        SamplingOptions seeded = SamplingOptions.read(fields("{\"seed\": 5, \"n\": 3, \"stop\": \"x\"}"), 4, 2);
        assertEquals(5, seeded.samplingOf(0).seed());
        assertEquals(7, seeded.samplingOf(2).seed());
        assertEquals(List.of("x"), seeded.stop());
    }

    @Test
    void outOfRangeAndWrongTypesNameTheField() {
        record Case(String json, String param, String message) {
        }
        for (Case c : List.of(new Case("{\"temperature\": -1}", "temperature", "must be in [0, 2]"),
                new Case("{\"temperature\": \"1\"}", "temperature", "must be a number, got a string"),
                new Case("{\"top_p\": 0}", "top_p", "must be in (0, 1]"),
                new Case("{\"n\": 9}", "n", "must be in 1..8"),
                new Case("{\"n\": 1.5}", "n", "must be an integer"),
                new Case("{\"stop\": [\"a\",\"b\",\"c\",\"d\",\"e\"]}", "stop", "at most 4"),
                new Case("{\"stop\": [1]}", "stop", "stop[0] must be a string"),
                new Case("{\"stream\": \"yes\"}", "stream", "must be a boolean"),
                new Case("{\"stream_options\": {\"include_usage\": true}}", "stream_options", "only allowed with"))) {
            ApiException e = error(c.json(), f -> SamplingOptions.read(f, -1, -1));
            assertEquals(400, e.status, c.json());
            assertEquals(c.param(), e.param, c.json());
            assertTrue(e.getMessage().contains(c.message()), e.getMessage());
        }
    }

    @Test
    void messagesAreCheckedAndFlattenedForTheTemplate() throws Exception {
        List<Map<String, Object>> m = ChatMessages.read(fields("""
                {"messages": [
                  {"role": "developer", "content": "Be brief."},
                  {"role": "user", "content": [{"type": "text", "text": "a"}, {"type": "text", "text": "b"}]},
                  {"role": "assistant", "content": null, "tool_calls": [{"id": "c1", "type": "function",
                     "function": {"name": "f", "arguments": "{\\"x\\": 1}"}}]},
                  {"role": "tool", "tool_call_id": "c1", "content": "2"}]}"""));
        assertEquals("system", m.get(0).get("role"));
        assertEquals("a\nb", m.get(1).get("content"));
        assertNull(m.get(2).get("content"));
        @SuppressWarnings("unchecked")
        Map<String, Object> function = (Map<String, Object>) ((List<Map<String, Object>>) m.get(2).get("tool_calls"))
                .get(0).get("function");
        assertEquals(Map.of("x", 1), function.get("arguments"));
        assertEquals("c1", m.get(3).get("tool_call_id"));
    }

    @Test
    void badMessagesNameTheMessageAndField() {
        record Case(String json, String param) {
        }
        for (Case c : List.of(new Case("{\"messages\": []}", "messages"), new Case("{}", "messages"),
                new Case("{\"messages\": [{\"content\": \"x\"}]}", "messages[0].role"),
                new Case("{\"messages\": [{\"role\": \"king\", \"content\": \"x\"}]}", "messages[0].role"),
                new Case("{\"messages\": [{\"role\": \"user\", \"content\": 3}]}", "messages[0].content"),
                new Case("{\"messages\": [{\"role\": \"user\"}]}", "messages[0].content"),
                new Case("{\"messages\": [{\"role\": \"user\", \"content\": [{\"type\": \"image_url\", "
                        + "\"image_url\": {\"url\": \"http://x/y.png\"}}]}]}", "messages[0].content[0].type"),
                new Case("{\"messages\": [{\"role\": \"tool\", \"content\": \"x\"}]}", "messages[0].tool_call_id"),
                new Case("{\"messages\": [{\"role\": \"user\", \"content\": \"x\", \"mood\": 1}]}",
                        "messages[0].mood"))) {
            ApiException e = error(c.json(), ChatMessages::read);
            assertEquals(400, e.status, c.json());
            assertEquals(c.param(), e.param, c.json() + ": " + e.getMessage());
        }
    }

    @Test
    void toolChoiceMustNameADeclaredFunction() throws Exception {
        String tools = "\"tools\": [{\"type\": \"function\", \"function\": {\"name\": \"get_weather\", "
                + "\"parameters\": {\"type\": \"object\"}}}]";
        Tools named = Tools.read(fields("{" + tools + ", \"tool_choice\": {\"type\": \"function\", \"function\": "
                + "{\"name\": \"get_weather\"}}}"));
        assertTrue(named.forced());
        assertEquals(Map.of("get_weather", Map.of("type", "object")), named.forcedSchemas());
        assertTrue(Tools.read(fields("{" + tools + "}")).parsed());
        assertTrue(!Tools.read(fields("{" + tools + ", \"tool_choice\": \"none\"}")).rendered());
        ApiException e = error("{" + tools + ", \"tool_choice\": {\"type\": \"function\", \"function\": "
                + "{\"name\": \"launch\"}}}", Tools::read);
        assertEquals("tool_choice.function.name", e.param);
        assertTrue(e.getMessage().contains("launch"), e.getMessage());
        assertEquals("tool_choice", error("{\"tool_choice\": \"required\"}", Tools::read).param);
    }

    @Test
    void unknownFieldsAreRefusedByName() {
        ApiException e = error("{\"tempreature\": 1}", f -> f.checkNames(SamplingOptions.FIELDS, java.util.Set.of()));
        assertEquals("tempreature", e.param);
        assertTrue(e.getMessage().contains("unknown field 'tempreature'"), e.getMessage());
    }

    @Test
    void settingsComeFromTheCommandLine() {
        ServerSettings s = ServerSettings.parse(List.of("--port", "0", "--host=0.0.0.0", "--api-key", "k", "--cors",
                "http://a, http://b", "--max-body", "100", "--id", "m"), "/models/x.gguf");
        assertEquals(new ServerSettings(Path.of("/models/x.gguf"), "m", "0.0.0.0", 0, "k",
                List.of("http://a", "http://b"), 100), s);
        ServerSettings defaults = ServerSettings.parse(List.of(), "/models/x.gguf");
        assertEquals(8080, defaults.port());
        assertEquals("127.0.0.1", defaults.host());
        assertNull(defaults.apiKey());
        for (List<String> bad : List.of(List.of("--port", "70000"), List.of("--port", "x"), List.of("--max-body", "0"),
                List.of("--bogus", "1"), List.of("--port"), List.of("stray"))) {
            assertThrows(IllegalArgumentException.class, () -> ServerSettings.parse(bad, "/m.gguf"), bad.toString());
        }
        assertThrows(IllegalArgumentException.class, () -> ServerSettings.parse(List.of(), (String) null));
    }

    @Test
    void theCommandLineOverridesTheConfiguration() {
        ServerConfiguration configured = configuration("qwen", "0.0.0.0", 9000, "secret", "http://a,http://b", 1000);
        ServerSettings fromConfig = ServerSettings.parse(List.of(), ServerSettings.of(configured, "/default.gguf"));
        assertEquals(new ServerSettings(Path.of("qwen"), null, "0.0.0.0", 9000, "secret",
                List.of("http://a", "http://b"), 1000), fromConfig);
        ServerSettings overridden = ServerSettings.parse(List.of("--port", "9001", "--cors", "http://c", "--model",
                "/other.gguf"), ServerSettings.of(configured, "/default.gguf"));
        assertEquals(new ServerSettings(Path.of("/other.gguf"), null, "0.0.0.0", 9001, "secret", List.of("http://c"),
                1000), overridden);
        ServerSettings unset = ServerSettings.of(configuration("", "127.0.0.1", 8080, "", "", 8 << 20),
                "/default.gguf");
        assertEquals(Path.of("/default.gguf"), unset.model());
        assertNull(unset.apiKey());
        assertTrue(unset.corsOrigins().isEmpty());
    }

    private static ServerConfiguration configuration(String model, String host, int port, String key, String cors,
            long maxBody) {
        return new ServerConfiguration() {
            @Override
            public Class<? extends java.lang.annotation.Annotation> annotationType() {
                return ServerConfiguration.class;
            }

            @Override
            public String model() {
                return model;
            }

            @Override
            public String host() {
                return host;
            }

            @Override
            public int port() {
                return port;
            }

            @Override
            public String apiKey() {
                return key;
            }

            @Override
            public String corsOrigins() {
                return cors;
            }

            @Override
            public long maxBodyBytes() {
                return maxBody;
            }
        };
    }
}
