package dev.unicorn.api.generation;

import java.util.List;

/**
 * What to generate.
 *
 * @param promptIds   the prompt, already tokenized
 * @param maxTokens   the most tokens to generate
 * @param sampling    how tokens are chosen
 * @param stopStrings generation stops once the text contains one of them; it is not part of the output
 * @param ignoreStopTokens when true, the model's stop token ids do not end generation
 */
public record GenerationRequest(int[] promptIds, int maxTokens, SamplingParameters sampling, List<String> stopStrings,
        boolean ignoreStopTokens) {

    public GenerationRequest {
        if (promptIds == null || promptIds.length == 0) {
            throw new IllegalArgumentException("the prompt is empty: at least one token id is needed");
        }
        if (maxTokens < 0) {
            throw new IllegalArgumentException("max_tokens must be >= 0, got " + maxTokens);
        }
        promptIds = promptIds.clone();
        stopStrings = List.copyOf(stopStrings);
    }
}
