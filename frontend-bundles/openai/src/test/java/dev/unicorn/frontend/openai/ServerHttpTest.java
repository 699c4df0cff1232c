package dev.unicorn.frontend.openai;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/** The HTTP layer on a real Jetty server over stand-in services (see {@link FakeRuntime}). */
class ServerHttpTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final FakeRuntime.FakeRegistry registry = new FakeRuntime.FakeRegistry();
    private final FakeRuntime.ScriptedGeneration generation = new FakeRuntime.ScriptedGeneration();
    private final FakeRuntime.RecordingStructuredOutput structured = new FakeRuntime.RecordingStructuredOutput();
    private volatile boolean structuredPresent = true;
    private OpenAiServer server;
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    @BeforeEach
    void start() throws Exception {
        ServerSettings settings = new ServerSettings(Path.of("/models/fake.gguf"), "fake", "127.0.0.1", 0, null,
                List.of(), 1 << 20);
        server = new OpenAiServer(settings, registry, generation, () -> structuredPresent ? structured : null);
        server.start();
    }

    @AfterEach
    void stop() {
        server.close();
    }

    private record Reply(int status, JsonNode json, String body) {
    }

    private Reply post(String path, String body) throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path))
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
        return new Reply(r.statusCode(), r.body().startsWith("{") ? JSON.readTree(r.body()) : null, r.body());
    }

    private static String chat(String extra) {
        return "{\"messages\": [{\"role\": \"user\", \"content\": \"Weather in Paris?\"}]" + extra + "}";
    }

    private static final String TOOLS = ", \"tools\": [{\"type\": \"function\", \"function\": {\"name\": \"get_weather\", "
            + "\"parameters\": {\"type\": \"object\", \"properties\": {\"city\": {\"type\": \"string\"}}}}}]";

    @Test
    void whileTheModelLoadsRequestsGet503ThenItServes() throws Exception {
        server.loading("fake", true);
        Reply loading = post("/v1/chat/completions", chat(""));
        assertEquals(503, loading.status(), loading.body());
        assertEquals("model_loading", loading.json().get("error").get("code").asText());
        registry.load("fake", Path.of("/models/fake.gguf"), null);
        server.loading("fake", false);
        Reply ok = post("/v1/chat/completions", chat(""));
        assertEquals(200, ok.status(), ok.body());
        assertEquals("Hello!", ok.json().get("choices").get(0).get("message").get("content").asText());
    }

    @Test
    void aFullQueueIs429AndTheNextRequestIsServed() throws Exception {
        registry.load("fake", Path.of("/models/fake.gguf"), null);
        generation.full = true;
        Reply busy = post("/v1/chat/completions", chat(""));
        assertEquals(429, busy.status(), busy.body());
        assertEquals("rate_limit_error", busy.json().get("error").get("type").asText());
        generation.full = false;
        assertEquals(200, post("/v1/chat/completions", chat("")).status());
    }

    @Test
    void responseFormatGoesThroughStructuredOutputOrIsNotAvailable() throws Exception {
        registry.load("fake", Path.of("/models/fake.gguf"), null);
        generation.answer = r -> "{\"a\": 1}";
        Reply object = post("/v1/chat/completions", chat(", \"response_format\": {\"type\": \"json_object\"}"));
        assertEquals(200, object.status(), object.body());
        assertEquals(List.of("json_object"), structured.asked);
        assertInstanceOf(FakeRuntime.Marker.class, generation.requests.getLast().constraint());
        Reply schema = post("/v1/chat/completions", chat(", \"response_format\": {\"type\": \"json_schema\", "
                + "\"json_schema\": {\"name\": \"a\", \"schema\": {\"type\": \"object\", \"required\": [\"a\"]}}}"));
        assertEquals(200, schema.status(), schema.body());
        assertEquals(Map.of("type", "object", "required", List.of("a")), structured.asked.getLast());
        Reply unsupported = post("/v1/chat/completions", chat(", \"response_format\": {\"type\": \"json_schema\", "
                + "\"json_schema\": {\"name\": \"a\", \"schema\": {\"unsupported\": true}}}"));
        assertEquals(400, unsupported.status());
        assertEquals("response_format.json_schema.schema", unsupported.json().get("error").get("param").asText());
        structuredPresent = false;
        Reply absent = post("/v1/chat/completions", chat(", \"response_format\": {\"type\": \"json_object\"}"));
        assertEquals(400, absent.status());
        assertTrue(absent.json().get("error").get("message").asText().contains("not available"), absent.body());
    }

    @Test
    void aNamedToolChoiceConstrainsTheOutputToThatCall() throws Exception {
        registry.load("fake", Path.of("/models/fake.gguf"), null);
        generation.answer = r -> "{\"name\": \"get_weather\", \"arguments\": {\"city\": \"Paris\"}}";
        Reply r = post("/v1/chat/completions", chat(TOOLS + ", \"tool_choice\": {\"type\": \"function\", "
                + "\"function\": {\"name\": \"get_weather\"}}"));
        assertEquals(200, r.status(), r.body());
        @SuppressWarnings("unchecked")
        Map<String, Object> schema = (Map<String, Object>) structured.asked.getLast();
        @SuppressWarnings("unchecked")
        Map<String, Object> properties = (Map<String, Object>) schema.get("properties");
        assertEquals(Map.of("type", "string", "enum", List.of("get_weather")), properties.get("name"));
        assertEquals(Map.of("type", "object", "properties", Map.of("city", Map.of("type", "string"))),
                properties.get("arguments"));
        JsonNode choice = r.json().get("choices").get(0);
        assertEquals("tool_calls", choice.get("finish_reason").asText());
        assertTrue(choice.get("message").get("content").isNull());
        JsonNode call = choice.get("message").get("tool_calls").get(0);
        assertEquals("function", call.get("type").asText());
        assertTrue(call.get("id").asText().startsWith("call_"));
        assertEquals("get_weather", call.get("function").get("name").asText());
        assertEquals(Map.of("city", "Paris"), JSON.readValue(call.get("function").get("arguments").asText(), Map.class));
    }

    @Test
    void aParametersSchemaTheServiceCannotEnforceLeavesTheArgumentsAnyObject() throws Exception {
        registry.load("fake", Path.of("/models/fake.gguf"), null);
        generation.answer = r -> "{\"name\": \"f\", \"arguments\": {}}";
        Reply r = post("/v1/chat/completions", chat(", \"tools\": [{\"type\": \"function\", \"function\": "
                + "{\"name\": \"f\", \"parameters\": {\"unsupported\": true}}}], \"tool_choice\": \"required\""));
        assertEquals(200, r.status(), r.body());
        @SuppressWarnings("unchecked")
        Map<String, Object> properties = (Map<String, Object>) ((Map<String, Object>) structured.asked.getLast())
                .get("properties");
        assertEquals(Map.of("type", "object"), properties.get("arguments"));
        assertEquals("tool_calls", r.json().get("choices").get(0).get("finish_reason").asText());
    }

    @Test
    void toolsReachTheTemplateAndHermesCallsAreParsedAlsoWhenStreaming() throws Exception {
        dev.unicorn.api.model.RegisteredModel m = registry.load("fake", Path.of("/models/fake.gguf"), null);
        generation.answer = r -> "Checking.<tool_call>{\"name\": \"get_weather\", \"arguments\": {\"city\": \"Oslo\"}}"
                + "</tool_call>";
        Reply r = post("/v1/chat/completions", chat(TOOLS));
        assertEquals(200, r.status(), r.body());
        var template = ((FakeRuntime.FakeModel) m.model()).template;
        assertEquals(true, template.variables.getLast().get("add_generation_prompt"));
        assertEquals("get_weather", ((Map<?, ?>) ((Map<?, ?>) ((List<?>) template.variables.getLast().get("tools"))
                .get(0)).get("function")).get("name"));
        assertNull(generation.requests.getLast().constraint(), "auto does not constrain");
        JsonNode message = r.json().get("choices").get(0).get("message");
        assertEquals("Checking.", message.get("content").asText());
        assertEquals("{\"city\":\"Oslo\"}", message.get("tool_calls").get(0).get("function").get("arguments").asText());
        Reply stream = post("/v1/chat/completions", chat(TOOLS + ", \"stream\": true"));
        assertEquals(200, stream.status());
        String finish = null;
        JsonNode calls = null;
        StringBuilder content = new StringBuilder();
        int contentChunksBeforeCall = 0;
        for (String block : stream.body().split("\n\n")) {
            String data = block.substring("data: ".length());
            if (data.equals("[DONE]")) {
                continue;
            }
            JsonNode c = JSON.readTree(data).get("choices").get(0);
            if (!c.get("delta").path("content").asText("").isEmpty() && calls == null) {
                content.append(c.get("delta").get("content").asText());
                contentChunksBeforeCall++;
            }
            if (c.get("delta").has("tool_calls")) {
                calls = c.get("delta").get("tool_calls");
            }
            if (!c.get("finish_reason").isNull()) {
                finish = c.get("finish_reason").asText();
            }
        }
        assertEquals("tool_calls", finish);
        assertEquals("Checking.", content.toString(), "the text before the call streams as it comes");
        assertEquals("Checking.".length(), contentChunksBeforeCall, "one chunk per token of text");
        assertEquals(0, calls.get(0).get("index").asInt());
        assertEquals("get_weather", calls.get(0).get("function").get("name").asText());
        Reply none = post("/v1/chat/completions", chat(TOOLS + ", \"tool_choice\": \"none\""));
        assertTrue(none.json().get("choices").get(0).get("message").get("content").asText().contains("<tool_call>"));
        assertFalse(template.variables.getLast().containsKey("tools"));
    }

    /** With tools, streamed text that only looked like a call's start still arrives whole, in order. */
    @Test
    void heldBackTextThatIsNoCallIsSentAsContent() throws Exception {
        registry.load("fake", Path.of("/models/fake.gguf"), null);
        for (String answer : List.of("a <tool b> <tool_c", "  {\"x\": 1}", "plain")) {
            generation.answer = r -> answer;
            Reply stream = post("/v1/chat/completions", chat(TOOLS + ", \"stream\": true"));
            StringBuilder content = new StringBuilder();
            String finish = null;
            for (String block : stream.body().split("\n\n")) {
                String data = block.substring("data: ".length());
                if (!data.equals("[DONE]")) {
                    JsonNode c = JSON.readTree(data).get("choices").get(0);
                    assertFalse(c.get("delta").has("tool_calls"), data);
                    content.append(c.get("delta").path("content").asText(""));
                    if (!c.get("finish_reason").isNull()) {
                        finish = c.get("finish_reason").asText();
                    }
                }
            }
            assertEquals(answer, content.toString());
            assertEquals("stop", finish);
        }
    }

    @Test
    void aModelWithoutChatTemplateServesCompletionsOnly() throws Exception {
        registry.load("notemplate", Path.of("/models/x.gguf"), null);
        Reply chat = post("/v1/chat/completions", "{\"model\": \"notemplate\", \"messages\": [{\"role\": \"user\", "
                + "\"content\": \"hi\"}]}");
        assertEquals(400, chat.status());
        assertTrue(chat.json().get("error").get("message").asText().contains("no chat template"), chat.body());
        Reply text = post("/v1/completions", "{\"model\": \"notemplate\", \"prompt\": \"hi\", \"max_tokens\": 3}");
        assertEquals(200, text.status(), text.body());
        assertEquals("Hel", text.json().get("choices").get(0).get("text").asText());
        assertEquals("length", text.json().get("choices").get(0).get("finish_reason").asText());
    }

    @Test
    void samplingParametersReachTheGenerationRequest() throws Exception {
        registry.load("fake", Path.of("/models/fake.gguf"), null);
        Reply r = post("/v1/chat/completions", chat(", \"temperature\": 0.5, \"top_p\": 0.9, \"top_k\": 7, "
                + "\"min_p\": 0.1, \"presence_penalty\": 0.5, \"frequency_penalty\": -0.5, \"repetition_penalty\": 1.1, "
                + "\"seed\": 42, \"n\": 2, \"max_completion_tokens\": 5, \"max_tokens\": 99, \"stop\": \"x\""));
        assertEquals(200, r.status(), r.body());
        var requests = generation.requests;
        assertEquals(2, requests.size());
        var s = requests.get(0).sampling();
        assertEquals(0.5f, s.temperature());
        assertEquals(0.9f, s.topP());
        assertEquals(7, s.topK());
        assertEquals(0.1f, s.minP());
        assertEquals(0.5f, s.presencePenalty());
        assertEquals(-0.5f, s.frequencyPenalty());
        assertEquals(1.1f, s.repetitionPenalty());
        assertEquals(42, s.seed());
        assertEquals(43, requests.get(1).sampling().seed());
        assertEquals(5, requests.get(0).maxTokens());
        assertEquals(List.of("x"), requests.get(0).stopStrings());
        assertEquals(-1, requests.get(0).topLogprobs());
    }
}
