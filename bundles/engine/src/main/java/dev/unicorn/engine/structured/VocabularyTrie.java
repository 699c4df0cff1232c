package dev.unicorn.engine.structured;

import java.util.Arrays;

import dev.unicorn.api.text.Tokenizer;

/**
 * The text of every token of a vocabulary, as a trie in depth-first order, so a constraint checks a prefix shared by
 * many tokens once. Tokens without text of their own (special and control tokens, which decode to nothing) and
 * tokens that are part of a UTF-8 character (byte-level BPE pieces, SentencePiece byte fallback) are left out: they
 * are never allowed inside JSON. Immutable once built; shared by every constraint on the same model.
 */
final class VocabularyTrie {
    /** Text of each token id, or null when it is left out. */
    final String[] texts;
    /** Token ids in the order of their texts; the tokens under a node are a range of it. */
    final int[] order;
    final int nodes;
    final char[] character;
    final int[] depth;
    /** Index of the first node after the node's subtree. */
    final int[] subtreeEnd;
    /** Range of {@link #order}: tokens that end at the node are [tokenStart, tokenEndHere), under it [.., subtreeTokenEnd). */
    final int[] tokenStart;
    final int[] tokenEndHere;
    final int[] subtreeTokenEnd;
    /** Every character in the subtree can stand unescaped in a JSON string. */
    final boolean[] plainSubtree;
    final int maxLength;
    /** Whether each token's whole text can stand unescaped in a JSON string: inside one, all of them are allowed. */
    final boolean[] plainToken;
    /** Nodes from here on are under first characters outside ASCII (texts are sorted by UTF-16 unit). */
    final int asciiEnd;

    private VocabularyTrie(String[] texts) {
        this.texts = texts;
        Integer[] sorted = java.util.stream.IntStream.range(0, texts.length).filter(i -> texts[i] != null).boxed()
                .toArray(Integer[]::new);
        Arrays.sort(sorted, (a, b) -> texts[a].compareTo(texts[b]));
        int chars = 0;
        int longest = 0;
        for (int id : sorted) {
            chars += texts[id].length();
            longest = Math.max(longest, texts[id].length());
        }
        maxLength = longest;
        order = new int[sorted.length];
        char[] ch = new char[chars];
        int[] dep = new int[chars];
        int[] end = new int[chars];
        int[] start = new int[chars];
        int[] endHere = new int[chars];
        int[] subtreeTokens = new int[chars];
        boolean[] plain = new boolean[chars];
        int[] open = new int[longest];
        int openCount = 0;
        int count = 0;
        int tokens = 0;
        String previous = "";
        for (int id : sorted) {
            String s = texts[id];
            int common = 0;
            int limit = Math.min(previous.length(), s.length());
            while (common < limit && previous.charAt(common) == s.charAt(common)) {
                common++;
            }
            while (openCount > common) {
                int node = open[--openCount];
                end[node] = count;
                subtreeTokens[node] = tokens;
                if (!plain[node] && openCount > 0) {
                    plain[open[openCount - 1]] = false;
                }
            }
            for (int d = common; d < s.length(); d++) {
                char c = s.charAt(d);
                ch[count] = c;
                dep[count] = d;
                start[count] = tokens;
                endHere[count] = tokens;
                plain[count] = c >= 0x20 && c != '"' && c != '\\';
                open[openCount++] = count++;
            }
            order[tokens++] = id;
            endHere[open[openCount - 1]] = tokens;
            previous = s;
        }
        while (openCount > 0) {
            int node = open[--openCount];
            end[node] = count;
            subtreeTokens[node] = tokens;
            if (!plain[node] && openCount > 0) {
                plain[open[openCount - 1]] = false;
            }
        }
        nodes = count;
        character = Arrays.copyOf(ch, count);
        depth = Arrays.copyOf(dep, count);
        subtreeEnd = Arrays.copyOf(end, count);
        tokenStart = Arrays.copyOf(start, count);
        tokenEndHere = Arrays.copyOf(endHere, count);
        subtreeTokenEnd = Arrays.copyOf(subtreeTokens, count);
        plainSubtree = Arrays.copyOf(plain, count);
        int firstNonAscii = count;
        for (int i = 0; i < count; i = subtreeEnd[i]) {
            if (character[i] >= 0x80) {
                firstNonAscii = i;
                break;
            }
        }
        asciiEnd = firstNonAscii;
        plainToken = new boolean[texts.length];
        for (int id = 0; id < texts.length; id++) {
            String t = texts[id];
            boolean plainText = t != null;
            for (int k = 0; plainText && k < t.length(); k++) {
                char c = t.charAt(k);
                plainText = c >= 0x20 && c != '"' && c != '\\';
            }
            plainToken[id] = plainText;
        }
    }

    /** A trie of the given texts, indexed by token id (null: left out). */
    static VocabularyTrie of(String[] texts) {
        return new VocabularyTrie(texts.clone());
    }

    /** The texts of ids {@code [0, size)} of {@code tokenizer}. */
    static VocabularyTrie of(Tokenizer tokenizer, int size) {
        return new VocabularyTrie(tokenTexts(tokenizer, size));
    }

    /**
     * Each token's text as it reads after other text: decoded behind an anchor token, since decoders drop the
     * leading space of a first token (SentencePiece's "▁") that they keep inside a text.
     */
    static String[] tokenTexts(Tokenizer tokenizer, int size) {
        int[] anchor = tokenizer.encode("{", false);
        String anchorText = anchor.length == 1 ? tokenizer.decode(anchor, true) : "";
        int[] pair = {anchor.length == 1 ? anchor[0] : 0, 0};
        int[] single = new int[1];
        String[] texts = new String[size];
        for (int id = 0; id < size; id++) {
            String text;
            pair[1] = id;
            String behind = anchorText.isEmpty() ? "" : tokenizer.decode(pair, true);
            if (behind.startsWith(anchorText) && !anchorText.isEmpty()) {
                text = behind.substring(anchorText.length());
            } else {
                single[0] = id;
                text = tokenizer.decode(single, true);
            }
            // empty: a special or control token, or an id the tokenizer does not know
            if (!text.isEmpty() && text.indexOf('\uFFFD') < 0 && validSurrogates(text)) {
                texts[id] = text;
            }
        }
        return texts;
    }

    private static boolean validSurrogates(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (Character.isHighSurrogate(c)) {
                if (i + 1 == s.length() || !Character.isLowSurrogate(s.charAt(i + 1))) {
                    return false;
                }
                i++;
            } else if (Character.isLowSurrogate(c)) {
                return false;
            }
        }
        return true;
    }
}
