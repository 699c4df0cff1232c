package dev.unicorn.engine.transformer;

/**
 * The inverse frequencies of rotary position embedding for one kind of layer: {@code θ^(-2i/d) / factor} for
 * linear scaling ({@code factor = 1} for none).
 */
public final class RopeFrequencies {
    private final float[] inverse;

    private RopeFrequencies(float[] inverse) {
        this.inverse = inverse;
    }

    /** Default RoPE with optional linear position scaling. */
    public static RopeFrequencies linear(int rotaryDim, double theta, double factor) {
        float[] inv = new float[rotaryDim / 2];
        for (int i = 0; i < inv.length; i++) {
            // transformers computes this in float32 from an int64 arange: match its rounding.
            float exponent = (float) (2 * i) / rotaryDim;
            inv[i] = (1f / (float) Math.pow(theta, exponent)) / (float) factor;
        }
        return new RopeFrequencies(inv);
    }

    /** Dimensions rotated per head. */
    public int rotaryDim() {
        return inverse.length * 2;
    }

    /**
     * Fills {@code cos} and {@code sin} with the angles of {@code count} consecutive positions from {@code first},
     * {@code rotaryDim/2} values per position.
     */
    public void angles(int first, int count, float[] cos, float[] sin) {
        int half = inverse.length;
        for (int p = 0; p < count; p++) {
            float pos = first + p;
            for (int i = 0; i < half; i++) {
                float angle = pos * inverse[i];
                cos[p * half + i] = (float) Math.cos(angle);
                sin[p * half + i] = (float) Math.sin(angle);
            }
        }
    }

    /** As {@link #angles(int, int, float[], float[])} for rows at any positions: row {@code r} at {@code positions[r]}. */
    void angles(int[] positions, int count, float[] cos, float[] sin) {
        int half = inverse.length;
        for (int p = 0; p < count; p++) {
            float pos = positions[p];
            for (int i = 0; i < half; i++) {
                float angle = pos * inverse[i];
                cos[p * half + i] = (float) Math.cos(angle);
                sin[p * half + i] = (float) Math.sin(angle);
            }
        }
    }
}
