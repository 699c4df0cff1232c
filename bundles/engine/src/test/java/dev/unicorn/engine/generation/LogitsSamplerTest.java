package dev.unicorn.engine.generation;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.HashSet;
import java.util.Random;
import java.util.Set;

import org.junit.jupiter.api.Test;

import dev.unicorn.api.generation.SamplingParameters;

class LogitsSamplerTest {
    private static final int DRAWS = 20_000;
    private static final int[] NO_HISTORY = new int[0];

    private static SamplingParameters params(float temperature, int topK, float topP, float minP, long seed) {
        return new SamplingParameters(temperature, topK, topP, minP, 1f, 0f, 0f, seed);
    }

    private static SamplingParameters penalties(float repetition, float presence, float frequency) {
        return new SamplingParameters(0f, 0, 1f, 0f, repetition, presence, frequency, 0L);
    }

    /** Frequencies of each id over {@link #DRAWS} draws from fresh copies of the logits. */
    private static double[] frequencies(LogitsSampler sampler, float[] logits) {
        int[] counts = new int[logits.length];
        for (int i = 0; i < DRAWS; i++) {
            counts[sampler.sample(logits.clone(), NO_HISTORY, 0, 0)]++;
        }
        return Arrays.stream(counts).mapToDouble(c -> (double) c / DRAWS).toArray();
    }

    /** softmax(logits / t) over the ids in {@code keep}, zero elsewhere, in double precision. */
    private static double[] softmax(float[] logits, double t, Set<Integer> keep) {
        double max = Double.NEGATIVE_INFINITY;
        for (int i : keep) {
            max = Math.max(max, logits[i]);
        }
        double[] p = new double[logits.length];
        double sum = 0;
        for (int i : keep) {
            p[i] = Math.exp((logits[i] - max) / t);
            sum += p[i];
        }
        for (int i = 0; i < p.length; i++) {
            p[i] /= sum;
        }
        return p;
    }

    private static Set<Integer> all(int n) {
        Set<Integer> s = new HashSet<>();
        for (int i = 0; i < n; i++) {
            s.add(i);
        }
        return s;
    }

    /** Each frequency within 5 standard errors of its expected probability (and never drawn where p = 0). */
    private static void assertMatches(double[] expected, double[] actual) {
        for (int i = 0; i < expected.length; i++) {
            double sigma = Math.sqrt(expected[i] * (1 - expected[i]) / DRAWS);
            double tolerance = Math.max(5 * sigma, 1e-9);
            int id = i;
            assertEquals(expected[i], actual[i], tolerance,
                    () -> "id " + id + ": expected " + Arrays.toString(expected) + ", got " + Arrays.toString(actual));
        }
    }

    private static float[] logProbabilities(double... p) {
        float[] l = new float[p.length];
        for (int i = 0; i < p.length; i++) {
            l[i] = (float) Math.log(p[i]);
        }
        return l;
    }

    @Test
    void greedyIsArgmaxWithTheLowestIdWinningTies() {
        assertEquals(3, LogitsSampler.argmax(new float[] {-5f, -1f, -3f, -0.5f, -0.7f}));
        assertEquals(1, LogitsSampler.argmax(new float[] {1f, 3f, 2f, 3f, 3f}));
        assertEquals(0, LogitsSampler.argmax(new float[] {7f, 7f}));
        LogitsSampler greedy = new LogitsSampler(SamplingParameters.GREEDY);
        assertEquals(2, greedy.sample(new float[] {0.1f, 0.2f, 0.9f, 0.9f, -4f}, NO_HISTORY, 0, 0));
        // At a positive temperature, top-k 1 is greedy too, ties included.
        LogitsSampler topOne = new LogitsSampler(params(1.3f, 1, 1f, 0f, 42));
        for (int i = 0; i < 50; i++) {
            assertEquals(2, topOne.sample(new float[] {0.1f, 0.2f, 0.9f, 0.9f, -4f}, NO_HISTORY, 0, 0));
        }
    }

    private static int[] draws(long seed, int count) {
        LogitsSampler s = new LogitsSampler(params(1f, 0, 1f, 0f, seed));
        float[] uniform = new float[16];
        int[] out = new int[count];
        for (int i = 0; i < count; i++) {
            out[i] = s.sample(uniform.clone(), NO_HISTORY, 0, 0);
        }
        return out;
    }

    @Test
    void theSameSeedGivesTheSameSequenceAndAnotherSeedAnother() {
        int[] a = draws(1234, 500);
        assertArrayEquals(a, draws(1234, 500));
        int[] b = draws(1235, 500);
        int same = 0;
        for (int i = 0; i < a.length; i++) {
            same += a[i] == b[i] ? 1 : 0;
        }
        // Independent uniform draws over 16 ids agree about 1 time in 16.
        assertTrue(same < 80, "seeds 1234 and 1235 agree on " + same + " of 500 draws");
        assertTrue(Arrays.stream(a).distinct().count() == 16, "every id of a uniform distribution is drawn");
    }

    @Test
    void frequenciesMatchSoftmaxAtTheTemperature() {
        float[] logits = {1f, 2f, 0.5f, 3f, -1f};
        for (float t : new float[] {1f, 0.7f, 2f}) {
            double[] f = frequencies(new LogitsSampler(params(t, 0, 1f, 0f, 7)), logits);
            assertMatches(softmax(logits, t, all(logits.length)), f);
        }
    }

    @Test
    void topKKeepsTheIdsOfTheKBestLogitsNotTheirPositions() {
        // The two best are ids 4 and 1, neither at the start nor in order.
        float[] logits = {0.1f, 2.0f, -1f, 0.5f, 2.3f, 1.9f, -3f};
        double[] f = frequencies(new LogitsSampler(params(1f, 2, 1f, 0f, 99)), logits);
        assertMatches(softmax(logits, 1, Set.of(1, 4)), f);
        assertTrue(f[1] > 0.3 && f[4] > 0.4);
    }

    @Test
    void topKOverALargeVocabularyReturnsOnlyTheBestIds() {
        Random random = new Random(5);
        float[] logits = new float[1000];
        for (int i = 0; i < logits.length; i++) {
            logits[i] = (float) random.nextGaussian();
        }
        Integer[] ids = new Integer[logits.length];
        Arrays.setAll(ids, i -> i);
        Arrays.sort(ids, (x, y) -> Float.compare(logits[y], logits[x]));
        Set<Integer> best = Set.of(ids[0], ids[1], ids[2]);
        LogitsSampler s = new LogitsSampler(params(1f, 3, 1f, 0f, 3));
        Set<Integer> seen = new HashSet<>();
        for (int i = 0; i < 2000; i++) {
            seen.add(s.sample(logits.clone(), NO_HISTORY, 0, 0));
        }
        assertEquals(best, seen);
    }

    @Test
    void topPKeepsTheSmallestPrefixReachingP() {
        float[] logits = logProbabilities(0.1, 0.5, 0.15, 0.25);
        // 0.5 + 0.25 = 0.75 reaches 0.7; 0.5 alone does not.
        assertMatches(softmax(logits, 1, Set.of(1, 3)),
                frequencies(new LogitsSampler(params(1f, 0, 0.7f, 0f, 11)), logits));
        assertMatches(softmax(logits, 1, Set.of(1)),
                frequencies(new LogitsSampler(params(1f, 0, 0.45f, 0f, 11)), logits));
        assertMatches(softmax(logits, 1, Set.of(1, 3, 2)),
                frequencies(new LogitsSampler(params(1f, 0, 0.8f, 0f, 11)), logits));
    }

    @Test
    void topPAppliesAfterTopKAndTemperature() {
        float[] logits = logProbabilities(0.4, 0.3, 0.2, 0.1);
        // top-k 2 leaves {0: 4/7, 1: 3/7}; top-p 0.5 then keeps only id 0.
        assertMatches(softmax(logits, 1, Set.of(0)),
                frequencies(new LogitsSampler(params(1f, 2, 0.5f, 0f, 13)), logits));
        // At temperature 0.5 the probabilities become 16:9:4:1 / 30; 0.6 is reached by ids 0 and 1 (25/30).
        assertMatches(softmax(logits, 0.5, Set.of(0, 1)),
                frequencies(new LogitsSampler(params(0.5f, 0, 0.6f, 0f, 13)), logits));
    }

    @Test
    void minPDropsTokensBelowMinPTimesTheMostLikely() {
        float[] logits = logProbabilities(0.15, 0.5, 0.1, 0.25);
        // min_p 0.25: threshold 0.125 keeps 0.5, 0.25, 0.15 and drops 0.1.
        assertMatches(softmax(logits, 1, Set.of(0, 1, 3)),
                frequencies(new LogitsSampler(params(1f, 0, 1f, 0.25f, 17)), logits));
        // min_p 0.35: threshold 0.175 keeps 0.5 and 0.25.
        assertMatches(softmax(logits, 1, Set.of(1, 3)),
                frequencies(new LogitsSampler(params(1f, 0, 1f, 0.35f, 17)), logits));
    }

    /** transformers' RepetitionPenaltyLogitsProcessor: gather the seen ids, then scatter the penalised scores. */
    private static float[] transformersRepetition(float[] logits, int[] ids, float penalty) {
        float[] out = logits.clone();
        for (int id : ids) {
            float score = logits[id];
            out[id] = score < 0 ? score * penalty : score / penalty;
        }
        return out;
    }

    @Test
    void repetitionPenaltyDividesPositiveAndMultipliesNegativeLogitsOfSeenIdsOnce() {
        float[] logits = {2f, -2f, 1f, 0.5f, -1f, 3f};
        int[] history = {0, 1, 0, 3, 0, 1, 4, 99};
        int length = 6; // ids 4 and 99 lie beyond the length and are not seen
        float[] expected = {1f, -4f, 1f, 0.25f, -1f, 3f};
        assertArrayEquals(expected, transformersRepetition(logits, Arrays.copyOf(history, length), 2f));

        LogitsSampler s = new LogitsSampler(penalties(2f, 0f, 0f));
        float[] work = logits.clone();
        assertEquals(5, s.sample(work, history, length, 2));
        assertArrayEquals(expected, work);
        // The same sampler applies the penalty afresh on the next call (no state leaks between calls).
        float[] again = logits.clone();
        s.sample(again, history, length, length);
        assertArrayEquals(expected, again);
    }

    @Test
    void repetitionPenaltyChangesTheGreedyChoice() {
        LogitsSampler s = new LogitsSampler(penalties(1.5f, 0f, 0f));
        assertEquals(1, s.sample(new float[] {2f, 1.5f, 0f}, new int[] {0}, 1, 1));
        assertEquals(0, new LogitsSampler(SamplingParameters.GREEDY).sample(new float[] {2f, 1.5f, 0f},
                new int[] {0}, 1, 1));
    }

    @Test
    void presenceAndFrequencyPenaltiesCountOnlyGeneratedTokens() {
        float[] logits = {1f, 1f, 1f, 1f, 1f, 1f};
        // Prompt [5, 1], generated [1, 2, 1]: id 1 twice, id 2 once; id 5 only in the prompt.
        int[] history = {5, 1, 1, 2, 1};
        LogitsSampler s = new LogitsSampler(penalties(1f, 0.5f, 0.25f));
        float[] work = logits.clone();
        assertEquals(0, s.sample(work, history, 5, 2));
        assertArrayEquals(new float[] {1f, 1f - 0.5f - 2 * 0.25f, 1f - 0.5f - 0.25f, 1f, 1f, 1f}, work);
        // Calling again penalises the same amounts (counts are reset).
        float[] again = logits.clone();
        s.sample(again, history, 5, 2);
        assertArrayEquals(work, again);
        // With every token counted as prompt nothing is penalised.
        float[] none = logits.clone();
        s.sample(none, history, 5, 5);
        assertArrayEquals(logits, none);
    }

    @Test
    void repetitionThenAdditivePenalties() {
        float[] logits = {4f, -1f, 2f};
        int[] history = {0, 1, 0};
        LogitsSampler s = new LogitsSampler(penalties(2f, 1f, 0.5f));
        float[] work = logits.clone();
        s.sample(work, history, 3, 1);
        // Repetition over the whole history: {2, -2, 2}; then generated [1, 0]: each once, -1.5.
        assertArrayEquals(new float[] {0.5f, -3.5f, 2f}, work);
    }

    @Test
    void negligibleLogitsAreNeverDrawnAndTheRestStillMatch() {
        float[] logits = {0f, -100f, 0.5f, Float.NEGATIVE_INFINITY};
        double[] f = frequencies(new LogitsSampler(params(1f, 0, 1f, 0f, 21)), logits);
        assertEquals(0.0, f[1]);
        assertEquals(0.0, f[3]);
        assertMatches(softmax(logits, 1, Set.of(0, 2)), f);
        assertFalse(f[0] == 0.0);
    }
}
