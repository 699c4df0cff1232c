package dev.unicorn.tests.clients;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.langchain4j.agent.tool.ToolExecutionRequest;
import dev.langchain4j.agent.tool.ToolSpecification;
import dev.langchain4j.data.message.UserMessage;
import dev.langchain4j.exception.LangChain4jException;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.request.ResponseFormat;
import dev.langchain4j.model.chat.request.ResponseFormatType;
import dev.langchain4j.model.chat.request.ToolChoice;
import dev.langchain4j.model.chat.request.json.JsonObjectSchema;
import dev.langchain4j.model.chat.request.json.JsonSchema;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.model.chat.response.StreamingChatResponseHandler;
import dev.langchain4j.model.openai.OpenAiChatModel;
import dev.langchain4j.model.openai.OpenAiStreamingChatModel;
import dev.langchain4j.model.output.FinishReason;

/** LangChain4j's OpenAI module ({@code langchain4j-open-ai}) against {@code ./unicorn serve}, unchanged. */
class LangChain4jClientTest {
    static UnicornServer server;
    static final ObjectMapper JSON = new ObjectMapper();

    @BeforeAll
    static void start() throws Exception {
        server = UnicornServer.start();
    }

    @AfterAll
    static void stop() throws Exception {
        if (server != null) {
            server.close();
        }
    }

    private static OpenAiChatModel.OpenAiChatModelBuilder model() {
        return OpenAiChatModel.builder().baseUrl(server.baseUrl()).apiKey(UnicornServer.API_KEY)
                .modelName(server.modelId).timeout(Duration.ofSeconds(120)).maxRetries(0);
    }

    @Test
    void plainAndStreamedChatAgree() throws Exception {
        ChatResponse plain = model().temperature(0.0).maxTokens(16).build()
                .chat(UserMessage.from("Name three colours."));
        String text = plain.aiMessage().text();
        assertFalse(text == null || text.isBlank());
        assertTrue(plain.tokenUsage().inputTokenCount() > 5);
        assertTrue(plain.tokenUsage().outputTokenCount() >= 1);

        OpenAiStreamingChatModel streaming = OpenAiStreamingChatModel.builder().baseUrl(server.baseUrl())
                .apiKey(UnicornServer.API_KEY).modelName(server.modelId).temperature(0.0).maxTokens(16)
                .timeout(Duration.ofSeconds(120)).build();
        StringBuilder partial = new StringBuilder();
        CompletableFuture<ChatResponse> done = new CompletableFuture<>();
        streaming.chat("Name three colours.", new StreamingChatResponseHandler() {
            @Override
            public void onPartialResponse(String token) {
                partial.append(token);
            }

            @Override
            public void onCompleteResponse(ChatResponse response) {
                done.complete(response);
            }

            @Override
            public void onError(Throwable error) {
                done.completeExceptionally(error);
            }
        });
        ChatResponse complete = done.get(120, TimeUnit.SECONDS);
        assertEquals(text, partial.toString());
        assertEquals(text, complete.aiMessage().text());
    }

    @Test
    void stopAndLength() {
        ChatResponse limited = model().temperature(0.0).maxTokens(3).build()
                .chat(UserMessage.from("Count from one to fifty."));
        assertEquals(FinishReason.LENGTH, limited.finishReason());
        assertEquals(3, limited.tokenUsage().outputTokenCount());
    }

    @Test
    void seedReproducesASample() {
        var m = model().temperature(1.0).seed(99).maxTokens(12).build();
        assertEquals(m.chat("Tell me a story."), m.chat("Tell me a story."));
    }

    @Test
    void requiredToolChoiceGivesAToolExecutionRequest() throws Exception {
        ToolSpecification weather = ToolSpecification.builder().name("get_weather")
                .description("Current weather of a city")
                .parameters(JsonObjectSchema.builder().addStringProperty("city").required("city").build()).build();
        ChatResponse r = model().temperature(0.0).maxTokens(40).build().chat(ChatRequest.builder()
                .messages(UserMessage.from("What is the weather in Paris?")).toolSpecifications(List.of(weather))
                .toolChoice(ToolChoice.REQUIRED).build());
        assertTrue(r.aiMessage().hasToolExecutionRequests(), String.valueOf(r.aiMessage()));
        ToolExecutionRequest call = r.aiMessage().toolExecutionRequests().get(0);
        assertEquals("get_weather", call.name());
        JsonNode args = JSON.readTree(call.arguments());
        assertTrue(args.path("city").isTextual(), call.arguments());
        assertEquals(FinishReason.TOOL_EXECUTION, r.finishReason());
    }

    @Test
    void jsonSchemaResponseFormat() throws Exception {
        JsonSchema schema = JsonSchema.builder().name("person").rootElement(JsonObjectSchema.builder()
                .addStringProperty("name").addIntegerProperty("age").required("name", "age")
                .additionalProperties(false).build()).build();
        ChatResponse r = model().temperature(0.7).seed(5).maxTokens(60).build().chat(ChatRequest.builder()
                .messages(UserMessage.from("Invent a person and describe them as JSON."))
                .responseFormat(ResponseFormat.builder().type(ResponseFormatType.JSON).jsonSchema(schema).build())
                .build());
        JsonNode value = JSON.readTree(r.aiMessage().text());
        assertTrue(value.path("name").isTextual(), value.toString());
        assertTrue(value.path("age").isIntegralNumber(), value.toString());
    }

    @Test
    void anUnknownModelIsAnError() {
        var e = assertThrows(LangChain4jException.class, () -> OpenAiChatModel.builder().baseUrl(server.baseUrl())
                .apiKey(UnicornServer.API_KEY).modelName("no-such-model").maxRetries(0).build().chat("hi"));
        assertTrue(e.getMessage().contains("no-such-model"), e.getMessage());
        assertTrue(server.alive());
    }
}
