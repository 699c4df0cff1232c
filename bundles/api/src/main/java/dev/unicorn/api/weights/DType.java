package dev.unicorn.api.weights;

/**
 * Element type of a stored or device tensor. Quantized types store blocks of {@link #blockElements()} weights in
 * {@link #blockBytes()} bytes, laid out as ggml lays them (GGUF files); rows hold whole blocks.
 */
public enum DType {
    F32(1, 4), F16(1, 2), BF16(1, 2), I8(1, 1), I16(1, 2), I32(1, 4), I64(1, 8), F64(1, 8),
    /** 32 weights: f16 scale, 32 × int8. */
    Q8_0(32, 34),
    /** 32 weights: f16 scale, 16 bytes of 4-bit values (offset 8). */
    Q4_0(32, 18),
    /** 32 weights: f16 scale and minimum, 16 bytes of 4-bit values. */
    Q4_1(32, 20),
    /** 32 weights: f16 scale, 32 high bits, 16 bytes of low 4 bits (offset 16). */
    Q5_0(32, 22),
    /** 32 weights: f16 scale and minimum, 32 high bits, 16 bytes of low 4 bits. */
    Q5_1(32, 24),
    /** 256 weights: f16 super-scale and super-minimum, 12 bytes of 6-bit sub-block scales/minimums, 128 bytes of 4-bit values. */
    Q4_K(256, 144),
    /** 256 weights: as Q4_K plus 32 bytes of high bits. */
    Q5_K(256, 176),
    /** 256 weights: 128 bytes low 4 bits, 64 bytes high 2 bits, 16 int8 sub-block scales, f16 super-scale. */
    Q6_K(256, 210);

    private final int blockElements;
    private final int blockBytes;

    DType(int blockElements, int blockBytes) {
        this.blockElements = blockElements;
        this.blockBytes = blockBytes;
    }

    /** Weights in one block (1 for plain types). */
    public int blockElements() {
        return blockElements;
    }

    /** Bytes of one block (the element size for plain types). */
    public int blockBytes() {
        return blockBytes;
    }

    /** Whether values are stored in quantized blocks. */
    public boolean quantized() {
        return blockElements > 1;
    }

    /**
     * Bytes taken by {@code elements} elements of this type.
     *
     * @throws IllegalArgumentException when {@code elements} is not a whole number of blocks
     */
    public long byteSize(long elements) {
        if (elements % blockElements != 0) {
            throw new IllegalArgumentException(elements + " elements are not a whole number of " + this + " blocks of "
                    + blockElements);
        }
        return Math.multiplyExact(elements / blockElements, (long) blockBytes);
    }
}
