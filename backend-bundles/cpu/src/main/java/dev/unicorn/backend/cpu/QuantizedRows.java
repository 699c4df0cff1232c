package dev.unicorn.backend.cpu;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

import dev.unicorn.api.weights.DType;

/**
 * Rows of ggml block-quantized weights read in place (layouts of ggml-common.h / ggml-quants.c): a row dequantized
 * to f32, and a row's dot product with an f32 vector computed block by block, never materializing the matrix.
 */
final class QuantizedRows {
    private static final ValueLayout.OfShort SHORT = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfInt INT = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final VectorSpecies<Float> F = MatmulKernel.F;
    private static final int L = F.length();
    /** Bytes expanded to one float vector: as many byte lanes as float lanes. */
    private static final VectorSpecies<Byte> B = L >= 8 ? VectorSpecies.of(byte.class, VectorShape.forBitSize(L * 8)) : null;
    private static final VectorSpecies<Integer> I = MatmulKernel.I;
    private static final ValueLayout.OfLong LONG = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    /** The vector kernels walk 16-weight sub-blocks in whole vectors of 8 or 16 lanes; other widths dequantize rows. */
    static final boolean VECTOR = B != null && L <= 16 && 16 % L == 0 && I.length() == L;

    private QuantizedRows() {
    }

    private static float f16(MemorySegment s, long at) {
        return Float.float16ToFloat(s.get(SHORT, at));
    }

    private static int u8(MemorySegment s, long at) {
        return Byte.toUnsignedInt(s.get(ValueLayout.JAVA_BYTE, at));
    }

    /** Whether the fused dot product reads this type's blocks in vectors; the others dequantize a row first. */
    static boolean fused(DType t) {
        return VECTOR && (t == DType.Q8_0 || t == DType.Q4_0 || t == DType.Q5_0 || t == DType.Q4_K || t == DType.Q5_K
                || t == DType.Q6_K);
    }

    /** Dequantizes the {@code k} weights stored at {@code base} into {@code dst[at..at+k)}. */
    static void dequantize(DType t, MemorySegment s, long base, int k, float[] dst, int at) {
        int blocks = k / t.blockElements();
        long b = base;
        int y = at;
        for (int i = 0; i < blocks; i++, b += t.blockBytes(), y += t.blockElements()) {
            switch (t) {
                case Q8_0 -> {
                    float d = f16(s, b);
                    for (int j = 0; j < 32; j++) {
                        dst[y + j] = d * s.get(ValueLayout.JAVA_BYTE, b + 2 + j);
                    }
                }
                case Q4_0 -> {
                    float d = f16(s, b);
                    for (int j = 0; j < 16; j++) {
                        int q = u8(s, b + 2 + j);
                        dst[y + j] = d * ((q & 0xF) - 8);
                        dst[y + j + 16] = d * ((q >> 4) - 8);
                    }
                }
                case Q4_1 -> {
                    float d = f16(s, b);
                    float m = f16(s, b + 2);
                    for (int j = 0; j < 16; j++) {
                        int q = u8(s, b + 4 + j);
                        dst[y + j] = (q & 0xF) * d + m;
                        dst[y + j + 16] = (q >> 4) * d + m;
                    }
                }
                case Q5_0 -> {
                    float d = f16(s, b);
                    int qh = s.get(INT, b + 2);
                    for (int j = 0; j < 16; j++) {
                        int q = u8(s, b + 6 + j);
                        int h0 = ((qh >>> j) << 4) & 0x10;
                        int h1 = (qh >>> (j + 12)) & 0x10;
                        dst[y + j] = d * (((q & 0xF) | h0) - 16);
                        dst[y + j + 16] = d * (((q >> 4) | h1) - 16);
                    }
                }
                case Q5_1 -> {
                    float d = f16(s, b);
                    float m = f16(s, b + 2);
                    int qh = s.get(INT, b + 4);
                    for (int j = 0; j < 16; j++) {
                        int q = u8(s, b + 8 + j);
                        int h0 = ((qh >>> j) << 4) & 0x10;
                        int h1 = (qh >>> (j + 12)) & 0x10;
                        dst[y + j] = ((q & 0xF) | h0) * d + m;
                        dst[y + j + 16] = ((q >> 4) | h1) * d + m;
                    }
                }
                case Q4_K -> {
                    float d = f16(s, b);
                    float dmin = f16(s, b + 2);
                    for (int j = 0; j < 4; j++) {
                        float d1 = d * scaleK4(s, b + 4, 2 * j), m1 = dmin * minK4(s, b + 4, 2 * j);
                        float d2 = d * scaleK4(s, b + 4, 2 * j + 1), m2 = dmin * minK4(s, b + 4, 2 * j + 1);
                        for (int l = 0; l < 32; l++) {
                            int q = u8(s, b + 16 + 32 * j + l);
                            dst[y + 64 * j + l] = d1 * (q & 0xF) - m1;
                            dst[y + 64 * j + 32 + l] = d2 * (q >> 4) - m2;
                        }
                    }
                }
                case Q5_K -> {
                    float d = f16(s, b);
                    float dmin = f16(s, b + 2);
                    for (int j = 0; j < 4; j++) {
                        float d1 = d * scaleK4(s, b + 4, 2 * j), m1 = dmin * minK4(s, b + 4, 2 * j);
                        float d2 = d * scaleK4(s, b + 4, 2 * j + 1), m2 = dmin * minK4(s, b + 4, 2 * j + 1);
                        int u1 = 1 << (2 * j), u2 = 2 << (2 * j);
                        for (int l = 0; l < 32; l++) {
                            int q = u8(s, b + 48 + 32 * j + l);
                            int h = u8(s, b + 16 + l);
                            dst[y + 64 * j + l] = d1 * ((q & 0xF) + ((h & u1) != 0 ? 16 : 0)) - m1;
                            dst[y + 64 * j + 32 + l] = d2 * ((q >> 4) + ((h & u2) != 0 ? 16 : 0)) - m2;
                        }
                    }
                }
                case Q6_K -> {
                    float d = f16(s, b + 208);
                    for (int half = 0; half < 2; half++) {
                        long ql = b + 64 * half;
                        long qh = b + 128 + 32 * half;
                        long sc = b + 192 + 8 * half;
                        int yo = y + 128 * half;
                        for (int l = 0; l < 32; l++) {
                            int is = l / 16;
                            int a = u8(s, ql + l), c = u8(s, ql + 32 + l), h = u8(s, qh + l);
                            dst[yo + l] = d * s.get(ValueLayout.JAVA_BYTE, sc + is) * (((a & 0xF) | ((h & 3) << 4)) - 32);
                            dst[yo + l + 32] = d * s.get(ValueLayout.JAVA_BYTE, sc + is + 2)
                                    * (((c & 0xF) | (((h >> 2) & 3) << 4)) - 32);
                            dst[yo + l + 64] = d * s.get(ValueLayout.JAVA_BYTE, sc + is + 4)
                                    * (((a >> 4) | (((h >> 4) & 3) << 4)) - 32);
                            dst[yo + l + 96] = d * s.get(ValueLayout.JAVA_BYTE, sc + is + 6)
                                    * (((c >> 4) | (((h >> 6) & 3) << 4)) - 32);
                        }
                    }
                }
                default -> throw new IllegalArgumentException("not a block-quantized type: " + t);
            }
        }
    }

    /** 6-bit scale {@code j} (0..7) of the 12 packed scale/min bytes of a Q4_K/Q5_K block (ggml's get_scale_min_k4). */
    private static int scaleK4(MemorySegment s, long q, int j) {
        return j < 4 ? u8(s, q + j) & 63 : (u8(s, q + j + 4) & 0xF) | ((u8(s, q + j - 4) >> 6) << 4);
    }

    private static int minK4(MemorySegment s, long q, int j) {
        return j < 4 ? u8(s, q + j + 4) & 63 : (u8(s, q + j + 4) >> 4) | ((u8(s, q + j) >> 6) << 4);
    }

    /** Sums of each 16 consecutive inputs: the offsets and minimums of the blocks multiply these. */
    static void sums16(float[] x, int xo, int k, float[] out, int outAt) {
        for (int g = 0; g < k / 16; g++) {
            float sum = 0;
            for (int c = 0; c < 16; c++) {
                sum += x[xo + 16 * g + c];
            }
            out[outAt + g] = sum;
        }
    }

    private static FloatVector floats(ByteVector v) {
        return (FloatVector) v.convertShape(VectorOperators.B2F, F, 0);
    }

    /**
     * Row at {@code base} (k weights of type t) · x[xo..xo+k); {@code xs16[xso..]} holds {@link #sums16} of x. Only
     * for {@link #fused} types.
     */
    static float dot(DType t, MemorySegment s, long base, int k, float[] x, int xo, float[] xs16, int xso) {
        return switch (t) {
            case Q8_0 -> dotQ8_0(s, base, k, x, xo);
            case Q4_0 -> dotQ4_0(s, base, k, x, xo, xs16, xso);
            case Q5_0 -> dotQ5_0(s, base, k, x, xo, xs16, xso);
            case Q4_K -> dotQ4K(s, base, k, x, xo, xs16, xso);
            case Q5_K -> dotQ5K(s, base, k, x, xo, xs16, xso);
            case Q6_K -> dotQ6K(s, base, k, x, xo, xs16, xso);
            default -> throw new IllegalArgumentException("no fused dot product for " + t);
        };
    }

    private static float dotQ8_0(MemorySegment s, long base, int k, float[] x, int xo) {
        FloatVector acc = FloatVector.zero(F);
        long b = base;
        for (int y = 0; y < k; y += 32, b += 34) {
            FloatVector part = FloatVector.zero(F);
            for (int l = 0; l < 32; l += L) {
                part = floats(ByteVector.fromMemorySegment(B, s, b + 2 + l, ByteOrder.LITTLE_ENDIAN))
                        .fma(FloatVector.fromArray(F, x, xo + y + l), part);
            }
            acc = part.fma(FloatVector.broadcast(F, f16(s, b)), acc);
        }
        return acc.reduceLanes(VectorOperators.ADD);
    }

    /** L bytes at {@code at}, sign-extended to int lanes: nibble and bit arithmetic is native on ints, not bytes. */
    private static IntVector ints(MemorySegment s, long at) {
        return (IntVector) ByteVector.fromMemorySegment(B, s, at, ByteOrder.LITTLE_ENDIAN).convertShape(VectorOperators.B2I, I, 0);
    }

    private static FloatVector floats(IntVector v) {
        return (FloatVector) v.convert(VectorOperators.I2F, 0);
    }

    private static float dotQ4_0(MemorySegment s, long base, int k, float[] x, int xo, float[] xs16, int xso) {
        FloatVector acc = FloatVector.zero(F);
        float offsets = 0;
        long b = base;
        for (int y = 0; y < k; y += 32, b += 18) {
            FloatVector part = FloatVector.zero(F);
            for (int l = 0; l < 16; l += L) {
                IntVector q = ints(s, b + 2 + l);
                part = floats(q.and(0xF)).fma(FloatVector.fromArray(F, x, xo + y + l), part);
                part = floats(q.lanewise(VectorOperators.ASHR, 4).and(0xF)).fma(FloatVector.fromArray(F, x, xo + y + 16 + l), part);
            }
            float d = f16(s, b);
            acc = part.fma(FloatVector.broadcast(F, d), acc);
            offsets += 8 * d * (xs16[xso + y / 16] + xs16[xso + y / 16 + 1]);
        }
        return acc.reduceLanes(VectorOperators.ADD) - offsets;
    }

    private static float dotQ4K(MemorySegment s, long base, int k, float[] x, int xo, float[] xs16, int xso) {
        // Two accumulators: the low and high halves of each 64-weight chunk do not wait on each other.
        FloatVector acc = FloatVector.zero(F);
        FloatVector acc1 = FloatVector.zero(F);
        float mins = 0;
        long b = base;
        for (int y = 0; y < k; y += 256, b += 144) {
            float d = f16(s, b);
            float dmin = f16(s, b + 2);
            // All eight 6-bit scales and minimums at once, one per byte (ggml's get_scale_min_k4 in SWAR form).
            long lo8 = s.get(LONG, b + 4);
            int hi4 = s.get(INT, b + 12);
            int low = (int) lo8;
            int high = (int) (lo8 >>> 32);
            long scales = (low & 0x3F3F3F3FL) | ((long) ((hi4 & 0x0F0F0F0F) | ((low >>> 2) & 0x30303030)) << 32);
            long minima = (high & 0x3F3F3F3FL) | ((long) (((hi4 >>> 4) & 0x0F0F0F0F) | ((high >>> 2) & 0x30303030)) << 32);
            float minSum = 0;
            for (int j = 0; j < 4; j++) {
                FloatVector lo = FloatVector.zero(F);
                FloatVector hi = FloatVector.zero(F);
                int xj = xo + y + 64 * j;
                long qj = b + 16 + 32 * j;
                for (int l = 0; l < 32; l += L) {
                    IntVector q = ints(s, qj + l);
                    lo = floats(q.and(0xF)).fma(FloatVector.fromArray(F, x, xj + l), lo);
                    hi = floats(q.lanewise(VectorOperators.ASHR, 4).and(0xF)).fma(FloatVector.fromArray(F, x, xj + 32 + l), hi);
                }
                int sc0 = (int) (scales >>> (16 * j)) & 0xFF;
                int sc1 = (int) (scales >>> (16 * j + 8)) & 0xFF;
                acc = lo.fma(FloatVector.broadcast(F, d * sc0), acc);
                acc1 = hi.fma(FloatVector.broadcast(F, d * sc1), acc1);
                int g = (y + 64 * j) / 16;
                minSum += ((int) (minima >>> (16 * j)) & 0xFF) * (xs16[xso + g] + xs16[xso + g + 1])
                        + ((int) (minima >>> (16 * j + 8)) & 0xFF) * (xs16[xso + g + 2] + xs16[xso + g + 3]);
            }
            mins += dmin * minSum;
        }
        return acc.add(acc1).reduceLanes(VectorOperators.ADD) - mins;
    }

    private static float dotQ6K(MemorySegment s, long base, int k, float[] x, int xo, float[] xs16, int xso) {
        FloatVector acc = FloatVector.zero(F);
        float offsets = 0;
        long b = base;
        for (int y = 0; y < k; y += 256, b += 210) {
            float d = f16(s, b + 208);
            for (int half = 0; half < 2; half++) {
                long ql = b + 64 * half;
                long qh = b + 128 + 32 * half;
                long scales = s.get(LONG, b + 192 + 8 * half);
                int xh = xo + y + 128 * half;
                int g = (y + 128 * half) / 16;
                for (int l = 0; l < 32; l += L) {
                    int is = l / 16;
                    IntVector a = ints(s, ql + l);
                    IntVector c = ints(s, ql + 32 + l);
                    IntVector h = ints(s, qh + l);
                    FloatVector q1 = floats(a.and(0xF).or(h.and(3).lanewise(VectorOperators.LSHL, 4)));
                    FloatVector q2 = floats(c.and(0xF).or(h.lanewise(VectorOperators.LSHL, 2).and(0x30)));
                    FloatVector q3 = floats(a.lanewise(VectorOperators.ASHR, 4).and(0xF).or(h.and(0x30)));
                    FloatVector q4 = floats(c.lanewise(VectorOperators.ASHR, 4).and(0xF).or(h.lanewise(VectorOperators.ASHR, 2).and(0x30)));
                    float s1 = d * (byte) (scales >>> (8 * is));
                    float s2 = d * (byte) (scales >>> (8 * (is + 2)));
                    float s3 = d * (byte) (scales >>> (8 * (is + 4)));
                    float s4 = d * (byte) (scales >>> (8 * (is + 6)));
                    acc = q1.mul(FloatVector.fromArray(F, x, xh + l)).fma(FloatVector.broadcast(F, s1), acc);
                    acc = q2.mul(FloatVector.fromArray(F, x, xh + 32 + l)).fma(FloatVector.broadcast(F, s2), acc);
                    acc = q3.mul(FloatVector.fromArray(F, x, xh + 64 + l)).fma(FloatVector.broadcast(F, s3), acc);
                    acc = q4.mul(FloatVector.fromArray(F, x, xh + 96 + l)).fma(FloatVector.broadcast(F, s4), acc);
                }
                float off = 0;
                for (int t = 0; t < 8; t++) {
                    // scale t covers sixteen-group (t / 2) * 2 + (t % 2) = t of this half
                    off += (byte) (scales >>> (8 * t)) * xs16[xso + g + t];
                }
                offsets += 32 * d * off;
            }
        }
        return acc.reduceLanes(VectorOperators.ADD) - offsets;
    }

    private static final IntVector LANE = IntVector.zero(I).addIndex(1);

    private static float dotQ5_0(MemorySegment s, long base, int k, float[] x, int xo, float[] xs16, int xso) {
        FloatVector acc = FloatVector.zero(F);
        float offsets = 0;
        long b = base;
        for (int y = 0; y < k; y += 32, b += 22) {
            FloatVector part = FloatVector.zero(F);
            IntVector qh = IntVector.broadcast(I, s.get(INT, b + 2));
            for (int l = 0; l < 16; l += L) {
                IntVector q = ints(s, b + 6 + l);
                IntVector shift = LANE.add(l);
                // bit j of qh is the fifth bit of weight j, bit j + 16 that of weight j + 16
                IntVector h0 = qh.lanewise(VectorOperators.LSHR, shift).and(1).lanewise(VectorOperators.LSHL, 4);
                IntVector h1 = qh.lanewise(VectorOperators.LSHR, shift.add(16)).and(1).lanewise(VectorOperators.LSHL, 4);
                part = floats(q.and(0xF).or(h0)).fma(FloatVector.fromArray(F, x, xo + y + l), part);
                part = floats(q.lanewise(VectorOperators.ASHR, 4).and(0xF).or(h1))
                        .fma(FloatVector.fromArray(F, x, xo + y + 16 + l), part);
            }
            float d = f16(s, b);
            acc = part.fma(FloatVector.broadcast(F, d), acc);
            offsets += 16 * d * (xs16[xso + y / 16] + xs16[xso + y / 16 + 1]);
        }
        return acc.reduceLanes(VectorOperators.ADD) - offsets;
    }

    private static float dotQ5K(MemorySegment s, long base, int k, float[] x, int xo, float[] xs16, int xso) {
        FloatVector acc = FloatVector.zero(F);
        float mins = 0;
        long b = base;
        for (int y = 0; y < k; y += 256, b += 176) {
            float d = f16(s, b);
            float dmin = f16(s, b + 2);
            for (int j = 0; j < 4; j++) {
                FloatVector lo = FloatVector.zero(F);
                FloatVector hi = FloatVector.zero(F);
                int xj = xo + y + 64 * j;
                long qj = b + 48 + 32 * j;
                for (int l = 0; l < 32; l += L) {
                    IntVector q = ints(s, qj + l);
                    IntVector h = ints(s, b + 16 + l);
                    IntVector h0 = h.lanewise(VectorOperators.LSHR, 2 * j).and(1).lanewise(VectorOperators.LSHL, 4);
                    IntVector h1 = h.lanewise(VectorOperators.LSHR, 2 * j + 1).and(1).lanewise(VectorOperators.LSHL, 4);
                    lo = floats(q.and(0xF).or(h0)).fma(FloatVector.fromArray(F, x, xj + l), lo);
                    hi = floats(q.lanewise(VectorOperators.ASHR, 4).and(0xF).or(h1))
                            .fma(FloatVector.fromArray(F, x, xj + 32 + l), hi);
                }
                acc = lo.fma(FloatVector.broadcast(F, d * scaleK4(s, b + 4, 2 * j)), acc);
                acc = hi.fma(FloatVector.broadcast(F, d * scaleK4(s, b + 4, 2 * j + 1)), acc);
                int g = (y + 64 * j) / 16;
                mins += dmin * (minK4(s, b + 4, 2 * j) * (xs16[xso + g] + xs16[xso + g + 1])
                        + minK4(s, b + 4, 2 * j + 1) * (xs16[xso + g + 2] + xs16[xso + g + 3]));
            }
        }
        return acc.reduceLanes(VectorOperators.ADD) - mins;
    }

    /** Whether {@link #dot4} converts this type's blocks once for four input rows. */
    static boolean fused4(DType t) {
        return VECTOR && (t == DType.Q8_0 || t == DType.Q5_0);
    }

    /**
     * Four dot products of one row with the input rows at {@code x[xo[i]..]} (sums16 at {@code xs16[xso[i]..]}) into
     * {@code out[0..4)}: each block's weights are converted to floats once for the four (a batched decode step). The
     * same operations in the same order as {@link #dot} for each input, so the results are identical.
     */
    static void dot4(DType t, MemorySegment s, long base, int k, float[] x, int[] xo, float[] xs16, int[] xso,
            float[] out) {
        switch (t) {
            case Q8_0 -> dotQ8_0x4(s, base, k, x, xo[0], xo[1], xo[2], xo[3], out);
            case Q5_0 -> dotQ5_0x4(s, base, k, x, xo[0], xo[1], xo[2], xo[3], xs16, xso, out);
            default -> throw new IllegalArgumentException("no four-row dot product for " + t);
        }
    }

    private static void dotQ8_0x4(MemorySegment s, long base, int k, float[] x, int x0, int x1, int x2, int x3,
            float[] out) {
        FloatVector a0 = FloatVector.zero(F), a1 = a0, a2 = a0, a3 = a0;
        long b = base;
        for (int y = 0; y < k; y += 32, b += 34) {
            FloatVector p0 = FloatVector.zero(F), p1 = p0, p2 = p0, p3 = p0;
            for (int l = 0; l < 32; l += L) {
                FloatVector w = floats(ByteVector.fromMemorySegment(B, s, b + 2 + l, ByteOrder.LITTLE_ENDIAN));
                p0 = w.fma(FloatVector.fromArray(F, x, x0 + y + l), p0);
                p1 = w.fma(FloatVector.fromArray(F, x, x1 + y + l), p1);
                p2 = w.fma(FloatVector.fromArray(F, x, x2 + y + l), p2);
                p3 = w.fma(FloatVector.fromArray(F, x, x3 + y + l), p3);
            }
            FloatVector d = FloatVector.broadcast(F, f16(s, b));
            a0 = p0.fma(d, a0);
            a1 = p1.fma(d, a1);
            a2 = p2.fma(d, a2);
            a3 = p3.fma(d, a3);
        }
        out[0] = a0.reduceLanes(VectorOperators.ADD);
        out[1] = a1.reduceLanes(VectorOperators.ADD);
        out[2] = a2.reduceLanes(VectorOperators.ADD);
        out[3] = a3.reduceLanes(VectorOperators.ADD);
    }

    private static void dotQ5_0x4(MemorySegment s, long base, int k, float[] x, int x0, int x1, int x2, int x3,
            float[] xs16, int[] xso, float[] out) {
        FloatVector a0 = FloatVector.zero(F), a1 = a0, a2 = a0, a3 = a0;
        float o0 = 0, o1 = 0, o2 = 0, o3 = 0;
        int s0 = xso[0], s1 = xso[1], s2 = xso[2], s3 = xso[3];
        long b = base;
        for (int y = 0; y < k; y += 32, b += 22) {
            FloatVector p0 = FloatVector.zero(F), p1 = p0, p2 = p0, p3 = p0;
            IntVector qh = IntVector.broadcast(I, s.get(INT, b + 2));
            for (int l = 0; l < 16; l += L) {
                IntVector q = ints(s, b + 6 + l);
                IntVector shift = LANE.add(l);
                IntVector h0 = qh.lanewise(VectorOperators.LSHR, shift).and(1).lanewise(VectorOperators.LSHL, 4);
                IntVector h1 = qh.lanewise(VectorOperators.LSHR, shift.add(16)).and(1).lanewise(VectorOperators.LSHL, 4);
                FloatVector lo = floats(q.and(0xF).or(h0));
                FloatVector hi = floats(q.lanewise(VectorOperators.ASHR, 4).and(0xF).or(h1));
                int yl = y + l;
                p0 = lo.fma(FloatVector.fromArray(F, x, x0 + yl), p0);
                p1 = lo.fma(FloatVector.fromArray(F, x, x1 + yl), p1);
                p2 = lo.fma(FloatVector.fromArray(F, x, x2 + yl), p2);
                p3 = lo.fma(FloatVector.fromArray(F, x, x3 + yl), p3);
                p0 = hi.fma(FloatVector.fromArray(F, x, x0 + yl + 16), p0);
                p1 = hi.fma(FloatVector.fromArray(F, x, x1 + yl + 16), p1);
                p2 = hi.fma(FloatVector.fromArray(F, x, x2 + yl + 16), p2);
                p3 = hi.fma(FloatVector.fromArray(F, x, x3 + yl + 16), p3);
            }
            float d = f16(s, b);
            FloatVector dv = FloatVector.broadcast(F, d);
            a0 = p0.fma(dv, a0);
            a1 = p1.fma(dv, a1);
            a2 = p2.fma(dv, a2);
            a3 = p3.fma(dv, a3);
            int g = y / 16;
            o0 += 16 * d * (xs16[s0 + g] + xs16[s0 + g + 1]);
            o1 += 16 * d * (xs16[s1 + g] + xs16[s1 + g + 1]);
            o2 += 16 * d * (xs16[s2 + g] + xs16[s2 + g + 1]);
            o3 += 16 * d * (xs16[s3 + g] + xs16[s3 + g + 1]);
        }
        out[0] = a0.reduceLanes(VectorOperators.ADD) - o0;
        out[1] = a1.reduceLanes(VectorOperators.ADD) - o1;
        out[2] = a2.reduceLanes(VectorOperators.ADD) - o2;
        out[3] = a3.reduceLanes(VectorOperators.ADD) - o3;
    }
}
