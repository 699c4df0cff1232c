package dev.unicorn.api.generation;

import java.util.List;

/**
 * What to generate.
 *
 * @param promptIds        the prompt, already tokenized
 * @param maxTokens        the most tokens to generate
 * @param sampling         how tokens are chosen
 * @param stopStrings      generation stops once the text contains one of them; it is not part of the output
 * @param ignoreStopTokens when true, the model's stop token ids do not end generation
 * @param topLogprobs      -1 for no log-probabilities; otherwise each token is reported with its log-probability
 *                         and those of the {@code topLogprobs} (0..20) most likely tokens
 * @param constraint       restricts the tokens generated (one instance per generation), or null
 */
public record GenerationRequest(int[] promptIds, int maxTokens, SamplingParameters sampling, List<String> stopStrings,
        boolean ignoreStopTokens, int topLogprobs, TokenConstraint constraint) {

    /** The most alternatives {@link #topLogprobs} may ask for. */
    public static final int MAX_TOP_LOGPROBS = 20;

    public GenerationRequest {
        if (promptIds == null || promptIds.length == 0) {
            throw new IllegalArgumentException("the prompt is empty: at least one token id is needed");
        }
        if (maxTokens < 0) {
            throw new IllegalArgumentException("max_tokens must be >= 0, got " + maxTokens);
        }
        if (topLogprobs < -1 || topLogprobs > MAX_TOP_LOGPROBS) {
            throw new IllegalArgumentException("top_logprobs must be in 0.." + MAX_TOP_LOGPROBS + ", got "
                    + topLogprobs);
        }
        promptIds = promptIds.clone();
        stopStrings = List.copyOf(stopStrings);
    }

    /** A request without log-probabilities or constraint. */
    public GenerationRequest(int[] promptIds, int maxTokens, SamplingParameters sampling, List<String> stopStrings,
            boolean ignoreStopTokens) {
        this(promptIds, maxTokens, sampling, stopStrings, ignoreStopTokens, -1, null);
    }
}
