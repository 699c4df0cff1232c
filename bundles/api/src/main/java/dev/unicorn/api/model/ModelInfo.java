package dev.unicorn.api.model;

/**
 * What a loaded model is.
 *
 * @param architecture     the architecture name from the checkpoint, e.g. {@code Qwen2ForCausalLM}
 * @param vocabularySize   number of logits per position
 * @param contextLength    the longest context the model was trained for
 * @param parameterCount   number of weights
 * @param weightBytes      bytes of weights bound to the backend
 */
public record ModelInfo(String architecture, int vocabularySize, int contextLength, long parameterCount,
        long weightBytes) {
}
