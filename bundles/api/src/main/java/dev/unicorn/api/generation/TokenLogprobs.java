package dev.unicorn.api.generation;

/**
 * Log-probabilities of one generated position, from the model's raw logits (before penalties, temperature and
 * constraints), as OpenAI's {@code logprobs} reports them.
 *
 * @param logprob     natural log-probability of the chosen token
 * @param topIds      the most likely token ids, most likely first ({@code top_logprobs} of them)
 * @param topLogprobs their log-probabilities
 */
public record TokenLogprobs(float logprob, int[] topIds, float[] topLogprobs) {
}
