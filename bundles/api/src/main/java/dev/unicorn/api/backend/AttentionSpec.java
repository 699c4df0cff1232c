package dev.unicorn.api.backend;

/**
 * Shape and masking of one causal attention call.
 *
 * @param heads         query heads
 * @param kvHeads       key/value heads (grouped-query attention when fewer than {@code heads})
 * @param headDim       dimension of one head
 * @param scale         factor applied to q·k
 * @param firstPosition position of the first query row; query row {@code i} sits at {@code firstPosition + i}
 *                      and sees cache rows {@code 0 ..= firstPosition + i}
 * @param window        sliding window: a query at position p sees keys at positions {@code > p - window};
 *                      0 for none
 * @param softCap       tanh soft-capping of scores ({@code cap·tanh(s/cap)}); 0 for none
 * @param ringRows      0 when cache row {@code p} holds position {@code p}; otherwise the cache is a ring of this
 *                      many rows and position {@code p} sits at row {@code p % ringRows}. A ring needs a window, and
 *                      must hold every key the call reads: {@code queries + window - 1 <= ringRows}
 */
public record AttentionSpec(int heads, int kvHeads, int headDim, float scale, int firstPosition, int window,
        float softCap, int ringRows) {

    /** Attention over a cache whose row {@code p} holds position {@code p}. */
    public AttentionSpec(int heads, int kvHeads, int headDim, float scale, int firstPosition, int window,
            float softCap) {
        this(heads, kvHeads, headDim, scale, firstPosition, window, softCap, 0);
    }

    /** The cache row holding the key of {@code position}. */
    public int cacheRow(int position) {
        return ringRows > 0 ? position % ringRows : position;
    }

    public AttentionSpec {
        if (heads <= 0 || kvHeads <= 0 || headDim <= 0 || heads % kvHeads != 0) {
            throw new IllegalArgumentException("heads " + heads + " must be a positive multiple of kvHeads " + kvHeads
                    + " and headDim " + headDim + " positive");
        }
        if (firstPosition < 0 || window < 0) {
            throw new IllegalArgumentException("firstPosition and window must not be negative");
        }
        if (ringRows < 0 || (ringRows > 0 && (window == 0 || window > ringRows))) {
            throw new IllegalArgumentException("a ring cache of " + ringRows + " rows needs a window of 1.." + ringRows
                    + ", got " + window);
        }
    }
}
