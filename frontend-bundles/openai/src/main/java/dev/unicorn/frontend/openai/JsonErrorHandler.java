package dev.unicorn.frontend.openai;

import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.handler.ErrorHandler;
import org.eclipse.jetty.util.Callback;

/** Errors Jetty itself answers (a malformed request line, headers too large) in OpenAI's shape, as JSON. */
final class JsonErrorHandler extends ErrorHandler {

    @Override
    public boolean handle(Request request, Response response, Callback callback) {
        int status = request.getAttribute(ERROR_STATUS) instanceof Integer s ? s : response.getStatus();
        Object message = request.getAttribute(ERROR_MESSAGE);
        String text = message != null ? message.toString() : HttpStatus.getMessage(status);
        String type = status >= 500 ? "server_error" : "invalid_request_error";
        ApiException e = new ApiException(status, type, null, null, text);
        response.setStatus(status);
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/json");
        Content.Sink.write(response, true, Errors.body(e).toString() + "\n", callback);
        return true;
    }
}
