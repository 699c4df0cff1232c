package dev.unicorn.frontend.openai;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;

import dev.unicorn.api.generation.Generation;
import dev.unicorn.api.generation.GenerationListener;
import dev.unicorn.api.generation.GenerationRequest;
import dev.unicorn.api.generation.GenerationResult;
import dev.unicorn.api.generation.GenerationService;
import dev.unicorn.api.generation.TokenLogprobs;
import dev.unicorn.api.model.Model;

/**
 * The generations of one HTTP request (one per choice). Listeners only append to an unbounded queue, so the
 * generating thread never waits for the client; the request's own thread takes the events and writes them out at
 * the client's pace. Closing cancels whatever still runs (a client that went away frees its KV caches).
 */
final class RequestGenerations implements AutoCloseable {

    sealed interface Event {
        int choice();
    }

    /** A generated token and the text it completes; id -1 carries text held back until the end. */
    record Token(int choice, int id, String text, TokenLogprobs logprobs) implements Event {
    }

    record Finished(int choice, GenerationResult result) implements Event {
    }

    record Failed(int choice, Throwable error) implements Event {
    }

    private final LinkedBlockingQueue<Event> events = new LinkedBlockingQueue<>();
    private final List<Generation> generations = new ArrayList<>();
    private int finished;

    /**
     * Starts one generation per request. If one cannot start (e.g. the queue is full) those already started are
     * cancelled and the exception propagates.
     */
    RequestGenerations(GenerationService service, Model model, List<GenerationRequest> requests) {
        try {
            for (int i = 0; i < requests.size(); i++) {
                int choice = i;
                Generation g = service.generate(model, requests.get(i), new GenerationListener() {
                    @Override
                    public void onToken(int tokenId, String text) {
                        events.add(new Token(choice, tokenId, text, null));
                    }

                    @Override
                    public void onToken(int tokenId, String text, TokenLogprobs logprobs) {
                        events.add(new Token(choice, tokenId, text, logprobs));
                    }
                });
                generations.add(g);
                g.result().whenComplete((r, t) -> events.add(t == null ? new Finished(choice, r)
                        : new Failed(choice, unwrap(t))));
            }
        } catch (RuntimeException e) {
            close();
            throw e;
        }
    }

    /** The next event, or null once every generation has finished or failed. */
    Event next() throws InterruptedException {
        if (finished == generations.size()) {
            return null;
        }
        Event e = events.take();
        if (!(e instanceof Token)) {
            finished++;
        }
        return e;
    }

    @Override
    public void close() {
        for (Generation g : generations) {
            g.cancel();
        }
    }

    private static Throwable unwrap(Throwable t) {
        while ((t instanceof CompletionException || t instanceof ExecutionException) && t.getCause() != null) {
            t = t.getCause();
        }
        return t;
    }
}
