package dev.unicorn.backend.cpu;

import static dev.unicorn.backend.cpu.KernelFixtures.heap;
import static dev.unicorn.backend.cpu.KernelFixtures.random;
import static dev.unicorn.backend.cpu.KernelFixtures.read;
import static dev.unicorn.backend.cpu.KernelFixtures.rounded;
import static dev.unicorn.backend.cpu.KernelFixtures.stored;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.lang.foreign.Arena;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import dev.unicorn.api.backend.ComputeQueue;
import dev.unicorn.api.backend.Tensor;
import dev.unicorn.api.weights.DType;

class MatmulTest {
    /** Where the weight lives: allocated on the heap, or stored bytes bound in place. */
    enum Weights {
        HEAP_F32(DType.F32), MAPPED_F32(DType.F32), MAPPED_BF16(DType.BF16), MAPPED_F16(DType.F16);

        final DType type;

        Weights(DType type) {
            this.type = type;
        }
    }

    private static CpuBackend backend;
    private static Arena arena;

    @BeforeAll
    static void start() {
        backend = new CpuBackend(2);
        // Shared: the pool's second thread reads the weights, as it reads mapped safetensors.
        arena = Arena.ofShared();
    }

    @AfterAll
    static void stop() {
        backend.close();
        arena.close();
    }

    static List<Arguments> cases() {
        List<Arguments> cases = new ArrayList<>();
        for (Weights w : Weights.values()) {
            for (int n : new int[] {1, 5, 8}) {
                for (int k : new int[] {64, 96, 100, 7}) {
                    cases.add(Arguments.of(w, n, k, 37, false));
                    cases.add(Arguments.of(w, n, k, 37, true));
                }
            }
            cases.add(Arguments.of(w, 5, 33, 3, true));
            cases.add(Arguments.of(w, 2, 130, 50, false));
        }
        return cases;
    }

    /** out[i][j] = Σ x[i][c]·w[j][c] + bias[j] in double, and Σ |x·w| for the error bound. */
    private static double[][] reference(float[] x, float[] w, float[] bias, int n, int k, int m) {
        double[][] r = new double[2][n * m];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < m; j++) {
                double sum = bias == null ? 0 : bias[j];
                double magnitude = bias == null ? 0 : Math.abs(bias[j]);
                for (int c = 0; c < k; c++) {
                    double p = (double) x[i * k + c] * w[j * k + c];
                    sum += p;
                    magnitude += Math.abs(p);
                }
                r[0][i * m + j] = sum;
                r[1][i * m + j] = magnitude;
            }
        }
        return r;
    }

    private static Tensor weight(CpuBackend backend, Arena arena, Weights kind, float[] values, int m, int k) {
        return kind == Weights.HEAP_F32 ? heap(backend, m, k, values)
                : backend.bind(stored(arena, "w", kind.type, new long[] {m, k}, values));
    }

    private static void check(CpuBackend backend, Arena arena, Weights kind, int n, int k, int m, boolean withBias,
            long seed) {
        Random random = new Random(seed);
        float[] x = random(random, n * k);
        float[] w = random(random, m * k);
        float[] bias = withBias ? random(random, m) : null;
        Tensor wt = weight(backend, arena, kind, w, m, k);
        assertEquals(m, wt.rows());
        assertEquals(k, wt.columns());
        Tensor xt = heap(backend, n, k, x);
        Tensor bt = withBias ? heap(backend, 1, m, bias) : null;
        Tensor out = backend.allocate(n, m);
        ComputeQueue q = backend.newQueue();
        q.matmul(xt, wt, bt, out);
        q.finish();
        float[] actual = read(q, out);
        // The reference multiplies the weights exactly as stored (BF16/F16 rounded once).
        double[][] ref = reference(x, rounded(w, kind.type), bias, n, k, m);
        for (int e = 0; e < n * m; e++) {
            double tolerance = 1e-5 * ref[1][e] + 1e-7;
            int at = e;
            assertEquals(ref[0][e], actual[e], tolerance,
                    () -> kind + " n=" + n + " k=" + k + " m=" + m + " bias=" + withBias + ": out[" + at / m + "]["
                            + at % m + "]");
        }
    }

    @ParameterizedTest(name = "{0} n={1} k={2} m={3} bias={4}")
    @MethodSource("cases")
    void matchesTheScalarReference(Weights kind, int n, int k, int m, boolean withBias) {
        check(backend, arena, kind, n, k, m, withBias, 31L * n + 7L * k + m + kind.ordinal());
    }

    @Test
    void oneThreadAndConfinedWeightsGiveTheSameResults() {
        // One thread only: a confined arena's memory may be read by the calling thread alone.
        CpuBackend single = new CpuBackend(1);
        try (Arena confined = Arena.ofConfined()) {
            check(single, confined, Weights.MAPPED_BF16, 5, 100, 37, true, 1);
            check(single, confined, Weights.MAPPED_F32, 1, 96, 37, false, 2);
        } finally {
            single.close();
        }
    }

    @Test
    void storedBiasAndRowViewsOfLargerTensors() {
        int n = 3;
        int k = 40;
        int m = 21;
        Random random = new Random(77);
        float[] all = random(random, 7 * k);
        float[] w = random(random, m * k);
        float[] bias = random(random, m);
        Tensor big = heap(backend, 7, k, all);
        Tensor x = big.rows(2, n);
        Tensor wt = backend.bind(stored(arena, "w", DType.BF16, new long[] {m, k}, w));
        Tensor bt = backend.bind(stored(arena, "b", DType.BF16, new long[] {m}, bias));
        Tensor outAll = backend.allocate(5, m);
        Tensor out = outAll.rows(1, n);
        ComputeQueue q = backend.newQueue();
        q.matmul(x, wt, bt, out);
        float[] result = read(q, outAll);
        float[] xs = java.util.Arrays.copyOfRange(all, 2 * k, 5 * k);
        double[][] ref = reference(xs, rounded(w, DType.BF16), rounded(bias, DType.BF16), n, k, m);
        for (int j = 0; j < m; j++) {
            assertEquals(0f, result[j], "row 0 of the output is outside the view");
            assertEquals(0f, result[4 * m + j], "row 4 of the output is outside the view");
        }
        for (int e = 0; e < n * m; e++) {
            assertEquals(ref[0][e], result[m + e], 1e-5 * ref[1][e] + 1e-7, "out " + e);
        }
    }

    @Test
    void shapesThatDoNotFitAreRejected() {
        Tensor x = backend.allocate(2, 8);
        Tensor w = backend.allocate(4, 8);
        ComputeQueue q = backend.newQueue();
        assertThrows(IllegalArgumentException.class, () -> q.matmul(x, backend.allocate(4, 9), null,
                backend.allocate(2, 4)));
        assertThrows(IllegalArgumentException.class, () -> q.matmul(x, w, null, backend.allocate(2, 5)));
        assertThrows(IllegalArgumentException.class, () -> q.matmul(x, w, null, backend.allocate(3, 4)));
        assertThrows(IllegalArgumentException.class, () -> q.matmul(x, w, backend.allocate(1, 5),
                backend.allocate(2, 4)));
        Tensor stored = backend.bind(stored(arena, "w", DType.F32, new long[] {4, 8}, new float[32]));
        assertThrows(IllegalArgumentException.class, () -> q.matmul(stored, w, null, backend.allocate(4, 4)),
                "a stored weight is not an activation");
        assertThrows(IllegalArgumentException.class,
                () -> backend.bind(new dev.unicorn.api.weights.WeightTensor("ids", DType.I32, new long[] {2},
                        arena.allocate(8))));
    }
}
