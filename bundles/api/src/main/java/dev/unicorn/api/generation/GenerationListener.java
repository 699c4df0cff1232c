package dev.unicorn.api.generation;

import org.osgi.annotation.versioning.ConsumerType;

/** Receives a generation as it happens, on the generating thread. */
@ConsumerType
public interface GenerationListener {

    /**
     * One generated token and the text it completes (possibly empty while a multi-byte character or a possible
     * stop string is still open). At the end, text still held back is delivered with token id -1.
     */
    void onToken(int tokenId, String text);

    /**
     * As {@link #onToken(int, String)}, with the token's log-probabilities when the request asked for them
     * (else null). The service calls this one; by default it forwards to the other.
     */
    default void onToken(int tokenId, String text, TokenLogprobs logprobs) {
        onToken(tokenId, text);
    }

    /** Called once at the end unless the generation failed. */
    default void onComplete(GenerationResult result) {
    }
}
