package dev.unicorn.api.weights;

import java.lang.foreign.MemorySegment;
import java.util.Arrays;

/**
 * One named tensor of a checkpoint, as a read-only view of its stored bytes (little-endian, row-major).
 *
 * @param name  the name in the checkpoint, e.g. {@code model.layers.0.self_attn.q_proj.weight}
 * @param type  the stored element type
 * @param shape dimensions, outermost first
 * @param data  the stored bytes; valid until the {@link WeightsSource} that produced it is closed
 */
public record WeightTensor(String name, DType type, long[] shape, MemorySegment data) {

    public WeightTensor {
        shape = shape.clone();
    }

    @Override
    public long[] shape() {
        return shape.clone();
    }

    /** Number of elements. */
    public long elementCount() {
        long n = 1;
        for (long d : shape) {
            n *= d;
        }
        return n;
    }

    /** Size of dimension {@code i}. */
    public long dim(int i) {
        return shape[i];
    }

    /** Number of dimensions. */
    public int rank() {
        return shape.length;
    }

    /** Whether this tensor has exactly the given shape. */
    public boolean hasShape(long... expected) {
        return Arrays.equals(shape, expected);
    }

    @Override
    public String toString() {
        return name + " " + type + Arrays.toString(shape);
    }
}
