package dev.unicorn.frontend.openai;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.unicorn.api.generation.GenerationService;
import dev.unicorn.api.generation.GenerationStatistics;
import dev.unicorn.api.model.AvailableModel;
import dev.unicorn.api.model.InsufficientMemoryException;
import dev.unicorn.api.model.ModelException;
import dev.unicorn.api.model.ModelLease;
import dev.unicorn.api.model.ModelRegistry;
import dev.unicorn.api.model.ModelStatus;
import dev.unicorn.api.model.RegisteredModel;

/**
 * Routes the OpenAI-compatible endpoints. Each request is handled on its own server thread, which may block on the
 * client (reading the body, writing a stream) without holding up anyone else.
 */
final class ApiHandler extends Handler.Abstract {
    private static final Map<String, String> ROUTES = Map.of("/health", "GET", "/v1/models", "GET",
            "/v1/chat/completions", "POST", "/v1/completions", "POST", "/admin/models/load", "POST",
            "/admin/models/unload", "POST");
    private static final ObjectMapper STRICT = new ObjectMapper()
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

    private final ServerSettings settings;
    private final ModelRegistry registry;
    private final Completions completions;
    private final LoadingModels status;
    private final GenerationService generation;

    /** Which models are still loading (503 until they are there). */
    interface LoadingModels {
        boolean loading(String id);
    }

    ApiHandler(ServerSettings settings, ModelRegistry registry, GenerationService generation, Completions completions,
            LoadingModels status) {
        this.settings = settings;
        this.generation = generation;
        this.registry = registry;
        this.completions = completions;
        this.status = status;
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) {
        Exchange out = new Exchange(request, response, callback);
        try {
            cors(request, response);
            route(request, out);
            out.finish();
        } catch (IOException | InterruptedException e) {
            // The client went away (or the server is stopping): nothing more can be said to it.
            callback.failed(e);
        } catch (Throwable t) {
            ApiException e = Errors.of(t);
            if (e.status >= 500 && !(t instanceof ApiException)) {
                System.err.println("serve: " + Request.getPathInContext(request) + " failed");
                t.printStackTrace();
            }
            if (out.started) {
                callback.failed(t);
            } else {
                try {
                    out.json(e.status, Errors.body(e));
                } catch (IOException io) {
                    callback.failed(io);
                }
            }
        }
        return true;
    }

    private void route(Request request, Exchange out) throws Exception {
        String path = Request.getPathInContext(request);
        String method = request.getMethod();
        if (method.equals("OPTIONS") && !settings.corsOrigins().isEmpty()) {
            out.response.setStatus(204);
            out.response.write(true, null, out.callback);
            out.started = true;
            out.done = true;
            return;
        }
        if (path.startsWith("/v1/") || path.startsWith("/admin/")) {
            authorize(request);
        }
        String allowed = ROUTES.get(path);
        if (allowed == null && path.startsWith("/v1/models/")) {
            allowed = "GET";
        }
        if (allowed == null) {
            throw ApiException.notFound(null, "unknown_url", "no endpoint " + path + "; endpoints: GET /health, "
                    + "GET /v1/models, POST /v1/chat/completions, POST /v1/completions, POST /admin/models/load, "
                    + "POST /admin/models/unload");
        }
        if (!allowed.equals(method)) {
            out.response.getHeaders().put(HttpHeader.ALLOW, allowed);
            throw new ApiException(405, "invalid_request_error", null, "method_not_allowed", path + " takes "
                    + allowed + ", not " + method);
        }
        switch (path) {
            case "/health" -> health(out);
            case "/v1/models" -> out.json(200, models());
            case "/v1/chat/completions" -> completions.chat(body(request), out);
            case "/v1/completions" -> completions.text(body(request), out);
            case "/admin/models/load" -> out.json(200, load(adminModel(body(request))));
            case "/admin/models/unload" -> out.json(200, unload(adminModel(body(request))));
            default -> out.json(200, model(path.substring("/v1/models/".length())));
        }
    }

    private void authorize(Request request) {
        if (settings.apiKey() == null) {
            return;
        }
        String header = request.getHeaders().get(HttpHeader.AUTHORIZATION);
        if (header == null) {
            throw new ApiException(401, "invalid_request_error", null, "missing_api_key", "an API key is required: "
                    + "send the header 'Authorization: Bearer <key>'");
        }
        String key = header.regionMatches(true, 0, "Bearer ", 0, 7) ? header.substring(7).strip() : "";
        if (!MessageDigest.isEqual(key.getBytes(StandardCharsets.UTF_8),
                settings.apiKey().getBytes(StandardCharsets.UTF_8))) {
            throw new ApiException(401, "invalid_request_error", null, "invalid_api_key", "the API key is wrong");
        }
    }

    private void cors(Request request, Response response) {
        String origin = request.getHeaders().get(HttpHeader.ORIGIN);
        List<String> allowed = settings.corsOrigins();
        if (origin == null || allowed.isEmpty()) {
            return;
        }
        boolean any = allowed.contains("*");
        if (any || allowed.contains(origin)) {
            var headers = response.getHeaders();
            headers.put(HttpHeader.ACCESS_CONTROL_ALLOW_ORIGIN, any ? "*" : origin);
            headers.put(HttpHeader.VARY, "Origin");
            headers.put(HttpHeader.ACCESS_CONTROL_ALLOW_METHODS, "GET, POST, OPTIONS");
            headers.put(HttpHeader.ACCESS_CONTROL_ALLOW_HEADERS, "Authorization, Content-Type");
            headers.put(HttpHeader.ACCESS_CONTROL_MAX_AGE, "600");
        }
    }

    private void health(Exchange out) throws IOException {
        boolean loading = status.loading(settings.modelId());
        ObjectNode body = Completions.JSON.createObjectNode().put("status", loading ? "loading" : "ok");
        GenerationStatistics stats = generation.statistics();
        body.putObject("generations").put("running", stats.running()).put("waiting", stats.waiting())
                .put("completed", stats.completed());
        body.putObject("memory").put("in_use_bytes", registry.memoryInUse())
                .put("budget_bytes", registry.memoryBudget());
        out.json(loading ? 503 : 200, body);
    }

    /** The {@code model} of an admin request: {@code {"model": ID}}. */
    private String adminModel(JsonNode body) {
        JsonFields f = new JsonFields(body, "");
        f.checkNames(java.util.Set.of("model"), java.util.Set.of());
        String id = f.string("model", null);
        if (id == null || id.isBlank()) {
            throw ApiException.invalid("model", "model is required: the id of the model, e.g. {\"model\": \""
                    + settings.modelId() + "\"}");
        }
        if (!known(id)) {
            throw unknownModel(id);
        }
        return id;
    }

    /**
     * Whether the registry can serve {@code id}. A loaded model is found without listing the models directory, which
     * reads every model's files for their sizes: requests to loaded models do no disk I/O here.
     */
    private boolean known(String id) {
        return registry.get(id).isPresent() || registry.available().stream().anyMatch(m -> m.id().equals(id));
    }

    /** Loads an available model (no-op when loaded); 507 with the estimate and the budget when it does not fit. */
    private JsonNode load(String id) {
        long t0 = System.nanoTime();
        try {
            registry.load(id);
        } catch (InsufficientMemoryException e) {
            throw new ApiException(507, "insufficient_storage", "model", "insufficient_memory", e.getMessage());
        } catch (ModelException e) {
            throw new ApiException(500, "server_error", "model", "model_unavailable", "model '" + id
                    + "' cannot be loaded: " + e.getMessage());
        }
        return model(id).put("load_seconds", (System.nanoTime() - t0) / 1e9)
                .put("memory_in_use_bytes", registry.memoryInUse()).put("memory_budget_bytes", registry.memoryBudget());
    }

    /** Unloads a model: its running generations end with an error, its memory is freed; it stays available. */
    private JsonNode unload(String id) {
        if (!registry.unload(id)) {
            throw ApiException.notFound("model", "model_not_loaded", "model '" + id + "' is not loaded");
        }
        return model(id).put("memory_in_use_bytes", registry.memoryInUse())
                .put("memory_budget_bytes", registry.memoryBudget());
    }

    /** Every model the registry can serve: loaded ones and those that load on demand. */
    private JsonNode models() {
        ObjectNode list = Completions.JSON.createObjectNode().put("object", "list");
        ArrayNode data = list.putArray("data");
        for (AvailableModel m : registry.available()) {
            data.add(model(m));
        }
        return list;
    }

    private ObjectNode model(String id) {
        return model(registry.available().stream().filter(m -> m.id().equals(id)).findFirst()
                .orElseThrow(() -> unknownModel(id)));
    }

    private ObjectNode model(AvailableModel m) {
        ObjectNode o = Completions.JSON.createObjectNode().put("id", m.id()).put("object", "model");
        Optional<RegisteredModel> loaded = m.status() == ModelStatus.LOADED ? registry.get(m.id()) : Optional.empty();
        o.put("created", loaded.map(r -> r.loadedAt().getEpochSecond()).orElse(0L));
        o.put("owned_by", "unicorn");
        o.put("status", status.loading(m.id()) ? "loading" : Completions.lower(m.status().name()));
        loaded.ifPresent(r -> o.put("max_model_len", r.model().network().info().contextLength()));
        return o;
    }

    /**
     * Holds the request's model (its {@code model} field, or the served model when it has none) for the request,
     * loading it first when it is available but not in memory.
     */
    ModelLease acquire(JsonFields request) {
        String id = request.string("model", settings.modelId());
        if (status.loading(id)) {
            throw unknownModel(id);
        }
        if (!known(id)) {
            throw unknownModel(id);
        }
        try {
            return registry.acquire(id);
        } catch (InsufficientMemoryException e) {
            throw new ApiException(503, "service_unavailable", "model", "insufficient_memory", e.getMessage());
        } catch (ModelException e) {
            throw new ApiException(503, "service_unavailable", "model", "model_unavailable", "model '" + id
                    + "' cannot be loaded: " + e.getMessage());
        }
    }

    private ApiException unknownModel(String id) {
        if (status.loading(id)) {
            return new ApiException(503, "service_unavailable", "model", "model_loading", "model '" + id
                    + "' is loading; retry in a moment");
        }
        return ApiException.notFound("model", "model_not_found", "model '" + id + "' does not exist; models: "
                + registry.available().stream().map(AvailableModel::id).toList());
    }

    private JsonNode body(Request request) {
        long max = settings.maxBodyBytes();
        long length = request.getLength();
        if (length > max) {
            throw ApiException.tooLarge(null, "the request body is " + length + " bytes; the limit is " + max);
        }
        byte[] bytes;
        try (InputStream in = Content.Source.asInputStream(request)) {
            bytes = in.readNBytes((int) Math.min(max + 1, Integer.MAX_VALUE - 8));
        } catch (IOException e) {
            throw ApiException.invalid(null, "the request body could not be read: "
                    + (e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage()));
        }
        if (bytes.length > max) {
            throw ApiException.tooLarge(null, "the request body is over the limit of " + max + " bytes");
        }
        if (bytes.length == 0) {
            throw ApiException.invalid(null, "the request body is empty; expected a JSON object");
        }
        try {
            JsonNode node = STRICT.readTree(bytes);
            if (node == null || node.isMissingNode()) {
                throw ApiException.invalid(null, "the request body is empty; expected a JSON object");
            }
            return node;
        } catch (JsonProcessingException e) {
            var at = e.getLocation();
            throw ApiException.invalid(null, "the request body is not valid JSON"
                    + (at == null ? "" : " (line " + at.getLineNr() + ", column " + at.getColumnNr() + ")") + ": "
                    + e.getOriginalMessage());
        } catch (IOException e) {
            throw ApiException.invalid(null, "the request body could not be parsed: " + e.getMessage());
        }
    }

    /** One response: a JSON body, or events written as they come. */
    private static final class Exchange implements Responder {
        final Request request;
        final Response response;
        final Callback callback;
        boolean started;
        boolean done;

        Exchange(Request request, Response response, Callback callback) {
            this.request = request;
            this.response = response;
            this.callback = callback;
        }

        @Override
        public void json(int status, JsonNode body) throws IOException {
            response.setStatus(status);
            response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/json");
            started = true;
            done = true;
            Content.Sink.write(response, true, body.toString() + "\n", callback);
        }

        @Override
        public void startEvents() throws IOException {
            response.setStatus(200);
            response.getHeaders().put(HttpHeader.CONTENT_TYPE, "text/event-stream; charset=utf-8");
            response.getHeaders().put(HttpHeader.CACHE_CONTROL, "no-cache");
            started = true;
        }

        @Override
        public void event(String data) throws IOException {
            Content.Sink.write(response, false, ByteBuffer.wrap(("data: " + data + "\n\n")
                    .getBytes(StandardCharsets.UTF_8)));
        }

        @Override
        public void onFailure(Runnable action) {
            request.addFailureListener(failure -> action.run());
        }

        void finish() {
            if (!done) {
                done = true;
                response.write(true, null, callback);
            }
        }
    }
}
