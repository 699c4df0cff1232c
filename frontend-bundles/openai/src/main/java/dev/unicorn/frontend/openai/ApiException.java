package dev.unicorn.frontend.openai;

/**
 * A request the server answers with an error in OpenAI's shape:
 * {@code {"error": {"message", "type", "param", "code"}}}.
 */
final class ApiException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    final int status;
    final String type;
    final String param;
    final String code;

    ApiException(int status, String type, String param, String code, String message) {
        super(message);
        this.status = status;
        this.type = type;
        this.param = param;
        this.code = code;
    }

    /** 400: a parameter is missing, of the wrong type or out of range. */
    static ApiException invalid(String param, String message) {
        return new ApiException(400, "invalid_request_error", param, "invalid_value", message);
    }

    static ApiException notFound(String param, String code, String message) {
        return new ApiException(404, "not_found_error", param, code, message);
    }

    static ApiException tooLarge(String param, String message) {
        return new ApiException(413, "invalid_request_error", param, "request_too_large", message);
    }
}
