package dev.unicorn.backend.cpu;

import static dev.unicorn.backend.cpu.KernelFixtures.heap;
import static dev.unicorn.backend.cpu.KernelFixtures.random;
import static dev.unicorn.backend.cpu.KernelFixtures.read;
import static dev.unicorn.backend.cpu.KernelFixtures.rounded;
import static dev.unicorn.backend.cpu.KernelFixtures.stored;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.lang.foreign.Arena;
import java.util.Arrays;
import java.util.Random;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import dev.unicorn.api.backend.Activation;
import dev.unicorn.api.backend.AttentionSpec;
import dev.unicorn.api.backend.ComputeQueue;
import dev.unicorn.api.backend.Tensor;
import dev.unicorn.api.weights.DType;

class KernelTest {
    private static CpuBackend backend;
    private static Arena arena;

    @BeforeAll
    static void start() {
        backend = new CpuBackend(2);
        arena = Arena.ofShared();
    }

    @AfterAll
    static void stop() {
        backend.close();
        arena.close();
    }

    private static void assertClose(double[] expected, float[] actual, double relative, String what) {
        assertEquals(expected.length, actual.length, what + ": length");
        for (int i = 0; i < expected.length; i++) {
            int at = i;
            assertEquals(expected[i], actual[i], relative * (1 + Math.abs(expected[i])),
                    () -> what + ": element " + at);
        }
    }

    // ---- attention

    /** Scalar causal grouped-query attention in double precision. */
    private static double[] attentionReference(float[] q, float[] k, float[] v, AttentionSpec s, int n) {
        int d = s.headDim();
        int qWidth = s.heads() * d;
        int kvWidth = s.kvHeads() * d;
        int group = s.heads() / s.kvHeads();
        double[] out = new double[n * qWidth];
        for (int i = 0; i < n; i++) {
            int position = s.firstPosition() + i;
            for (int h = 0; h < s.heads(); h++) {
                int kvh = h / group;
                double[] scores = new double[position + 1];
                double max = Double.NEGATIVE_INFINITY;
                for (int t = 0; t <= position; t++) {
                    boolean visible = s.window() == 0 || t > position - s.window();
                    if (!visible) {
                        scores[t] = Double.NEGATIVE_INFINITY;
                        continue;
                    }
                    double dot = 0;
                    for (int c = 0; c < d; c++) {
                        dot += (double) q[i * qWidth + h * d + c] * k[t * kvWidth + kvh * d + c];
                    }
                    double score = dot * s.scale();
                    if (s.softCap() > 0) {
                        score = s.softCap() * Math.tanh(score / s.softCap());
                    }
                    scores[t] = score;
                    max = Math.max(max, score);
                }
                double sum = 0;
                for (int t = 0; t <= position; t++) {
                    scores[t] = Math.exp(scores[t] - max);
                    sum += scores[t];
                }
                for (int t = 0; t <= position; t++) {
                    for (int c = 0; c < d; c++) {
                        out[i * qWidth + h * d + c] += scores[t] / sum * v[t * kvWidth + kvh * d + c];
                    }
                }
            }
        }
        return out;
    }

    @ParameterizedTest(name = "heads={0} kvHeads={1} d={2} first={3} n={4} window={5} cap={6}")
    @CsvSource({
        "4, 2, 16, 0, 5, 0, 0",
        "4, 2, 16, 6, 3, 0, 0",
        "4, 2, 16, 6, 3, 4, 0",
        "4, 2, 16, 6, 3, 0, 1.5",
        "4, 2, 16, 9, 4, 3, 2.0",
        "4, 4, 8, 2, 1, 0, 0",
        "6, 2, 32, 20, 1, 8, 50.0",
        "4, 1, 64, 0, 12, 1, 0"})
    void attentionMatchesTheScalarReference(int heads, int kvHeads, int d, int first, int n, int window, float cap) {
        Random random = new Random(heads * 1000L + first * 10L + window);
        int cacheRows = first + n + 3; // the cache holds rows past the last query, which must stay unseen
        // Larger queries make the soft cap and the softmax matter.
        float[] q = random(random, n * heads * d);
        for (int i = 0; i < q.length; i++) {
            q[i] *= 2;
        }
        float[] k = random(random, cacheRows * kvHeads * d);
        float[] v = random(random, cacheRows * kvHeads * d);
        AttentionSpec spec = new AttentionSpec(heads, kvHeads, d, (float) (1 / Math.sqrt(d)), first, window, cap);
        Tensor out = backend.allocate(n, heads * d);
        ComputeQueue queue = backend.newQueue();
        queue.attention(heap(backend, n, heads * d, q), heap(backend, cacheRows, kvHeads * d, k),
                heap(backend, cacheRows, kvHeads * d, v), spec, out);
        float[] actual = read(queue, out);
        float[] kUsed = Arrays.copyOf(k, (first + n) * kvHeads * d);
        assertClose(attentionReference(q, kUsed, v, spec, n), actual, 2e-5, spec.toString());
    }

    /** A ring cache (position p at row p % rows) gives what a linear cache of the same keys gives. */
    @ParameterizedTest(name = "first={0} n={1} window={2} ring={3}")
    @CsvSource({"0, 4, 3, 6", "6, 4, 3, 6", "11, 1, 5, 5", "17, 5, 5, 9", "40, 3, 8, 10", "9, 1, 1, 1"})
    void ringCacheMatchesALinearCache(int first, int n, int window, int ring) {
        int heads = 4;
        int kvHeads = 2;
        int d = 8;
        int kvWidth = kvHeads * d;
        Random random = new Random(first * 31L + ring);
        float[] q = random(random, n * heads * d);
        float[] k = random(random, (first + n) * kvWidth);
        float[] v = random(random, (first + n) * kvWidth);
        float[] kRing = new float[ring * kvWidth];
        float[] vRing = new float[ring * kvWidth];
        for (int p = Math.max(0, first + n - ring); p < first + n; p++) { // the last `ring` positions survive
            System.arraycopy(k, p * kvWidth, kRing, (p % ring) * kvWidth, kvWidth);
            System.arraycopy(v, p * kvWidth, vRing, (p % ring) * kvWidth, kvWidth);
        }
        float scale = (float) (1 / Math.sqrt(d));
        ComputeQueue queue = backend.newQueue();
        Tensor linearOut = backend.allocate(n, heads * d);
        queue.attention(heap(backend, n, heads * d, q), heap(backend, first + n, kvWidth, k),
                heap(backend, first + n, kvWidth, v), new AttentionSpec(heads, kvHeads, d, scale, first, window, 0f),
                linearOut);
        Tensor ringOut = backend.allocate(n, heads * d);
        AttentionSpec ringSpec = new AttentionSpec(heads, kvHeads, d, scale, first, window, 0f, ring);
        queue.attention(heap(backend, n, heads * d, q), heap(backend, ring, kvWidth, kRing),
                heap(backend, ring, kvWidth, vRing), ringSpec, ringOut);
        assertArrayEquals(read(queue, linearOut), read(queue, ringOut), ringSpec.toString());
    }

    @Test
    void ringCacheTooSmallForTheBatchIsRejected() {
        ComputeQueue queue = backend.newQueue();
        // 4 queries with window 3 read 6 positions: a ring of 5 rows would have lost the oldest.
        AttentionSpec spec = new AttentionSpec(2, 1, 4, 1f, 10, 3, 0f, 5);
        assertThrows(IllegalArgumentException.class, () -> queue.attention(backend.allocate(4, 8),
                backend.allocate(5, 4), backend.allocate(5, 4), spec, backend.allocate(4, 8)));
        assertThrows(IllegalArgumentException.class, () -> new AttentionSpec(2, 1, 4, 1f, 0, 0, 0f, 5),
                "a ring needs a window");
        assertThrows(IllegalArgumentException.class, () -> new AttentionSpec(2, 1, 4, 1f, 0, 6, 0f, 5),
                "the window must fit the ring");
    }

    @Test
    void attentionOfTheFirstPositionReturnsItsValue() {
        AttentionSpec spec = new AttentionSpec(2, 1, 4, 0.5f, 0, 0, 0f);
        float[] v = {1, 2, 3, 4};
        Tensor out = backend.allocate(1, 8);
        ComputeQueue queue = backend.newQueue();
        queue.attention(heap(backend, 1, 8, new float[] {9, -3, 1, 7, 0, 0, 5, 5}),
                heap(backend, 1, 4, new float[] {1, 1, 1, 1}), heap(backend, 1, 4, v), spec, out);
        assertArrayEquals(new float[] {1, 2, 3, 4, 1, 2, 3, 4}, read(queue, out));
    }

    @Test
    void attentionShapesThatDoNotFitAreRejected() {
        ComputeQueue queue = backend.newQueue();
        AttentionSpec spec = new AttentionSpec(4, 2, 8, 1f, 2, 0, 0f);
        Tensor q = backend.allocate(3, 32);
        Tensor kv = backend.allocate(5, 16);
        Tensor out = backend.allocate(3, 32);
        assertThrows(IllegalArgumentException.class,
                () -> queue.attention(q, backend.allocate(4, 16), backend.allocate(4, 16), spec, out),
                "positions 2..4 need 5 cache rows");
        assertThrows(IllegalArgumentException.class,
                () -> queue.attention(q, kv, backend.allocate(5, 32), spec, out));
        assertThrows(IllegalArgumentException.class,
                () -> queue.attention(q, kv, kv, spec, backend.allocate(2, 32)));
        assertThrows(IllegalArgumentException.class,
                () -> queue.attention(backend.allocate(3, 24), kv, kv, spec, out));
        assertThrows(IllegalArgumentException.class, () -> new AttentionSpec(4, 3, 8, 1f, 0, 0, 0f));
    }

    // ---- rmsNorm

    private static double[] rmsReference(float[] x, float[] w, double eps, double offset) {
        int d = w.length;
        double[] out = new double[x.length];
        for (int r = 0; r < x.length / d; r++) {
            double ss = 0;
            for (int c = 0; c < d; c++) {
                ss += (double) x[r * d + c] * x[r * d + c];
            }
            double inv = 1 / Math.sqrt(ss / d + eps);
            for (int c = 0; c < d; c++) {
                out[r * d + c] = x[r * d + c] * inv * (offset + w[c]);
            }
        }
        return out;
    }

    @ParameterizedTest(name = "rows={0} columns={1} weight={2} offset={3} stored={4}")
    @CsvSource({
        "3, 64, 64, 0, F32",
        "3, 64, 64, 1, F32",
        "2, 100, 100, 0, BF16",
        "2, 100, 100, 1, BF16",
        "3, 128, 32, 0, BF16",
        "1, 96, 16, 1, F16",
        "4, 40, 40, 0, HEAP"})
    void rmsNormMatchesTheScalarReference(int rows, int columns, int d, float offset, String stored) {
        Random random = new Random(rows * 100L + columns + d);
        float[] x = random(random, rows * columns);
        float[] w = random(random, d);
        Tensor weight = stored.equals("HEAP") ? heap(backend, 1, d, w)
                : backend.bind(stored(arena, "norm.weight", DType.valueOf(stored), new long[] {d}, w));
        float[] exact = stored.equals("HEAP") ? w : rounded(w, DType.valueOf(stored));
        Tensor out = backend.allocate(rows, columns);
        ComputeQueue queue = backend.newQueue();
        queue.rmsNorm(heap(backend, rows, columns, x), weight, 1e-6f, offset, out);
        assertClose(rmsReference(x, exact, 1e-6, offset), read(queue, out), 1e-5, "rmsNorm");
    }

    @Test
    void rmsNormInPlaceAndTheEpsilonMatter() {
        float[] x = {0.001f, -0.002f, 0.0005f, 0f};
        float[] w = {1f, 1f, 1f, 1f};
        Tensor t = heap(backend, 1, 4, x);
        ComputeQueue queue = backend.newQueue();
        queue.rmsNorm(t, heap(backend, 1, 4, w), 1e-5f, 0f, t);
        assertClose(rmsReference(x, w, 1e-5, 0), read(queue, t), 1e-5, "in place, eps dominating");
    }

    @Test
    void rmsNormWeightThatDoesNotDivideTheRowIsRejected() {
        ComputeQueue queue = backend.newQueue();
        assertThrows(IllegalArgumentException.class, () -> queue.rmsNorm(backend.allocate(2, 30),
                backend.allocate(1, 8), 1e-6f, 0f, backend.allocate(2, 30)));
        assertThrows(IllegalArgumentException.class, () -> queue.rmsNorm(backend.allocate(2, 32),
                backend.allocate(1, 8), 1e-6f, 0f, backend.allocate(2, 16)));
    }

    // ---- rope

    @ParameterizedTest(name = "heads={0} headDim={1} rotaryDim={2}")
    @CsvSource({"2, 8, 8", "3, 64, 64", "2, 16, 8"})
    void ropeRotatesHalfSplitPairsByTheGivenAngles(int heads, int headDim, int rotaryDim) {
        int rows = 3;
        int half = rotaryDim / 2;
        Random random = new Random(headDim + rotaryDim);
        float[] x = random(random, rows * heads * headDim);
        float[] cos = new float[rows * half];
        float[] sin = new float[rows * half];
        for (int r = 0; r < rows; r++) {
            for (int i = 0; i < half; i++) {
                double angle = (5 + r) * Math.pow(10_000, -2.0 * i / rotaryDim);
                cos[r * half + i] = (float) Math.cos(angle);
                sin[r * half + i] = (float) Math.sin(angle);
            }
        }
        double[] expected = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            expected[i] = x[i];
        }
        for (int r = 0; r < rows; r++) {
            for (int h = 0; h < heads; h++) {
                int base = r * heads * headDim + h * headDim;
                for (int i = 0; i < half; i++) {
                    double c = cos[r * half + i];
                    double s = sin[r * half + i];
                    double a = x[base + i];
                    double b = x[base + i + half];
                    expected[base + i] = a * c - b * s;
                    expected[base + i + half] = b * c + a * s;
                }
            }
        }
        Tensor t = heap(backend, rows, heads * headDim, x);
        ComputeQueue queue = backend.newQueue();
        queue.rope(t, headDim, rotaryDim, cos, sin);
        assertClose(expected, read(queue, t), 1e-6, "rope");
    }

    // ---- gated activation

    @Test
    void gatedActivationSiluAndGeluTanh() {
        Random random = new Random(8);
        float[] gate = random(random, 2 * 50);
        float[] up = random(random, 2 * 50);
        gate[0] = 12f;
        gate[1] = -12f;
        gate[2] = 0f;
        gate[3] = -80f;
        for (Activation activation : Activation.values()) {
            double[] expected = new double[gate.length];
            for (int i = 0; i < gate.length; i++) {
                double a = gate[i];
                double act = switch (activation) {
                    case SILU -> a / (1 + Math.exp(-a));
                    case GELU_TANH -> 0.5 * a * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (a + 0.044715 * a * a * a)));
                };
                expected[i] = act * up[i];
            }
            Tensor out = backend.allocate(2, 50);
            ComputeQueue queue = backend.newQueue();
            queue.gatedActivation(activation, heap(backend, 2, 50, gate), heap(backend, 2, 50, up), out);
            assertClose(expected, read(queue, out), 1e-6, activation.toString());
        }
        ComputeQueue queue = backend.newQueue();
        assertThrows(IllegalArgumentException.class, () -> queue.gatedActivation(Activation.SILU,
                backend.allocate(2, 50), backend.allocate(2, 49), backend.allocate(2, 50)));
    }

    // ---- embed

    @ParameterizedTest
    @CsvSource({"BF16", "F16", "F32"})
    void embedConvertsTheRowsOfTheIds(String typeName) {
        DType type = DType.valueOf(typeName);
        int vocab = 10;
        int d = 12;
        Random random = new Random(4);
        float[] table = random(random, vocab * d);
        Tensor t = backend.bind(stored(arena, "embed_tokens.weight", type, new long[] {vocab, d}, table));
        float[] exact = rounded(table, type);
        int[] ids = {3, 0, 9, 3, 7};
        Tensor out = backend.allocate(5, d);
        ComputeQueue queue = backend.newQueue();
        queue.embed(t, ids, 4, out);
        float[] actual = read(queue, out);
        for (int i = 0; i < 4; i++) {
            assertArrayEquals(Arrays.copyOfRange(exact, ids[i] * d, ids[i] * d + d),
                    Arrays.copyOfRange(actual, i * d, i * d + d), "row " + i + " (id " + ids[i] + ")");
        }
        assertArrayEquals(new float[d], Arrays.copyOfRange(actual, 4 * d, 5 * d), "only count rows are written");
        assertThrows(IllegalArgumentException.class, () -> queue.embed(t, new int[] {10}, 1, out));
        assertThrows(IllegalArgumentException.class, () -> queue.embed(t, new int[] {-1}, 1, out));
        assertThrows(IllegalArgumentException.class, () -> queue.embed(t, ids, 5, backend.allocate(4, d)));
        assertThrows(IllegalArgumentException.class, () -> queue.embed(t, ids, 1, backend.allocate(1, d + 1)));
    }

    // ---- element-wise and copies

    @Test
    void addScaleSoftCapCopyRowsAndRead() {
        Random random = new Random(12);
        float[] a = random(random, 3 * 37);
        float[] b = random(random, 3 * 37);
        ComputeQueue queue = backend.newQueue();
        Tensor out = backend.allocate(3, 37);
        queue.add(heap(backend, 3, 37, a), heap(backend, 3, 37, b), out);
        float[] sum = read(queue, out);
        for (int i = 0; i < a.length; i++) {
            assertEquals(a[i] + b[i], sum[i]);
        }
        queue.scale(out, -0.5f);
        float[] scaled = read(queue, out);
        for (int i = 0; i < a.length; i++) {
            assertEquals((a[i] + b[i]) * -0.5f, scaled[i]);
        }
        Tensor capped = heap(backend, 1, 3, new float[] {100f, -1f, 0f});
        queue.softCap(capped, 30f);
        assertClose(new double[] {30 * Math.tanh(100 / 30.0), 30 * Math.tanh(-1 / 30.0), 0}, read(queue, capped),
                1e-6, "softCap");
        Tensor cache = backend.allocate(6, 4);
        queue.copyRows(heap(backend, 2, 4, new float[] {1, 2, 3, 4, 5, 6, 7, 8}), cache, 3);
        float[] c = read(queue, cache);
        assertArrayEquals(new float[] {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 2, 3, 4, 5, 6, 7, 8, 0, 0, 0, 0}, c);
        assertThrows(IllegalArgumentException.class,
                () -> queue.copyRows(backend.allocate(2, 4), cache, 5));
        assertThrows(IllegalArgumentException.class,
                () -> queue.add(backend.allocate(3, 37), backend.allocate(37, 3), backend.allocate(3, 37)));
        float[] dst = new float[10];
        queue.read(cache.rows(3, 2).reshape(1, 8), dst, 2);
        assertArrayEquals(new float[] {0, 0, 1, 2, 3, 4, 5, 6, 7, 8}, dst);
    }
}
