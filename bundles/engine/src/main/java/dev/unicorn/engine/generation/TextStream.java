package dev.unicorn.engine.generation;

import java.util.List;

import dev.unicorn.api.text.Tokenizer;

/**
 * Turns generated ids into text as they arrive: text is released once it is complete (no half UTF-8 character)
 * and cannot be the start of a stop string; generation stops at the first stop string, which is cut off.
 */
final class TextStream {
    private final Tokenizer tokenizer;
    private final List<String> stopStrings;
    private int[] ids = new int[64];
    private int count;
    private String text = "";
    private int released;
    private boolean stopped;

    TextStream(Tokenizer tokenizer, List<String> stopStrings) {
        this.tokenizer = tokenizer;
        this.stopStrings = stopStrings;
    }

    /** Adds a token and returns the text now safe to release (possibly empty). */
    String push(int id) {
        if (count == ids.length) {
            ids = java.util.Arrays.copyOf(ids, count * 2);
        }
        ids[count++] = id;
        if (tokenizer == null) {
            return "";
        }
        text = tokenizer.decode(java.util.Arrays.copyOf(ids, count), true);
        int stopAt = firstStop();
        if (stopAt >= 0) {
            stopped = true;
            text = text.substring(0, stopAt);
            return release(text.length());
        }
        int safe = text.length();
        if (safe > 0 && text.charAt(safe - 1) == '\uFFFD') {
            safe--;
        }
        safe -= heldForStop(safe);
        return release(Math.max(safe, released));
    }

    /** The rest of the text once generation ends. */
    String finish() {
        return release(text.length());
    }

    boolean stopped() {
        return stopped;
    }

    String text() {
        return text;
    }

    private String release(int end) {
        if (end <= released) {
            return ""; // a stop string that began in text already released: nothing more to give
        }
        String piece = text.substring(released, end);
        released = end;
        return piece;
    }

    private int firstStop() {
        int best = -1;
        for (String s : stopStrings) {
            int i = text.indexOf(s, Math.max(0, released - s.length()));
            if (i >= 0 && (best < 0 || i < best)) {
                best = i;
            }
        }
        return best;
    }

    /** Length of the longest suffix of {@code text[0, end)} that begins some stop string. */
    private int heldForStop(int end) {
        int hold = 0;
        for (String s : stopStrings) {
            for (int k = Math.min(s.length() - 1, end); k > hold; k--) {
                if (text.startsWith(s.substring(0, k), end - k)) {
                    hold = k;
                    break;
                }
            }
        }
        return hold;
    }
}
