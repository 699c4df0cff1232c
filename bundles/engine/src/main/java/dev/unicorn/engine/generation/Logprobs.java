package dev.unicorn.engine.generation;

import dev.unicorn.api.generation.TokenLogprobs;

/** Log-softmax of raw logits: the chosen token's log-probability and the most likely alternatives. */
final class Logprobs {
    private Logprobs() {
    }

    /** {@code logits} are the raw logits of the position (not modified); {@code top} alternatives, 0..20. */
    static TokenLogprobs of(float[] logits, int chosen, int top) {
        float max = Float.NEGATIVE_INFINITY;
        for (float l : logits) {
            max = Math.max(max, l);
        }
        double sum = 0;
        for (float l : logits) {
            sum += Math.exp(l - max);
        }
        float logZ = (float) (max + Math.log(sum));
        int[] ids = new int[top];
        float[] values = new float[top];
        int n = 0;
        for (int i = 0; i < logits.length; i++) {
            float l = logits[i];
            if (n < top || l > values[n - 1]) {
                int at = n < top ? n++ : n - 1;
                while (at > 0 && values[at - 1] < l) {
                    values[at] = values[at - 1];
                    ids[at] = ids[at - 1];
                    at--;
                }
                values[at] = l;
                ids[at] = i;
            }
        }
        for (int i = 0; i < n; i++) {
            values[i] -= logZ;
        }
        return new TokenLogprobs(logits[chosen] - logZ, ids, values);
    }
}
