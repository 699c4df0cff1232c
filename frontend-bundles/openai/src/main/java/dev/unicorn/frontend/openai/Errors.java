package dev.unicorn.frontend.openai;

import java.util.concurrent.RejectedExecutionException;

import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.unicorn.api.model.ModelException;

/** Maps what went wrong to an HTTP status and OpenAI's error body. */
final class Errors {
    private Errors() {
    }

    /** The API error for a failure of request handling. */
    static ApiException of(Throwable t) {
        return switch (t) {
            case ApiException e -> e;
            case RejectedExecutionException e -> new ApiException(429, "rate_limit_error", null, "queue_full",
                    "the server is busy: too many requests are waiting; retry later");
            case IllegalArgumentException e -> ApiException.invalid(null, e.getMessage());
            case ModelException e -> new ApiException(503, "service_unavailable", "model", "model_unavailable",
                    e.getMessage());
            default -> new ApiException(500, "server_error", null, "internal_error", "internal error: "
                    + (t.getMessage() == null ? t.getClass().getName() : t.getMessage()));
        };
    }

    static ObjectNode body(ApiException e) {
        ObjectNode body = Completions.JSON.createObjectNode();
        ObjectNode error = body.putObject("error");
        error.put("message", e.getMessage());
        error.put("type", e.type);
        error.put("param", e.param);
        error.put("code", e.code);
        return body;
    }
}
