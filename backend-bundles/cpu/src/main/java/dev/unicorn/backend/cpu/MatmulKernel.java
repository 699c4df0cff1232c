package dev.unicorn.backend.cpu;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

import dev.unicorn.api.weights.DType;

/**
 * {@code out[n, m] = x[n, k] · W[m, k]ᵀ + bias}, rows of W split over the pool's threads. W is read where it
 * lies: f32 on the heap or mapped, BF16 (converted in registers) or F16. One input row streams each weight row
 * once (decode, bandwidth-bound); several input rows share each converted block of weight rows (prefill).
 */
final class MatmulKernel implements WorkerPool.Job {
    static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
    static final VectorSpecies<Integer> I = IntVector.SPECIES_PREFERRED;
    private static final int L = F.length();
    private static final ValueLayout.OfShort F16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfFloat F32 = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    /** Weight rows converted together when several input rows share them. */
    private static final int BLOCK = 4;
    /** Most input rows that read quantized weights through the fused dot products (batched decode steps). */
    static final int SMALL_BATCH = 16;
    /** Most weight rows in one task: long enough runs for the hardware prefetcher. */
    private static final int MAX_ROWS_PER_TASK = 64;

    private final WorkerPool pool;
    private final float[][] rowScratch;
    private float[] permuted = new float[0];
    /** Sums of each 16 inputs of the single input row, for the offsets and minimums of quantized blocks. */
    private float[] inputSums16 = new float[0];
    /** Per worker: the four results of {@link QuantizedRows#dot4} and its input offsets. */
    private final float[][] dot4Out;
    private final int[][] dot4Inputs;
    private final int[][] dot4Sums;
    private boolean smallBatch;

    private CpuTensor x;
    private CpuTensor w;
    private CpuTensor bias;
    private CpuTensor out;
    private int n;
    private int k;
    private int m;
    private float[] input;
    private int inputOffset;
    private int rowsPerTask;

    MatmulKernel(WorkerPool pool) {
        this.pool = pool;
        this.rowScratch = new float[pool.threads()][];
        this.dot4Out = new float[pool.threads()][4];
        this.dot4Inputs = new int[pool.threads()][4];
        this.dot4Sums = new int[pool.threads()][4];
    }

    void run(CpuTensor x, CpuTensor w, CpuTensor bias, CpuTensor out) {
        this.x = x;
        this.w = w;
        this.bias = bias;
        this.out = out;
        this.n = (int) x.rows;
        this.k = (int) x.columns;
        this.m = (int) w.rows;
        smallBatch = false;
        if (w.type == DType.BF16) {
            // BF16 pairs are split into even and odd lanes in registers: lay x out the same way once.
            if (permuted.length < n * k) {
                permuted = new float[n * k];
            }
            for (int r = 0; r < n; r++) {
                permute(x.data, x.offset + r * k, permuted, r * k, k);
            }
            input = permuted;
            inputOffset = 0;
        } else {
            input = x.data;
            inputOffset = x.offset;
            smallBatch = n > 1 && n <= SMALL_BATCH && QuantizedRows.fused(w.type);
            if (n <= SMALL_BATCH && QuantizedRows.fused(w.type)) {
                if (inputSums16.length < n * (k / 16)) {
                    inputSums16 = new float[SMALL_BATCH * (k / 16)];
                }
                for (int r = 0; r < n; r++) {
                    QuantizedRows.sums16(input, inputOffset + r * k, k, inputSums16, r * (k / 16));
                }
            }
        }
        // Enough tasks to balance the threads, each a multiple of the four-row blocks.
        rowsPerTask = Math.clamp(((m / (pool.threads() * 8)) + 3) & ~3, BLOCK, MAX_ROWS_PER_TASK);
        pool.run((m + rowsPerTask - 1) / rowsPerTask, this);
        this.x = this.w = this.bias = this.out = null;
        this.input = null;
    }

    @Override
    public void run(int task, int worker) {
        int from = task * rowsPerTask;
        int to = Math.min(m, from + rowsPerTask);
        if (n == 1) {
            int j = from;
            if (w.type.quantized()) {
                decodeQuantized(from, to, worker);
                return;
            }
            if (w.type == DType.BF16 && !w.onHeap()) {
                for (; j + 4 <= to; j += 4) {
                    dotBf16x4(w.segment, w.type.byteSize((long) j * k), j);
                }
            }
            for (; j < to; j++) {
                store(0, j, dotRow(j));
            }
            return;
        }
        if (smallBatch) {
            smallBatchQuantized(from, to, worker);
            return;
        }
        float[] scratch = rowScratch[worker];
        if (scratch == null || scratch.length < BLOCK * k) {
            scratch = rowScratch[worker] = new float[BLOCK * k];
        }
        for (int j = from; j < to; j += BLOCK) {
            int rowsHere = Math.min(BLOCK, to - j);
            for (int b = 0; b < rowsHere; b++) {
                convertRow(j + b, scratch, b * k);
            }
            int i = 0;
            if (rowsHere == BLOCK) {
                for (; i + 4 <= n; i += 4) {
                    dot4x4(input, inputOffset + i * k, scratch, k, i, j);
                }
            }
            for (; i < n; i++) {
                int xo = inputOffset + i * k;
                if (rowsHere == BLOCK) {
                    dot4(input, xo, scratch, k, i, j);
                } else {
                    for (int b = 0; b < rowsHere; b++) {
                        store(i, j + b, dot(input, xo, scratch, b * k, k));
                    }
                }
            }
        }
    }

    /**
     * Quantized weight rows against a few input rows (a batched decode step), through the fused dot products: each
     * weight row is read from memory once for all inputs, and where {@link QuantizedRows#fused4} holds its blocks are
     * converted once for four inputs (a last partial group repeats its last input and drops the extra results).
     */
    private void smallBatchQuantized(int from, int to, int worker) {
        MemorySegment s = w.segment;
        DType type = w.type;
        float[] x = input;
        float[] sums = inputSums16;
        int columns = k;
        int groups = k / 16;
        long rowBytes = type.byteSize(columns);
        boolean four = QuantizedRows.fused4(type);
        float[] results = dot4Out[worker];
        int[] xo = dot4Inputs[worker];
        int[] so = dot4Sums[worker];
        for (int j = from; j < to; j++) {
            long base = j * rowBytes;
            if (four) {
                for (int i = 0; i < n; i += 4) {
                    for (int r = 0; r < 4; r++) {
                        int row = Math.min(i + r, n - 1);
                        xo[r] = inputOffset + row * columns;
                        so[r] = row * groups;
                    }
                    QuantizedRows.dot4(type, s, base, columns, x, xo, sums, so, results);
                    for (int r = 0; r < 4 && i + r < n; r++) {
                        store(i + r, j, results[r]);
                    }
                }
            } else {
                for (int i = 0; i < n; i++) {
                    store(i, j, QuantizedRows.dot(type, s, base, columns, x, inputOffset + i * columns, sums, i * groups));
                }
            }
        }
    }

    /** Quantized weight rows against the single input row: fused per-block dot products, or one row dequantized. */
    private void decodeQuantized(int from, int to, int worker) {
        MemorySegment s = w.segment;
        DType type = w.type;
        if (QuantizedRows.fused(type)) {
            float[] x = input;
            int xo = inputOffset;
            float[] sums = inputSums16;
            int columns = k;
            long rowBytes = type.byteSize(columns);
            for (int j = from; j < to; j++) {
                store(0, j, QuantizedRows.dot(type, s, j * rowBytes, columns, x, xo, sums, 0));
            }
            return;
        }
        float[] scratch = rowScratch[worker];
        if (scratch == null || scratch.length < BLOCK * k) {
            scratch = rowScratch[worker] = new float[BLOCK * k];
        }
        for (int j = from; j < to; j++) {
            QuantizedRows.dequantize(type, s, type.byteSize((long) j * k), k, scratch, 0);
            store(0, j, dot(input, inputOffset, scratch, 0, k));
        }
    }

    private void store(int i, int j, float value) {
        if (bias != null) {
            value += bias.onHeap() ? bias.data[bias.offset + j] : biasAt(j);
        }
        out.data[out.offset + i * m + j] = value;
    }

    private float biasAt(int j) {
        return switch (bias.type) {
            case F32 -> bias.segment.get(F32, 4L * j);
            case BF16 -> Float.intBitsToFloat(bias.segment.get(F16, 2L * j) << 16);
            case F16 -> Float.float16ToFloat(bias.segment.get(F16, 2L * j));
            default -> throw new IllegalStateException("bias of type " + bias.type);
        };
    }

    /** One weight row against the single input row, reading the weight once. */
    private float dotRow(int j) {
        if (w.onHeap()) {
            return dot(input, inputOffset, w.data, w.offset + j * k, k);
        }
        MemorySegment s = w.segment;
        long base = w.type.byteSize((long) j * k);
        return switch (w.type) {
            case BF16 -> dotBf16(s, base);
            case F32 -> dotF32(s, base);
            default -> {
                float sum = 0;
                for (int c = 0; c < k; c++) {
                    sum += Float.float16ToFloat(s.get(F16, base + 2L * c)) * input[inputOffset + c];
                }
                yield sum;
            }
        };
    }

    private float dotBf16(MemorySegment s, long base) {
        FloatVector acc0 = FloatVector.zero(F);
        FloatVector acc1 = FloatVector.zero(F);
        int c = 0;
        int step = 2 * L;
        for (; c + step <= k; c += step) {
            IntVector pair = IntVector.fromMemorySegment(I, s, base + 2L * c, ByteOrder.LITTLE_ENDIAN);
            FloatVector even = pair.lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats();
            FloatVector odd = pair.lanewise(VectorOperators.AND, 0xFFFF0000).reinterpretAsFloats();
            acc0 = even.fma(FloatVector.fromArray(F, input, inputOffset + c), acc0);
            acc1 = odd.fma(FloatVector.fromArray(F, input, inputOffset + c + L), acc1);
        }
        float sum = acc0.add(acc1).reduceLanes(VectorOperators.ADD);
        for (; c < k; c++) {
            sum += Float.intBitsToFloat(s.get(F16, base + 2L * c) << 16) * input[inputOffset + c];
        }
        return sum;
    }

    /** Four consecutive BF16 weight rows against the single input row: four memory streams in flight. */
    private void dotBf16x4(MemorySegment s, long base, int j) {
        long rowBytes = 2L * k;
        FloatVector a0 = FloatVector.zero(F);
        FloatVector a1 = FloatVector.zero(F);
        FloatVector a2 = FloatVector.zero(F);
        FloatVector a3 = FloatVector.zero(F);
        int c = 0;
        int step = 2 * L;
        for (; c + step <= k; c += step) {
            FloatVector xe = FloatVector.fromArray(F, input, inputOffset + c);
            FloatVector xo = FloatVector.fromArray(F, input, inputOffset + c + L);
            long at = base + 2L * c;
            IntVector p0 = IntVector.fromMemorySegment(I, s, at, ByteOrder.LITTLE_ENDIAN);
            IntVector p1 = IntVector.fromMemorySegment(I, s, at + rowBytes, ByteOrder.LITTLE_ENDIAN);
            IntVector p2 = IntVector.fromMemorySegment(I, s, at + 2 * rowBytes, ByteOrder.LITTLE_ENDIAN);
            IntVector p3 = IntVector.fromMemorySegment(I, s, at + 3 * rowBytes, ByteOrder.LITTLE_ENDIAN);
            a0 = p0.lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats().fma(xe, a0);
            a1 = p1.lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats().fma(xe, a1);
            a2 = p2.lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats().fma(xe, a2);
            a3 = p3.lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats().fma(xe, a3);
            a0 = p0.lanewise(VectorOperators.AND, 0xFFFF0000).reinterpretAsFloats().fma(xo, a0);
            a1 = p1.lanewise(VectorOperators.AND, 0xFFFF0000).reinterpretAsFloats().fma(xo, a1);
            a2 = p2.lanewise(VectorOperators.AND, 0xFFFF0000).reinterpretAsFloats().fma(xo, a2);
            a3 = p3.lanewise(VectorOperators.AND, 0xFFFF0000).reinterpretAsFloats().fma(xo, a3);
        }
        float r0 = a0.reduceLanes(VectorOperators.ADD);
        float r1 = a1.reduceLanes(VectorOperators.ADD);
        float r2 = a2.reduceLanes(VectorOperators.ADD);
        float r3 = a3.reduceLanes(VectorOperators.ADD);
        for (; c < k; c++) {
            float x = input[inputOffset + c];
            long at = base + 2L * c;
            r0 += Float.intBitsToFloat(s.get(F16, at) << 16) * x;
            r1 += Float.intBitsToFloat(s.get(F16, at + rowBytes) << 16) * x;
            r2 += Float.intBitsToFloat(s.get(F16, at + 2 * rowBytes) << 16) * x;
            r3 += Float.intBitsToFloat(s.get(F16, at + 3 * rowBytes) << 16) * x;
        }
        store(0, j, r0);
        store(0, j + 1, r1);
        store(0, j + 2, r2);
        store(0, j + 3, r3);
    }

    private float dotF32(MemorySegment s, long base) {
        FloatVector acc0 = FloatVector.zero(F);
        FloatVector acc1 = FloatVector.zero(F);
        int c = 0;
        for (; c + 2 * L <= k; c += 2 * L) {
            acc0 = FloatVector.fromMemorySegment(F, s, base + 4L * c, ByteOrder.LITTLE_ENDIAN)
                    .fma(FloatVector.fromArray(F, input, inputOffset + c), acc0);
            acc1 = FloatVector.fromMemorySegment(F, s, base + 4L * (c + L), ByteOrder.LITTLE_ENDIAN)
                    .fma(FloatVector.fromArray(F, input, inputOffset + c + L), acc1);
        }
        float sum = acc0.add(acc1).reduceLanes(VectorOperators.ADD);
        for (; c < k; c++) {
            sum += s.get(F32, base + 4L * c) * input[inputOffset + c];
        }
        return sum;
    }

    /** Weight row {@code j} as f32 in the same lane order as {@link #input}. */
    private void convertRow(int j, float[] dst, int at) {
        if (w.onHeap()) {
            System.arraycopy(w.data, w.offset + j * k, dst, at, k);
            return;
        }
        MemorySegment s = w.segment;
        long base = w.type.byteSize((long) j * k);
        switch (w.type) {
            case BF16 -> {
                int c = 0;
                for (; c + 2 * L <= k; c += 2 * L) {
                    IntVector pair = IntVector.fromMemorySegment(I, s, base + 2L * c, ByteOrder.LITTLE_ENDIAN);
                    pair.lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats().intoArray(dst, at + c);
                    pair.lanewise(VectorOperators.AND, 0xFFFF0000).reinterpretAsFloats().intoArray(dst, at + c + L);
                }
                for (; c < k; c++) {
                    dst[at + c] = Float.intBitsToFloat(s.get(F16, base + 2L * c) << 16);
                }
            }
            case F32 -> MemorySegment.copy(s, F32, base, dst, at, k);
            case F16 -> {
                for (int c = 0; c < k; c++) {
                    dst[at + c] = Float.float16ToFloat(s.get(F16, base + 2L * c));
                }
            }
            default -> QuantizedRows.dequantize(w.type, s, base, k, dst, at);
        }
    }

    /** Input row {@code i} against four converted weight rows, loading each input vector once. */
    private void dot4(float[] a, int ao, float[] wr, int k, int i, int j) {
        FloatVector s0 = FloatVector.zero(F);
        FloatVector s1 = FloatVector.zero(F);
        FloatVector s2 = FloatVector.zero(F);
        FloatVector s3 = FloatVector.zero(F);
        int c = 0;
        for (; c + L <= k; c += L) {
            FloatVector xv = FloatVector.fromArray(F, a, ao + c);
            s0 = xv.fma(FloatVector.fromArray(F, wr, c), s0);
            s1 = xv.fma(FloatVector.fromArray(F, wr, k + c), s1);
            s2 = xv.fma(FloatVector.fromArray(F, wr, 2 * k + c), s2);
            s3 = xv.fma(FloatVector.fromArray(F, wr, 3 * k + c), s3);
        }
        float r0 = s0.reduceLanes(VectorOperators.ADD);
        float r1 = s1.reduceLanes(VectorOperators.ADD);
        float r2 = s2.reduceLanes(VectorOperators.ADD);
        float r3 = s3.reduceLanes(VectorOperators.ADD);
        for (; c < k; c++) {
            float xv = a[ao + c];
            r0 += xv * wr[c];
            r1 += xv * wr[k + c];
            r2 += xv * wr[2 * k + c];
            r3 += xv * wr[3 * k + c];
        }
        store(i, j, r0);
        store(i, j + 1, r1);
        store(i, j + 2, r2);
        store(i, j + 3, r3);
    }

    /** Four input rows against four converted weight rows: sixteen accumulators, eight loads per sixteen FMAs. */
    private void dot4x4(float[] a, int ao, float[] wr, int k, int i, int j) {
        FloatVector s00 = FloatVector.zero(F), s01 = FloatVector.zero(F), s02 = FloatVector.zero(F), s03 = FloatVector.zero(F);
        FloatVector s10 = FloatVector.zero(F), s11 = FloatVector.zero(F), s12 = FloatVector.zero(F), s13 = FloatVector.zero(F);
        FloatVector s20 = FloatVector.zero(F), s21 = FloatVector.zero(F), s22 = FloatVector.zero(F), s23 = FloatVector.zero(F);
        FloatVector s30 = FloatVector.zero(F), s31 = FloatVector.zero(F), s32 = FloatVector.zero(F), s33 = FloatVector.zero(F);
        int c = 0;
        for (; c + L <= k; c += L) {
            FloatVector w0 = FloatVector.fromArray(F, wr, c);
            FloatVector w1 = FloatVector.fromArray(F, wr, k + c);
            FloatVector w2 = FloatVector.fromArray(F, wr, 2 * k + c);
            FloatVector w3 = FloatVector.fromArray(F, wr, 3 * k + c);
            FloatVector x0 = FloatVector.fromArray(F, a, ao + c);
            s00 = x0.fma(w0, s00);
            s01 = x0.fma(w1, s01);
            s02 = x0.fma(w2, s02);
            s03 = x0.fma(w3, s03);
            FloatVector x1 = FloatVector.fromArray(F, a, ao + k + c);
            s10 = x1.fma(w0, s10);
            s11 = x1.fma(w1, s11);
            s12 = x1.fma(w2, s12);
            s13 = x1.fma(w3, s13);
            FloatVector x2 = FloatVector.fromArray(F, a, ao + 2 * k + c);
            s20 = x2.fma(w0, s20);
            s21 = x2.fma(w1, s21);
            s22 = x2.fma(w2, s22);
            s23 = x2.fma(w3, s23);
            FloatVector x3 = FloatVector.fromArray(F, a, ao + 3 * k + c);
            s30 = x3.fma(w0, s30);
            s31 = x3.fma(w1, s31);
            s32 = x3.fma(w2, s32);
            s33 = x3.fma(w3, s33);
        }
        float[] r = {s00.reduceLanes(VectorOperators.ADD), s01.reduceLanes(VectorOperators.ADD),
            s02.reduceLanes(VectorOperators.ADD), s03.reduceLanes(VectorOperators.ADD),
            s10.reduceLanes(VectorOperators.ADD), s11.reduceLanes(VectorOperators.ADD),
            s12.reduceLanes(VectorOperators.ADD), s13.reduceLanes(VectorOperators.ADD),
            s20.reduceLanes(VectorOperators.ADD), s21.reduceLanes(VectorOperators.ADD),
            s22.reduceLanes(VectorOperators.ADD), s23.reduceLanes(VectorOperators.ADD),
            s30.reduceLanes(VectorOperators.ADD), s31.reduceLanes(VectorOperators.ADD),
            s32.reduceLanes(VectorOperators.ADD), s33.reduceLanes(VectorOperators.ADD)};
        for (; c < k; c++) {
            for (int row = 0; row < 4; row++) {
                float xv = a[ao + row * k + c];
                for (int col = 0; col < 4; col++) {
                    r[row * 4 + col] += xv * wr[col * k + c];
                }
            }
        }
        for (int row = 0; row < 4; row++) {
            for (int col = 0; col < 4; col++) {
                store(i + row, j + col, r[row * 4 + col]);
            }
        }
    }

    static float dot(float[] a, int ao, float[] b, int bo, int k) {
        FloatVector acc0 = FloatVector.zero(F);
        FloatVector acc1 = FloatVector.zero(F);
        int c = 0;
        for (; c + 2 * L <= k; c += 2 * L) {
            acc0 = FloatVector.fromArray(F, a, ao + c).fma(FloatVector.fromArray(F, b, bo + c), acc0);
            acc1 = FloatVector.fromArray(F, a, ao + c + L).fma(FloatVector.fromArray(F, b, bo + c + L), acc1);
        }
        float sum = acc0.add(acc1).reduceLanes(VectorOperators.ADD);
        for (; c < k; c++) {
            sum += a[ao + c] * b[bo + c];
        }
        return sum;
    }

    /** Splits each block of 2L values into its even then its odd elements; a short tail stays in order. */
    private static void permute(float[] src, int so, float[] dst, int d0, int k) {
        int c = 0;
        for (; c + 2 * L <= k; c += 2 * L) {
            for (int t = 0; t < L; t++) {
                dst[d0 + c + t] = src[so + c + 2 * t];
                dst[d0 + c + L + t] = src[so + c + 2 * t + 1];
            }
        }
        for (; c < k; c++) {
            dst[d0 + c] = src[so + c];
        }
    }
}
