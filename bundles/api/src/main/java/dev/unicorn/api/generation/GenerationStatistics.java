package dev.unicorn.api.generation;

/**
 * Live figures of a generation service.
 *
 * @param running          sequences being generated now
 * @param waiting          requests queued for a free slot
 * @param completed        generations finished since start (any reason, errors included)
 * @param promptTokens     prompt tokens processed since start
 * @param generatedTokens  tokens generated since start
 * @param tokensPerSecond  tokens generated per second over the last few seconds, all sequences together
 */
public record GenerationStatistics(int running, int waiting, long completed, long promptTokens, long generatedTokens,
        double tokensPerSecond) {
}
