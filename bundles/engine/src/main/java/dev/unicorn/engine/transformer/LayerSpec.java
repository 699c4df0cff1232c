package dev.unicorn.engine.transformer;

/**
 * What differs between layers of one model.
 *
 * @param window sliding-window length, 0 for full attention
 * @param rope   the rotary frequencies of this layer
 */
public record LayerSpec(int window, RopeFrequencies rope) {
}
