package dev.unicorn.backend.cpu;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.Random;

import dev.unicorn.api.backend.ComputeBackend;
import dev.unicorn.api.backend.Tensor;
import dev.unicorn.api.weights.DType;
import dev.unicorn.api.weights.WeightTensor;

/** Random data, weights in every stored form, and reads of results for the kernel tests. */
final class KernelFixtures {
    private static final ValueLayout.OfShort SHORT = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfFloat FLOAT = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private KernelFixtures() {
    }

    static float[] random(Random random, int n) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = (float) random.nextGaussian();
        }
        return v;
    }

    /** The value a float has once stored as BF16 (truncated, as any 16-bit pattern is a valid BF16). */
    static short toBf16(float v) {
        return (short) (Float.floatToRawIntBits(v) >>> 16);
    }

    static float fromBf16(short bits) {
        return Float.intBitsToFloat(bits << 16);
    }

    /** The values as they read back after storing as {@code type}. */
    static float[] rounded(float[] values, DType type) {
        float[] r = new float[values.length];
        for (int i = 0; i < values.length; i++) {
            r[i] = switch (type) {
                case F32 -> values[i];
                case BF16 -> fromBf16(toBf16(values[i]));
                case F16 -> Float.float16ToFloat(Float.floatToFloat16(values[i]));
                default -> throw new IllegalArgumentException(type.toString());
            };
        }
        return r;
    }

    /**
     * A checkpoint-like tensor: {@code values} stored as {@code type}, little-endian, at an odd byte offset of the
     * arena's memory (safetensors data offsets are not aligned).
     */
    static WeightTensor stored(Arena arena, String name, DType type, long[] shape, float[] values) {
        long bytes = type.byteSize(values.length);
        MemorySegment segment = arena.allocate(bytes + 3).asSlice(3, bytes);
        for (int i = 0; i < values.length; i++) {
            switch (type) {
                case F32 -> segment.set(FLOAT, 4L * i, values[i]);
                case BF16 -> segment.set(SHORT, 2L * i, toBf16(values[i]));
                case F16 -> segment.set(SHORT, 2L * i, Float.floatToFloat16(values[i]));
                default -> throw new IllegalArgumentException(type.toString());
            }
        }
        return new WeightTensor(name, type, shape, segment.asReadOnly());
    }

    /** A heap f32 tensor holding {@code values}. */
    static Tensor heap(ComputeBackend backend, long rows, long columns, float[] values) {
        Tensor t = backend.allocate(rows, columns);
        CpuTensor c = (CpuTensor) t;
        System.arraycopy(values, 0, c.data, c.offset, values.length);
        return t;
    }

    static float[] read(dev.unicorn.api.backend.ComputeQueue queue, Tensor t) {
        float[] out = new float[(int) (t.rows() * t.columns())];
        queue.read(t, out, 0);
        return out;
    }
}
