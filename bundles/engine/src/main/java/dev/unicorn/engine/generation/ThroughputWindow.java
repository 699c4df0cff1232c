package dev.unicorn.engine.generation;

/** Tokens per second over the last few seconds: counts in one-second buckets, a ring of {@value #SECONDS}. */
final class ThroughputWindow {
    static final int SECONDS = 5;

    private final long origin;
    private final long[] second = new long[SECONDS];
    private final long[] tokens = new long[SECONDS];

    ThroughputWindow(long originNanos) {
        this.origin = originNanos;
        java.util.Arrays.fill(second, -1);
    }

    synchronized void add(long nowNanos, int count) {
        long s = (nowNanos - origin) / 1_000_000_000L;
        int i = (int) (s % SECONDS);
        if (second[i] != s) {
            second[i] = s;
            tokens[i] = 0;
        }
        tokens[i] += count;
    }

    /** Tokens counted in the current second and the {@code SECONDS - 1} before it, per second of that span. */
    synchronized double perSecond(long nowNanos) {
        long elapsed = nowNanos - origin;
        long s = elapsed / 1_000_000_000L;
        long sum = 0;
        for (int i = 0; i < SECONDS; i++) {
            if (second[i] > s - SECONDS && second[i] <= s) {
                sum += tokens[i];
            }
        }
        double span = Math.min(SECONDS - 1 + (elapsed % 1_000_000_000L) / 1e9, elapsed / 1e9);
        return sum == 0 ? 0 : sum / Math.max(span, 0.001);
    }
}
