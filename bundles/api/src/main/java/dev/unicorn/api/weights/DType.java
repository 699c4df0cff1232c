package dev.unicorn.api.weights;

/** Element type of a stored or device tensor. Quantized block types are added as their kernels arrive. */
public enum DType {
    F32(4), F16(2), BF16(2), I32(4), I64(8);

    private final int bytes;

    DType(int bytes) {
        this.bytes = bytes;
    }

    /** Bytes of one element. */
    public int bytes() {
        return bytes;
    }

    /** Bytes taken by {@code elements} elements of this type. */
    public long byteSize(long elements) {
        return elements * bytes;
    }
}
