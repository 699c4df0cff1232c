package dev.unicorn.frontend.openai;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.function.Function;
import java.util.function.Supplier;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.unicorn.api.generation.FinishReason;
import dev.unicorn.api.generation.GenerationRequest;
import dev.unicorn.api.generation.GenerationResult;
import dev.unicorn.api.generation.GenerationService;
import dev.unicorn.api.generation.StructuredOutput;
import dev.unicorn.api.generation.TokenConstraint;
import dev.unicorn.api.generation.TokenLogprobs;
import dev.unicorn.api.model.Model;
import dev.unicorn.api.model.ModelLease;
import dev.unicorn.api.model.RegisteredModel;
import dev.unicorn.api.text.ChatTemplate;
import dev.unicorn.api.text.Tokenizer;

/** {@code POST /v1/chat/completions} and {@code POST /v1/completions}. */
final class Completions {
    private static final Set<String> CHAT_FIELDS = union(SamplingOptions.FIELDS, Set.of("messages", "logprobs",
            "top_logprobs", "max_completion_tokens", "tools", "tool_choice", "parallel_tool_calls", "response_format",
            "user", "store", "metadata", "service_tier"));
    private static final Set<String> CHAT_UNSUPPORTED = Set.of("logit_bias", "functions", "function_call", "audio",
            "modalities", "prediction", "web_search_options", "reasoning_effort");
    private static final Set<String> TEXT_FIELDS = union(SamplingOptions.FIELDS, Set.of("prompt", "logprobs", "echo",
            "best_of", "suffix", "user"));
    private static final Set<String> TEXT_UNSUPPORTED = Set.of("logit_bias");
    static final ObjectMapper JSON = new ObjectMapper();

    private final GenerationService generation;
    private final Function<JsonFields, ModelLease> models;
    private final Supplier<StructuredOutput> structuredOutput;

    /**
     * @param models holds the request's model for the request (throwing 404 or 503 when it is not there)
     * @param structuredOutput the structured-output service, or null while none is registered
     */
    Completions(GenerationService generation, Function<JsonFields, ModelLease> models,
            Supplier<StructuredOutput> structuredOutput) {
        this.generation = generation;
        this.models = models;
        this.structuredOutput = structuredOutput;
    }

    /** What differs between the two endpoints once the request is read. */
    private record Job(boolean chat, RegisteredModel model, int[] prompt, SamplingOptions options, int maxTokens,
            List<TokenConstraint> constraints, boolean toolCalls, Tokenizer tokenizer) {
    }

    void chat(JsonNode body, Responder out) throws IOException, InterruptedException {
        JsonFields f = new JsonFields(body, "");
        f.checkNames(CHAT_FIELDS, CHAT_UNSUPPORTED);
        List<Map<String, Object>> messages = ChatMessages.read(f);
        long maxTokens = f.has("max_completion_tokens") ? f.integer("max_completion_tokens", -1, 1, Integer.MAX_VALUE)
                : f.integer("max_tokens", -1, 1, Integer.MAX_VALUE);
        boolean logprobs = f.bool("logprobs", false);
        int top = (int) f.integer("top_logprobs", 0, 0, GenerationRequest.MAX_TOP_LOGPROBS);
        if (f.has("top_logprobs") && !logprobs) {
            throw ApiException.invalid("top_logprobs", "top_logprobs needs \"logprobs\": true");
        }
        SamplingOptions options = SamplingOptions.read(f, maxTokens, logprobs ? top : -1);
        f.bool("parallel_tool_calls", true);
        f.string("user", null);
        f.bool("store", false);
        f.string("service_tier", null);
        if (f.has("metadata")) {
            f.object("metadata");
        }
        Tools tools = Tools.read(f);
        JsonFields format = f.object("response_format");
        try (ModelLease lease = models.apply(f)) {
            chat(lease.model(), messages, options, tools, format, out);
        }
    }

    private void chat(RegisteredModel registered, List<Map<String, Object>> messages, SamplingOptions options,
            Tools tools, JsonFields format, Responder out) throws IOException, InterruptedException {
        Model model = registered.model();
        ChatTemplate template = model.chatTemplate().orElseThrow(() -> ApiException.invalid("messages", "model '"
                + registered.id() + "' has no chat template; use /v1/completions"));
        Tokenizer tokenizer = tokenizer(registered);
        Map<String, Object> variables = new LinkedHashMap<>();
        variables.put("add_generation_prompt", true);
        if (tools.rendered()) {
            variables.put("tools", tools.definitions());
        }
        String prompt;
        try {
            prompt = template.render(messages, variables);
        } catch (IllegalArgumentException e) {
            if (!ChatMessages.hasToolTurns(messages)) {
                throw ApiException.invalid("messages", "the chat template of '" + registered.id() + "' rejected the "
                        + "messages: " + e.getMessage());
            }
            // A template without tool turns (Gemma 3's): the calls and results go in as text of ordinary turns.
            try {
                prompt = template.render(ChatMessages.withToolTurnsAsText(messages), variables);
            } catch (IllegalArgumentException again) {
                throw ApiException.invalid("messages", "the chat template of '" + registered.id() + "' rejected the "
                        + "messages: " + e.getMessage());
            }
        }
        int[] ids = tokenizer.encode(prompt, false);
        int max = fit(registered, ids.length, options.maxTokens(), "messages");
        List<TokenConstraint> constraints = new ArrayList<>();
        for (int i = 0; i < options.n(); i++) {
            TokenConstraint c = tools.forced() ? toolConstraint(model, tools, format) : responseFormat(model, format);
            if (c == null) {
                break;
            }
            constraints.add(c);
        }
        run(new Job(true, registered, ids, options, max, constraints, tools.parsed(), tokenizer), out);
    }

    void text(JsonNode body, Responder out) throws IOException, InterruptedException {
        JsonFields f = new JsonFields(body, "");
        f.checkNames(TEXT_FIELDS, TEXT_UNSUPPORTED);
        long maxTokens = f.integer("max_tokens", 16, 1, Integer.MAX_VALUE);
        int top = (int) f.integer("logprobs", -1, 0, GenerationRequest.MAX_TOP_LOGPROBS);
        SamplingOptions options = SamplingOptions.read(f, maxTokens, top);
        if (f.bool("echo", false)) {
            throw ApiException.invalid("echo", "echo is not supported by this server");
        }
        if (f.has("suffix")) {
            throw ApiException.invalid("suffix", "suffix is not supported by this server");
        }
        long bestOf = f.integer("best_of", options.n(), 1, SamplingOptions.MAX_N);
        if (bestOf != options.n()) {
            throw ApiException.invalid("best_of", "best_of must equal n (" + options.n() + "), got " + bestOf);
        }
        f.string("user", null);
        JsonNode prompt = f.get("prompt");
        if (prompt == null) {
            throw ApiException.invalid("prompt", "prompt is required: a string or an array of token ids");
        }
        try (ModelLease lease = models.apply(f)) {
            text(lease.model(), prompt, options, f, out);
        }
    }

    private void text(RegisteredModel registered, JsonNode prompt, SamplingOptions options, JsonFields f,
            Responder out) throws IOException, InterruptedException {
        int[] ids;
        if (prompt.isTextual()) {
            if (prompt.textValue().isEmpty()) {
                throw ApiException.invalid("prompt", "prompt must not be empty");
            }
            ids = tokenizer(registered).encode(prompt.textValue(), true);
        } else if (prompt.isArray() && prompt.size() > 0 && prompt.get(0).isIntegralNumber()) {
            ids = new int[prompt.size()];
            int vocab = registered.model().network().info().vocabularySize();
            for (int i = 0; i < ids.length; i++) {
                JsonNode id = prompt.get(i);
                if (!id.isIntegralNumber() || !id.canConvertToInt() || id.intValue() < 0 || id.intValue() >= vocab) {
                    throw ApiException.invalid("prompt", "prompt[" + i + "] must be a token id in [0, " + vocab
                            + "), got " + id);
                }
                ids[i] = id.intValue();
            }
        } else if (prompt.isArray() && prompt.size() == 0) {
            throw ApiException.invalid("prompt", "prompt must not be empty");
        } else if (prompt.isArray()) {
            throw ApiException.invalid("prompt", "prompt must be a string or an array of token ids (batches of "
                    + "prompts are not supported), got an array holding " + JsonFields.kind(prompt.get(0)));
        } else {
            throw f.wrongType("prompt", "a string or an array of token ids", prompt);
        }
        int max = fit(registered, ids.length, options.maxTokens(), "prompt");
        Tokenizer tokenizer = registered.model().tokenizer().orElse(null);
        run(new Job(false, registered, ids, options, max, List.of(), false, tokenizer), out);
    }

    private static Tokenizer tokenizer(RegisteredModel registered) {
        return registered.model().tokenizer().orElseThrow(() -> ApiException.invalid("model", "model '"
                + registered.id() + "' has no tokenizer to encode text"));
    }

    /** The token budget: {@code maxTokens} (or the rest of the context when -1), refused when it does not fit. */
    private static int fit(RegisteredModel registered, int promptTokens, int maxTokens, String promptParam) {
        int context = registered.model().network().info().contextLength();
        if (promptTokens >= context) {
            throw ApiException.tooLarge(promptParam, "the prompt has " + promptTokens + " tokens; the context of '"
                    + registered.id() + "' is " + context + " tokens");
        }
        if (maxTokens < 0) {
            return context - promptTokens;
        }
        if ((long) promptTokens + maxTokens > context) {
            throw ApiException.tooLarge("max_tokens", "the prompt (" + promptTokens + " tokens) and max_tokens ("
                    + maxTokens + ") exceed the context of '" + registered.id() + "' (" + context + " tokens)");
        }
        return maxTokens;
    }

    private StructuredOutput structured(String param, String what) {
        StructuredOutput s = structuredOutput.get();
        if (s == null) {
            throw ApiException.invalid(param, what + " is not available: this runtime has no structured-output "
                    + "service");
        }
        return s;
    }

    /** The constraint {@code response_format} asks for, or null for plain text. */
    private TokenConstraint responseFormat(Model model, JsonFields format) {
        if (format == null) {
            return null;
        }
        format.checkNames(Set.of("type", "json_schema"), Set.of());
        String type = format.requiredString("type");
        switch (type) {
            case "text":
                return null;
            case "json_object":
                return structured("response_format", "response_format json_object").jsonObject(model);
            case "json_schema": {
                JsonFields spec = format.object("json_schema");
                if (spec == null) {
                    throw ApiException.invalid("response_format.json_schema", "response_format.json_schema is required "
                            + "when type is json_schema");
                }
                spec.checkNames(Set.of("name", "schema", "strict", "description"), Set.of());
                spec.string("name", null);
                spec.string("description", null);
                spec.bool("strict", false);
                JsonFields schema = spec.object("schema");
                if (schema == null) {
                    throw ApiException.invalid("response_format.json_schema.schema",
                            "response_format.json_schema.schema is required");
                }
                StructuredOutput s = structured("response_format", "response_format json_schema");
                try {
                    @SuppressWarnings("unchecked")
                    Map<String, Object> map = JSON.convertValue(spec.get("schema"), Map.class);
                    return s.jsonSchema(model, map);
                } catch (IllegalArgumentException e) {
                    throw ApiException.invalid("response_format.json_schema.schema",
                            "response_format.json_schema.schema: " + e.getMessage());
                }
            }
            default:
                throw ApiException.invalid("response_format.type", "response_format.type must be text, json_object or "
                        + "json_schema, got '" + type + "'");
        }
    }

    private TokenConstraint toolConstraint(Model model, Tools tools, JsonFields format) {
        if (format != null && !"text".equals(format.string("type", "text"))) {
            throw ApiException.invalid("response_format",
                    "response_format cannot be combined with a forced tool_choice");
        }
        StructuredOutput s = structured("tool_choice", "tool_choice " + tools.choiceName());
        try {
            return s.jsonSchema(model, ToolCalls.schema(tools.forcedSchemas()));
        } catch (IllegalArgumentException e) {
            // A parameters schema beyond what the service enforces: the call stays well formed, with any object
            // as its arguments.
            Map<String, Map<String, Object>> loose = new LinkedHashMap<>();
            tools.forcedSchemas().keySet().forEach(name -> loose.put(name, null));
            try {
                return s.jsonSchema(model, ToolCalls.schema(loose));
            } catch (IllegalArgumentException again) {
                throw ApiException.invalid("tools", "the tool call cannot be enforced: " + again.getMessage());
            }
        }
    }

    /** One choice as it is being generated. */
    private static final class Choice {
        final StringBuilder text = new StringBuilder();
        final List<Integer> ids = new ArrayList<>();
        final List<TokenLogprobs> logprobs = new ArrayList<>();
        final List<Integer> offsets = new ArrayList<>();
        GenerationResult result;
        /** Streaming with tools: how much of the text went out as content; whether the rest is held for calls. */
        int sent;
        Boolean bareJson;
        boolean tagged;

        /**
         * The text that can go out as content now: everything up to a {@code <tool_call>} (or a possible start of
         * one at the end); nothing when the output opens like a bare JSON call. The rest waits for the end.
         */
        String release() {
            String all = text.toString();
            if (bareJson == null) {
                String start = all.stripLeading();
                if (start.isEmpty()) {
                    return "";
                }
                bareJson = start.startsWith("{") || start.startsWith("[") || start.startsWith("`");
            }
            if (bareJson || tagged) {
                return "";
            }
            int tag = all.indexOf(ToolCalls.OPEN, sent);
            int upTo;
            if (tag >= 0) {
                upTo = tag;
                tagged = true;
            } else {
                upTo = all.length() - partialTag(all);
            }
            String released = all.substring(sent, Math.max(sent, upTo));
            sent = Math.max(sent, upTo);
            return released;
        }

        /** Length of the longest proper prefix of {@code <tool_call>} that {@code s} ends with. */
        private static int partialTag(String s) {
            for (int k = Math.min(ToolCalls.OPEN.length() - 1, s.length()); k > 0; k--) {
                if (s.endsWith(ToolCalls.OPEN.substring(0, k))) {
                    return k;
                }
            }
            return 0;
        }
    }

    private void run(Job job, Responder out) throws IOException, InterruptedException {
        List<GenerationRequest> requests = new ArrayList<>();
        for (int i = 0; i < job.options().n(); i++) {
            requests.add(new GenerationRequest(job.prompt(), job.maxTokens(), job.options().samplingOf(i),
                    job.options().stop(), false, job.options().topLogprobs(),
                    job.constraints().isEmpty() ? null : job.constraints().get(i)));
        }
        String id = (job.chat() ? "chatcmpl-" : "cmpl-") + UUID.randomUUID().toString().replace("-", "");
        long created = Instant.now().getEpochSecond();
        Choice[] choices = new Choice[requests.size()];
        for (int i = 0; i < choices.length; i++) {
            choices[i] = new Choice();
        }
        boolean stream = job.options().stream();
        // With tools, text that may be a call is held until the end, when it is parsed; other text streams as it comes.
        boolean holdBack = job.toolCalls();
        try (RequestGenerations generations = new RequestGenerations(generation, job.model().model(), requests)) {
            out.onFailure(generations::close);
            if (stream) {
                out.startEvents();
                if (job.chat()) {
                    for (int i = 0; i < choices.length; i++) {
                        ObjectNode delta = JSON.createObjectNode().put("role", "assistant").put("content", "");
                        out.event(chunk(job, id, created, i, delta, null, null).toString());
                    }
                }
            }
            RequestGenerations.Event event;
            while ((event = generations.next()) != null) {
                Choice c = choices[event.choice()];
                switch (event) {
                    case RequestGenerations.Token t -> {
                        if (t.id() >= 0) {
                            c.ids.add(t.id());
                            c.logprobs.add(t.logprobs());
                            c.offsets.add(c.text.length());
                        }
                        c.text.append(t.text());
                        String content = holdBack ? c.release() : t.text();
                        if (stream && (!content.isEmpty() || (t.logprobs() != null && t.id() >= 0))) {
                            out.event(tokenChunk(job, id, created, t, content).toString());
                        }
                    }
                    case RequestGenerations.Finished f -> {
                        c.result = f.result();
                        if (stream) {
                            finishChunks(job, id, created, f.choice(), c, holdBack, out);
                        }
                    }
                    case RequestGenerations.Failed failed -> {
                        generations.close();
                        if (failed.error() instanceof RuntimeException e) {
                            if (!stream) {
                                throw e;
                            }
                            out.event(Errors.body(Errors.of(e)).toString());
                            out.event("[DONE]");
                            return;
                        }
                        throw new IllegalStateException(failed.error());
                    }
                }
            }
            ObjectNode usage = usage(job, choices);
            if (stream) {
                if (job.options().includeUsage()) {
                    ObjectNode last = base(job, id, created);
                    last.putArray("choices");
                    last.set("usage", usage);
                    out.event(last.toString());
                }
                out.event("[DONE]");
                return;
            }
            ObjectNode response = base(job, id, created);
            ArrayNode array = response.putArray("choices");
            for (int i = 0; i < choices.length; i++) {
                array.add(job.chat() ? chatChoice(job, i, choices[i]) : textChoice(job, i, choices[i]));
            }
            response.set("usage", usage);
            out.json(200, response);
        }
    }

    private static ObjectNode usage(Job job, Choice[] choices) {
        int completion = 0;
        for (Choice c : choices) {
            completion += c.result.tokenIds().length;
        }
        return JSON.createObjectNode().put("prompt_tokens", job.prompt().length).put("completion_tokens", completion)
                .put("total_tokens", job.prompt().length + completion);
    }

    private static ObjectNode base(Job job, String id, long created) {
        ObjectNode o = JSON.createObjectNode();
        o.put("id", id);
        o.put("object", job.chat() ? (job.options().stream() ? "chat.completion.chunk" : "chat.completion")
                : "text_completion");
        o.put("created", created);
        o.put("model", job.model().id());
        return o;
    }

    /** A streamed chunk of one choice; {@code finish} null while it runs. */
    private static ObjectNode chunk(Job job, String id, long created, int index, ObjectNode delta, JsonNode logprobs,
            String finish) {
        ObjectNode o = base(job, id, created);
        ObjectNode choice = o.putArray("choices").addObject();
        choice.put("index", index);
        if (job.chat()) {
            choice.set("delta", delta);
        } else {
            choice.put("text", delta.path("content").asText(""));
        }
        choice.set("logprobs", logprobs);
        choice.put("finish_reason", finish);
        if (job.options().includeUsage()) {
            o.putNull("usage");
        }
        return o;
    }

    private ObjectNode tokenChunk(Job job, String id, long created, RequestGenerations.Token t, String content) {
        ObjectNode delta = JSON.createObjectNode().put("content", content);
        JsonNode logprobs = null;
        if (t.logprobs() != null && t.id() >= 0) {
            if (job.chat()) {
                ObjectNode lp = JSON.createObjectNode();
                lp.putArray("content").add(chatLogprob(job.tokenizer(), t.id(), t.logprobs()));
                logprobs = lp;
            } else {
                logprobs = textLogprobs(job.tokenizer(), List.of(t.id()), List.of(t.logprobs()), List.of(0));
            }
        }
        return chunk(job, id, created, t.choice(), delta, logprobs, null);
    }

    private void finishChunks(Job job, String id, long created, int index, Choice c, boolean holdBack, Responder out)
            throws IOException {
        String finish = finishReason(c.result.finishReason());
        if (holdBack) {
            String held = c.text.substring(c.sent);
            ToolCalls.Parsed parsed = ToolCalls.parse(held);
            ObjectNode delta = JSON.createObjectNode();
            if (parsed.calls().isEmpty()) {
                if (!held.isEmpty()) {
                    delta.put("content", held);
                }
            } else {
                if (parsed.content() != null) {
                    delta.put("content", parsed.content());
                }
                ArrayNode calls = toolCalls(parsed);
                for (int i = 0; i < calls.size(); i++) {
                    ((ObjectNode) calls.get(i)).put("index", i);
                }
                delta.set("tool_calls", calls);
                finish = "tool_calls";
            }
            if (!delta.isEmpty()) {
                out.event(chunk(job, id, created, index, delta, null, null).toString());
            }
        }
        out.event(chunk(job, id, created, index, JSON.createObjectNode(), null, finish).toString());
    }

    private ObjectNode chatChoice(Job job, int index, Choice c) {
        ObjectNode choice = JSON.createObjectNode();
        choice.put("index", index);
        ObjectNode message = choice.putObject("message");
        message.put("role", "assistant");
        String finish = finishReason(c.result.finishReason());
        String text = c.result.text();
        ToolCalls.Parsed parsed = job.toolCalls() ? ToolCalls.parse(text) : null;
        if (parsed != null && !parsed.calls().isEmpty()) {
            message.put("content", parsed.content());
            message.set("tool_calls", toolCalls(parsed));
            finish = "tool_calls";
        } else {
            message.put("content", text);
        }
        choice.set("logprobs", chatLogprobs(job, c));
        choice.put("finish_reason", finish);
        return choice;
    }

    private static ArrayNode toolCalls(ToolCalls.Parsed parsed) {
        ArrayNode calls = JSON.createArrayNode();
        for (ToolCalls.Call call : parsed.calls()) {
            ObjectNode o = calls.addObject();
            o.put("id", "call_" + UUID.randomUUID().toString().replace("-", "").substring(0, 24));
            o.put("type", "function");
            o.putObject("function").put("name", call.name()).put("arguments", call.arguments());
        }
        return calls;
    }

    private JsonNode chatLogprobs(Job job, Choice c) {
        if (job.options().topLogprobs() < 0) {
            return null;
        }
        ObjectNode lp = JSON.createObjectNode();
        ArrayNode content = lp.putArray("content");
        for (int i = 0; i < c.ids.size(); i++) {
            if (c.logprobs.get(i) != null) {
                content.add(chatLogprob(job.tokenizer(), c.ids.get(i), c.logprobs.get(i)));
            }
        }
        return lp;
    }

    private static ObjectNode chatLogprob(Tokenizer tokenizer, int tokenId, TokenLogprobs lp) {
        ObjectNode o = tokenEntry(tokenizer, tokenId, lp.logprob());
        ArrayNode top = o.putArray("top_logprobs");
        for (int j = 0; j < lp.topIds().length; j++) {
            top.add(tokenEntry(tokenizer, lp.topIds()[j], lp.topLogprobs()[j]));
        }
        return o;
    }

    private static ObjectNode tokenEntry(Tokenizer tokenizer, int tokenId, float logprob) {
        String token = tokenText(tokenizer, tokenId);
        ObjectNode o = JSON.createObjectNode();
        o.put("token", token);
        o.put("logprob", logprob);
        ArrayNode bytes = o.putArray("bytes");
        for (byte b : token.getBytes(StandardCharsets.UTF_8)) {
            bytes.add(b & 0xff);
        }
        return o;
    }

    private static String tokenText(Tokenizer tokenizer, int tokenId) {
        return tokenizer == null ? "token_id:" + tokenId : tokenizer.decode(new int[] {tokenId}, false);
    }

    private ObjectNode textChoice(Job job, int index, Choice c) {
        ObjectNode choice = JSON.createObjectNode();
        choice.put("index", index);
        choice.put("text", c.result.text());
        choice.set("logprobs", job.options().topLogprobs() < 0 ? null
                : textLogprobs(job.tokenizer(), c.ids, c.logprobs, c.offsets));
        choice.put("finish_reason", finishReason(c.result.finishReason()));
        return choice;
    }

    /** The legacy completions shape: parallel arrays of tokens, their log-probabilities and alternatives. */
    private static ObjectNode textLogprobs(Tokenizer tokenizer, List<Integer> ids, List<TokenLogprobs> logprobs,
            List<Integer> offsets) {
        ObjectNode o = JSON.createObjectNode();
        ArrayNode tokens = o.putArray("tokens");
        ArrayNode values = o.putArray("token_logprobs");
        ArrayNode top = o.putArray("top_logprobs");
        ArrayNode textOffset = o.putArray("text_offset");
        for (int i = 0; i < ids.size(); i++) {
            TokenLogprobs lp = logprobs.get(i);
            if (lp == null) {
                continue;
            }
            tokens.add(tokenText(tokenizer, ids.get(i)));
            values.add(lp.logprob());
            ObjectNode alternatives = top.addObject();
            for (int j = 0; j < lp.topIds().length; j++) {
                alternatives.put(tokenText(tokenizer, lp.topIds()[j]), lp.topLogprobs()[j]);
            }
            textOffset.add(offsets.get(i));
        }
        return o;
    }

    static String finishReason(FinishReason reason) {
        return switch (reason) {
            case LENGTH -> "length";
            case STOP, CANCELLED -> "stop";
        };
    }

    private static Set<String> union(Set<String> a, Set<String> b) {
        Set<String> s = new HashSet<>(a);
        s.addAll(b);
        return Set.copyOf(s);
    }

    static String lower(String s) {
        return s.toLowerCase(Locale.ROOT);
    }
}
