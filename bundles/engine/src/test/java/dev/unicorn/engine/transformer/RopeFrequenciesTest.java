package dev.unicorn.engine.transformer;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Arrays;

import org.junit.jupiter.api.Test;

class RopeFrequenciesTest {

    /** θ^(-2i/d) / factor in double precision. */
    private static double inverse(int i, int d, double theta, double factor) {
        return Math.pow(theta, -2.0 * i / d) / factor;
    }

    private static void assertAnglesMatchTheFormula(int d, double theta, double factor, int first, int count) {
        RopeFrequencies f = RopeFrequencies.linear(d, theta, factor);
        assertEquals(d, f.rotaryDim());
        int half = d / 2;
        float[] cos = new float[count * half];
        float[] sin = new float[count * half];
        f.angles(first, count, cos, sin);
        for (int p = 0; p < count; p++) {
            for (int i = 0; i < half; i++) {
                double angle = (first + p) * inverse(i, d, theta, factor);
                // float32 inverse frequencies and products: error grows with the angle.
                double tolerance = 3e-6 * Math.max(1, angle);
                int pos = first + p;
                int dim = i;
                assertEquals(Math.cos(angle), cos[p * half + i], tolerance, () -> "cos at position " + pos + ", i " + dim);
                assertEquals(Math.sin(angle), sin[p * half + i], tolerance, () -> "sin at position " + pos + ", i " + dim);
            }
        }
    }

    @Test
    void defaultRopeMatchesTheClosedForm() {
        assertAnglesMatchTheFormula(64, 10_000, 1, 0, 40);
        assertAnglesMatchTheFormula(128, 1_000_000, 1, 100, 3);
    }

    @Test
    void linearScalingDividesTheFrequenciesByTheFactor() {
        assertAnglesMatchTheFormula(64, 500_000, 8, 0, 40);
        assertAnglesMatchTheFormula(32, 10_000, 2.5, 1000, 2);
    }

    @Test
    void theAngleAtPositionOneIsTheInverseFrequency() {
        int d = 64;
        RopeFrequencies f = RopeFrequencies.linear(d, 1_000_000, 4);
        float[] cos = new float[d / 2];
        float[] sin = new float[d / 2];
        f.angles(1, 1, cos, sin);
        for (int i = 0; i < d / 2; i++) {
            double expected = inverse(i, d, 1_000_000, 4);
            assertEquals(expected, Math.atan2(sin[i], cos[i]), 1e-6 * expected + 1e-9, "inverse frequency " + i);
        }
    }

    @Test
    void positionZeroIsTheIdentityAndOffsetsContinueTheSequence() {
        RopeFrequencies f = RopeFrequencies.linear(16, 10_000, 1);
        float[] cos = new float[10 * 8];
        float[] sin = new float[10 * 8];
        f.angles(0, 10, cos, sin);
        for (int i = 0; i < 8; i++) {
            assertEquals(1f, cos[i]);
            assertEquals(0f, sin[i]);
        }
        float[] cosTail = new float[3 * 8];
        float[] sinTail = new float[3 * 8];
        f.angles(7, 3, cosTail, sinTail);
        assertEquals(Arrays.toString(Arrays.copyOfRange(cos, 7 * 8, 10 * 8)), Arrays.toString(cosTail));
        assertEquals(Arrays.toString(Arrays.copyOfRange(sin, 7 * 8, 10 * 8)), Arrays.toString(sinTail));
    }
}
