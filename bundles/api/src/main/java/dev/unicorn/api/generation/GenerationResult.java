package dev.unicorn.api.generation;

/**
 * The outcome of a generation.
 *
 * @param tokenIds      the generated ids (a stop token id that ended it is not included)
 * @param text          the generated text, cut before a stop string
 * @param finishReason  why it ended
 * @param promptTokens  number of prompt tokens
 * @param promptNanos   time spent on the prompt (prefill), up to the first token's logits
 * @param decodeSteps   forward passes of one token each after the prompt
 * @param decodeNanos   time spent in those passes and in sampling
 */
public record GenerationResult(int[] tokenIds, String text, FinishReason finishReason, int promptTokens,
        long promptNanos, int decodeSteps, long decodeNanos) {

    /** Prompt tokens per second. */
    public double promptTokensPerSecond() {
        return promptNanos == 0 ? 0 : promptTokens * 1e9 / promptNanos;
    }

    /** Tokens decoded per second after the prompt. */
    public double decodeTokensPerSecond() {
        return decodeNanos == 0 ? 0 : decodeSteps * 1e9 / decodeNanos;
    }
}
