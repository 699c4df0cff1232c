package dev.unicorn.backend.cpu;

import static dev.unicorn.backend.cpu.KernelFixtures.heap;
import static dev.unicorn.backend.cpu.KernelFixtures.read;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import dev.unicorn.api.backend.ComputeQueue;
import dev.unicorn.api.backend.Tensor;
import dev.unicorn.api.weights.DType;
import dev.unicorn.api.weights.WeightTensor;

/**
 * ggml block types against fixtures/quant, made by tools/reference/make_quant_fixtures.py with gguf-py: the
 * dequantized rows and x · Wᵀ (float64 over gguf-py's dequantized weights).
 */
class QuantizedTest {
    private static final int N = 5, M = 37, K = 512;
    private static final Path DIR = Path.of(System.getProperty("unicorn.root", "../..")).resolve("fixtures/quant");

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

    private static ByteBuffer file(String name) throws IOException {
        Path p = DIR.resolve(name);
        assertTrue(Files.isRegularFile(p), () -> "fixture not found at " + p.toAbsolutePath());
        return ByteBuffer.wrap(Files.readAllBytes(p)).order(ByteOrder.LITTLE_ENDIAN);
    }

    private static float[] floats(String name) throws IOException {
        ByteBuffer b = file(name);
        float[] v = new float[b.remaining() / 4];
        b.asFloatBuffer().get(v);
        return v;
    }

    private static double[] doubles(String name) throws IOException {
        ByteBuffer b = file(name);
        double[] v = new double[b.remaining() / 8];
        b.asDoubleBuffer().get(v);
        return v;
    }

    /** The fixture's blocks at an odd address inside the arena, bound in place as a mapped GGUF tensor would be. */
    private static Tensor bind(DType type) throws IOException {
        ByteBuffer raw = file(type + ".blocks");
        assertEquals(type.byteSize((long) M * K), raw.remaining(), type + " block bytes");
        MemorySegment s = arena.allocate(raw.remaining() + 1L).asSlice(1, raw.remaining());
        s.copyFrom(MemorySegment.ofBuffer(raw));
        Tensor t = backend.bind(new WeightTensor("w", type, new long[] {M, K}, s.asReadOnly()));
        assertEquals(M, t.rows());
        assertEquals(K, t.columns());
        return t;
    }

    @ParameterizedTest
    @EnumSource(names = {"Q8_0", "Q4_0", "Q4_1", "Q5_0", "Q5_1", "Q4_K", "Q5_K", "Q6_K"})
    void supportedAndEmbeddedRowsMatchGgufPy(DType type) throws IOException {
        assertTrue(backend.supports(type));
        float[] expected = floats(type + ".dequant.f32");
        Tensor w = bind(type);
        int[] ids = new int[M];
        for (int i = 0; i < M; i++) {
            ids[i] = M - 1 - i;
        }
        Tensor out = backend.allocate(M, K);
        ComputeQueue q = backend.newQueue();
        q.embed(w, ids, M, out);
        float[] actual = read(q, out);
        for (int i = 0; i < M; i++) {
            for (int c = 0; c < K; c++) {
                float e = expected[ids[i] * K + c];
                // Same float32 operations as gguf-py, up to the order of d·scale·q.
                assertEquals(e, actual[i * K + c], 2 * Math.ulp(e) + 1e-7f * Math.abs(expected[ids[i] * K]),
                        type + " row " + ids[i] + " column " + c);
            }
        }
    }

    @ParameterizedTest
    @EnumSource(names = {"Q8_0", "Q4_0", "Q4_1", "Q5_0", "Q5_1", "Q4_K", "Q5_K", "Q6_K"})
    void decodeAndPrefillMatmulMatchTheFloat64Product(DType type) throws IOException {
        float[] x = floats("x.f32");
        float[] deq = floats(type + ".dequant.f32");
        double[] ref = doubles(type + ".out.f64");
        Tensor w = bind(type);
        for (int n : new int[] {1, N, 4, 2}) {
            Tensor xt = heap(backend, n, K, java.util.Arrays.copyOf(x, n * K));
            Tensor out = backend.allocate(n, M);
            ComputeQueue q = backend.newQueue();
            q.matmul(xt, w, null, out);
            q.finish();
            float[] actual = read(q, out);
            for (int i = 0; i < n; i++) {
                for (int j = 0; j < M; j++) {
                    double magnitude = 0;
                    for (int c = 0; c < K; c++) {
                        magnitude += Math.abs((double) x[i * K + c] * deq[j * K + c]);
                    }
                    // f32 accumulation over 512 products: well inside 1e-5 of Σ|x·w|, plus 1e-4 relative.
                    double e = ref[i * M + j];
                    int row = i, col = j, rows = n;
                    assertEquals(e, actual[i * M + j], 1e-4 * Math.abs(e) + 1e-5 * magnitude,
                            () -> type + " n=" + rows + " out[" + row + "][" + col + "]");
                }
            }
        }
    }

    /** A batched decode step of 2..9 rows gives each row exactly what it gets alone (same operations, same order). */
    @ParameterizedTest
    @EnumSource(names = {"Q8_0", "Q4_0", "Q5_0", "Q4_K", "Q5_K", "Q6_K"})
    void smallBatchRowsEqualEachRowAlone(DType type) throws IOException {
        float[] x = floats("x.f32");
        Tensor w = bind(type);
        ComputeQueue q = backend.newQueue();
        float[][] alone = new float[N][];
        for (int i = 0; i < N; i++) {
            Tensor out = backend.allocate(1, M);
            q.matmul(heap(backend, 1, K, java.util.Arrays.copyOfRange(x, i * K, (i + 1) * K)), w, null, out);
            alone[i] = read(q, out);
        }
        for (int n = 2; n <= 9; n++) {
            float[] rows = new float[n * K];
            for (int i = 0; i < n; i++) {
                System.arraycopy(x, (i % N) * K, rows, i * K, K);
            }
            Tensor out = backend.allocate(n, M);
            q.matmul(heap(backend, n, K, rows), w, null, out);
            float[] batched = read(q, out);
            for (int i = 0; i < n; i++) {
                org.junit.jupiter.api.Assertions.assertArrayEquals(alone[i % N],
                        java.util.Arrays.copyOfRange(batched, i * M, (i + 1) * M), type + " n=" + n + " row " + i);
            }
        }
    }

    @Test
    void rowsOfPartialBlocksAreRejected() {
        MemorySegment s = arena.allocate(DType.Q4_K.blockBytes());
        assertThrows(IllegalArgumentException.class,
                () -> backend.bind(new WeightTensor("w", DType.Q4_K, new long[] {2, 128}, s)));
    }
}
