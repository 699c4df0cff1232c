package dev.unicorn.tests.clients;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.core.JsonValue;
import com.openai.core.http.StreamResponse;
import com.openai.errors.BadRequestException;
import com.openai.errors.NotFoundException;
import com.openai.errors.UnauthorizedException;
import com.openai.models.FunctionDefinition;
import com.openai.models.FunctionParameters;
import com.openai.models.ResponseFormatJsonSchema;
import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletionChunk;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import com.openai.models.chat.completions.ChatCompletionFunctionTool;
import com.openai.models.chat.completions.ChatCompletionMessageFunctionToolCall;
import com.openai.models.chat.completions.ChatCompletionStreamOptions;
import com.openai.models.chat.completions.ChatCompletionToolChoiceOption;

/** The official OpenAI Java SDK ({@code com.openai:openai-java}) against {@code ./unicorn serve}, unchanged. */
class OpenAiJavaClientTest {
    static UnicornServer server;
    static OpenAIClient client;
    static final ObjectMapper JSON = new ObjectMapper();

    @BeforeAll
    static void start() throws Exception {
        server = UnicornServer.start();
        client = OpenAIOkHttpClient.builder().baseUrl(server.baseUrl()).apiKey(UnicornServer.API_KEY).maxRetries(0)
                .build();
    }

    @AfterAll
    static void stop() throws Exception {
        if (client != null) {
            client.close();
        }
        if (server != null) {
            server.close();
        }
    }

    private static ChatCompletionCreateParams.Builder chat(String user, long maxTokens) {
        return ChatCompletionCreateParams.builder().model(server.modelId).addUserMessage(user)
                .maxCompletionTokens(maxTokens);
    }

    @Test
    void listsTheServedModel() {
        var ids = client.models().list().data().stream().map(m -> m.id()).toList();
        assertTrue(ids.contains(server.modelId), ids.toString());
    }

    @Test
    void plainAndStreamedChatGiveTheSameGreedyText() {
        ChatCompletion plain = client.chat().completions().create(chat("Name three colours.", 16).temperature(0.0)
                .build());
        String text = plain.choices().get(0).message().content().orElseThrow();
        assertFalse(text.isBlank());
        var usage = plain.usage().orElseThrow();
        assertTrue(usage.promptTokens() > 5, "prompt tokens " + usage.promptTokens());
        assertTrue(usage.completionTokens() >= 1 && usage.completionTokens() <= 16);
        assertEquals(usage.promptTokens() + usage.completionTokens(), usage.totalTokens());

        StringBuilder streamed = new StringBuilder();
        long[] streamedUsage = {-1};
        String[] finish = {null};
        try (StreamResponse<ChatCompletionChunk> stream = client.chat().completions().createStreaming(
                chat("Name three colours.", 16).temperature(0.0)
                        .streamOptions(ChatCompletionStreamOptions.builder().includeUsage(true).build()).build())) {
            stream.stream().forEach(chunk -> {
                for (var choice : chunk.choices()) {
                    choice.delta().content().ifPresent(streamed::append);
                    choice.finishReason().ifPresent(f -> finish[0] = f.asString());
                }
                chunk.usage().ifPresent(u -> streamedUsage[0] = u.completionTokens());
            });
        }
        assertEquals(text, streamed.toString());
        assertEquals(usage.completionTokens(), streamedUsage[0]);
        assertEquals(plain.choices().get(0).finishReason().asString(), finish[0]);
    }

    @Test
    void maxTokensEndsWithLength() {
        ChatCompletion c = client.chat().completions().create(chat("Count from one to fifty.", 4).temperature(0.0)
                .build());
        assertEquals("length", c.choices().get(0).finishReason().asString());
        assertEquals(4, c.usage().orElseThrow().completionTokens());
    }

    @Test
    void stopSequenceCutsTheText() {
        String full = client.chat().completions().create(chat("Write a sentence about the sea.", 24)
                .temperature(0.0).build()).choices().get(0).message().content().orElseThrow();
        // A stop string taken from the middle of the greedy answer: the answer must end right before it.
        int from = full.length() / 3;
        String stop = full.substring(from, Math.min(full.length(), from + 3));
        assertFalse(stop.isBlank(), "greedy answer too short to take a stop string from: '" + full + "'");
        ChatCompletion cut = client.chat().completions().create(chat("Write a sentence about the sea.", 24)
                .temperature(0.0).stop(stop).build());
        assertEquals(full.substring(0, full.indexOf(stop)), cut.choices().get(0).message().content().orElse(""));
        assertEquals("stop", cut.choices().get(0).finishReason().asString());
    }

    @Test
    void theSameSeedGivesTheSameSample() {
        var params = chat("Tell me a story.", 16).temperature(1.0).seed(1234).build();
        String a = client.chat().completions().create(params).choices().get(0).message().content().orElseThrow();
        String b = client.chat().completions().create(params).choices().get(0).message().content().orElseThrow();
        assertEquals(a, b);
    }

    @Test
    void requiredToolChoiceGivesAToolCall() throws Exception {
        FunctionParameters parameters = FunctionParameters.builder()
                .putAdditionalProperty("type", JsonValue.from("object"))
                .putAdditionalProperty("properties", JsonValue.from(Map.of("city", Map.of("type", "string"))))
                .putAdditionalProperty("required", JsonValue.from(List.of("city")))
                .putAdditionalProperty("additionalProperties", JsonValue.from(false)).build();
        ChatCompletion c = client.chat().completions().create(chat("What is the weather in Paris?", 40)
                .temperature(0.0)
                .addTool(ChatCompletionFunctionTool.builder().function(FunctionDefinition.builder()
                        .name("get_weather").description("Current weather of a city").parameters(parameters)
                        .build()).build())
                .toolChoice(ChatCompletionToolChoiceOption.Auto.REQUIRED).build());
        var choice = c.choices().get(0);
        assertEquals("tool_calls", choice.finishReason().asString());
        var calls = choice.message().toolCalls().orElseThrow();
        assertEquals(1, calls.size());
        ChatCompletionMessageFunctionToolCall call = calls.get(0).asFunction();
        assertEquals("get_weather", call.function().name());
        assertFalse(call.id().isBlank());
        JsonNode args = JSON.readTree(call.function().arguments());
        assertTrue(args.path("city").isTextual(), call.function().arguments());
    }

    @Test
    void jsonSchemaOutputIsValid() throws Exception {
        var schema = ResponseFormatJsonSchema.JsonSchema.Schema.builder()
                .putAdditionalProperty("type", JsonValue.from("object"))
                .putAdditionalProperty("properties", JsonValue.from(Map.of(
                        "city", Map.of("type", "string"),
                        "population", Map.of("type", "integer"),
                        "coastal", Map.of("type", "boolean"))))
                .putAdditionalProperty("required", JsonValue.from(List.of("city", "population", "coastal")))
                .putAdditionalProperty("additionalProperties", JsonValue.from(false)).build();
        ChatCompletion c = client.chat().completions().create(chat("Describe Lisbon as JSON.", 60).temperature(0.7)
                .seed(3).responseFormat(ResponseFormatJsonSchema.builder().jsonSchema(
                        ResponseFormatJsonSchema.JsonSchema.builder().name("city").schema(schema).strict(true)
                                .build()).build()).build());
        JsonNode value = JSON.readTree(c.choices().get(0).message().content().orElseThrow());
        assertTrue(value.path("city").isTextual(), value.toString());
        assertTrue(value.path("population").isIntegralNumber(), value.toString());
        assertTrue(value.path("coastal").isBoolean(), value.toString());
        assertEquals(3, value.size(), value.toString());
    }

    @Test
    void errorsArriveAsTheSdksExceptions() {
        var unknown = assertThrows(NotFoundException.class, () -> client.chat().completions().create(
                ChatCompletionCreateParams.builder().model("no-such-model").addUserMessage("hi").build()));
        assertEquals(404, unknown.statusCode());
        assertTrue(unknown.getMessage().contains("no-such-model"), unknown.getMessage());
        var bad = assertThrows(BadRequestException.class, () -> client.chat().completions().create(
                chat("hi", 4).temperature(-1.0).build()));
        assertTrue(bad.getMessage().contains("temperature"), bad.getMessage());
        OpenAIClient wrongKey = OpenAIOkHttpClient.builder().baseUrl(server.baseUrl()).apiKey("wrong")
                .maxRetries(0).build();
        try {
            assertThrows(UnauthorizedException.class, () -> wrongKey.chat().completions().create(chat("hi", 4)
                    .build()));
        } finally {
            wrongKey.close();
        }
        assertTrue(server.alive());
    }
}
