package dev.unicorn.engine.generation;

import java.util.Arrays;
import java.util.SplittableRandom;

import dev.unicorn.api.generation.Sampler;
import dev.unicorn.api.generation.SamplingParameters;

/**
 * Penalties, then greedy or temperature sampling restricted by top-k, top-p and min-p, in transformers' order.
 * Works in arrays allocated once per sequence.
 */
public final class LogitsSampler implements Sampler {
    /** Logits this far below the maximum have probability below float32 resolution of the total (e^-40). */
    private static final float NEGLIGIBLE = 40f;

    private final SamplingParameters p;
    private final SplittableRandom random;
    private long[] order = new long[0];
    private int[] counts = new int[0];

    public LogitsSampler(SamplingParameters parameters) {
        this.p = parameters;
        this.random = new SplittableRandom(parameters.seed());
    }

    @Override
    public int sample(float[] logits, int[] history, int length, int generatedFrom) {
        int vocab = logits.length;
        applyPenalties(logits, history, length, generatedFrom);
        if (p.temperature() == 0f) {
            return argmax(logits);
        }
        float max = Float.NEGATIVE_INFINITY;
        for (float l : logits) {
            max = Math.max(max, l);
        }
        if (!Float.isFinite(max)) {
            // No finite logit to sample from (all masked, or NaN from a broken model): fall back to argmax.
            return argmax(logits);
        }
        // Candidates sorted by logit, best first, as packed (sortable logit bits, id) pairs.
        if (order.length < vocab) {
            order = new long[vocab];
        }
        float floor = max - NEGLIGIBLE * p.temperature();
        int n = 0;
        for (int i = 0; i < vocab; i++) {
            if (logits[i] >= floor) {
                order[n++] = pack(logits[i], i);
            }
        }
        Arrays.sort(order, 0, n);
        reverse(order, n);
        if (p.topK() > 0 && p.topK() < n) {
            n = p.topK();
        }
        // Softmax over the kept candidates, at this temperature.
        float invT = 1f / p.temperature();
        double sum = 0;
        for (int i = 0; i < n; i++) {
            sum += Math.exp((logits[id(order[i])] - max) * invT);
        }
        if (p.topP() < 1f) {
            double cumulative = 0;
            for (int i = 0; i < n; i++) {
                cumulative += Math.exp((logits[id(order[i])] - max) * invT) / sum;
                if (cumulative >= p.topP()) {
                    n = i + 1;
                    break;
                }
            }
        }
        if (p.minP() > 0f) {
            double top = Math.exp((logits[id(order[0])] - max) * invT);
            int kept = 1;
            while (kept < n && Math.exp((logits[id(order[kept])] - max) * invT) >= p.minP() * top) {
                kept++;
            }
            n = kept;
        }
        double total = 0;
        for (int i = 0; i < n; i++) {
            total += Math.exp((logits[id(order[i])] - max) * invT);
        }
        double r = random.nextDouble() * total;
        for (int i = 0; i < n; i++) {
            r -= Math.exp((logits[id(order[i])] - max) * invT);
            if (r < 0) {
                return id(order[i]);
            }
        }
        return id(order[n - 1]);
    }

    private void applyPenalties(float[] logits, int[] history, int length, int generatedFrom) {
        boolean repetition = p.repetitionPenalty() != 1f;
        boolean additive = p.presencePenalty() != 0f || p.frequencyPenalty() != 0f;
        if (!repetition && !additive) {
            return;
        }
        if (counts.length < logits.length) {
            counts = new int[logits.length];
        }
        if (repetition) {
            // transformers: each distinct id seen (prompt and output) once: divide positive logits, multiply negative.
            for (int i = 0; i < length; i++) {
                int id = history[i];
                if (counts[id] == 0) {
                    counts[id] = -1;
                    float l = logits[id];
                    logits[id] = l > 0 ? l / p.repetitionPenalty() : l * p.repetitionPenalty();
                }
            }
            for (int i = 0; i < length; i++) {
                counts[history[i]] = 0;
            }
        }
        if (additive) {
            // OpenAI: over generated tokens, presence once and frequency per occurrence.
            for (int i = generatedFrom; i < length; i++) {
                counts[history[i]]++;
            }
            for (int i = generatedFrom; i < length; i++) {
                int id = history[i];
                if (counts[id] > 0) {
                    logits[id] -= p.presencePenalty() + p.frequencyPenalty() * counts[id];
                    counts[id] = 0;
                }
            }
        }
    }

    /** Index of the largest logit; the lowest index wins ties, as torch.argmax does. */
    public static int argmax(float[] logits) {
        int best = 0;
        for (int i = 1; i < logits.length; i++) {
            if (logits[i] > logits[best]) {
                best = i;
            }
        }
        return best;
    }

    private static long pack(float logit, int id) {
        int bits = Float.floatToRawIntBits(logit);
        bits ^= (bits >> 31) & 0x7fffffff;
        // Lower ids sort last among equal logits, so they come first after the reversal.
        return ((long) bits << 32) | (0xffffffffL & ~id);
    }

    private static int id(long packed) {
        return ~(int) packed;
    }

    private static void reverse(long[] a, int n) {
        for (int i = 0, j = n - 1; i < j; i++, j--) {
            long t = a[i];
            a[i] = a[j];
            a[j] = t;
        }
    }
}
