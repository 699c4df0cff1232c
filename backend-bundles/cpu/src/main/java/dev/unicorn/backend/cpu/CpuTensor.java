package dev.unicorn.backend.cpu;

import java.lang.foreign.MemorySegment;

import dev.unicorn.api.backend.Tensor;
import dev.unicorn.api.weights.DType;

/**
 * A CPU tensor: either f32 activations on the Java heap ({@link #data} from {@link #offset}), or a weight read in
 * place from its memory-mapped bytes ({@link #segment}).
 */
final class CpuTensor implements Tensor {
    final DType type;
    final long rows;
    final long columns;
    final float[] data;
    final int offset;
    final MemorySegment segment;
    private CpuTensor lastView;

    private CpuTensor(DType type, long rows, long columns, float[] data, int offset, MemorySegment segment) {
        this.type = type;
        this.rows = rows;
        this.columns = columns;
        this.data = data;
        this.offset = offset;
        this.segment = segment;
    }

    static CpuTensor heap(long rows, long columns) {
        long n = rows * columns;
        if (n > Integer.MAX_VALUE - 16) {
            throw new IllegalArgumentException("a CPU activation tensor of " + rows + "×" + columns
                    + " floats exceeds the 2^31 elements of one Java array");
        }
        return new CpuTensor(DType.F32, rows, columns, new float[(int) n], 0, null);
    }

    static CpuTensor mapped(DType type, long rows, long columns, MemorySegment segment) {
        return new CpuTensor(type, rows, columns, null, 0, segment);
    }

    boolean onHeap() {
        return data != null;
    }

    int size() {
        return (int) (rows * columns);
    }

    @Override
    public DType type() {
        return type;
    }

    @Override
    public long rows() {
        return rows;
    }

    @Override
    public long columns() {
        return columns;
    }

    @Override
    public Tensor rows(long first, long count) {
        if (first < 0 || count < 0 || first + count > rows) {
            throw new IndexOutOfBoundsException("rows " + first + "+" + count + " of a tensor of " + rows + " rows");
        }
        if (first == 0 && count == rows) {
            return this;
        }
        CpuTensor v = lastView;
        if (v != null && v.rows == count && (onHeap() ? v.offset == offset + (int) (first * columns)
                : v.segment.address() == segment.address() + type.byteSize(first * columns))) {
            return v;
        }
        v = onHeap() ? new CpuTensor(type, count, columns, data, offset + (int) (first * columns), null)
                : new CpuTensor(type, count, columns, null, 0,
                        segment.asSlice(type.byteSize(first * columns), type.byteSize(count * columns)));
        lastView = v;
        return v;
    }

    @Override
    public Tensor reshape(long newRows, long newColumns) {
        if (newRows * newColumns != rows * columns) {
            throw new IllegalArgumentException("cannot reshape " + rows + "×" + columns + " to " + newRows + "×"
                    + newColumns);
        }
        return new CpuTensor(type, newRows, newColumns, data, offset, segment);
    }

    @Override
    public void close() {
        // Heap memory is reclaimed by the collector; mapped weights belong to their WeightsSource.
    }

    @Override
    public String toString() {
        return "CpuTensor[" + type + " " + rows + "×" + columns + (onHeap() ? "" : " mapped") + "]";
    }
}
