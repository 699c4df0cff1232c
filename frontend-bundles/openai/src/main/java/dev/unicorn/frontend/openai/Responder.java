package dev.unicorn.frontend.openai;

import java.io.IOException;

import com.fasterxml.jackson.databind.JsonNode;

/** Where an endpoint writes its answer: one JSON body, or a stream of server-sent events. */
interface Responder {

    /** Answers with one JSON body. */
    void json(int status, JsonNode body) throws IOException;

    /** Starts a 200 {@code text/event-stream} answer. */
    void startEvents() throws IOException;

    /**
     * Sends {@code data: <data>\n\n} and flushes it; blocks while the client is slow to read.
     *
     * @throws IOException when the client has gone
     */
    void event(String data) throws IOException;

    /** Runs {@code action} if the connection fails while the answer is being prepared (e.g. the client leaves). */
    void onFailure(Runnable action);
}
