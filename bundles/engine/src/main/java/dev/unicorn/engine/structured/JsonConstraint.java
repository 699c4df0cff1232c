package dev.unicorn.engine.structured;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import dev.unicorn.api.generation.TokenConstraint;
import dev.unicorn.engine.structured.JsonMatcher.Frame;
import dev.unicorn.engine.structured.JsonMatcher.StringFrame;

/**
 * Allows the tokens whose text extends the output as a valid prefix of the schema's JSON, and the stop tokens once
 * the value is complete. Each mask walks the vocabulary trie with the matcher; inside a string, a subtree of plain
 * characters is allowed at once. One per generation: it holds the position and scratch space of the walk.
 */
final class JsonConstraint implements TokenConstraint {
    private final VocabularyTrie trie;
    private final Set<Integer> stopTokens;
    private final int[] stopIds;
    private final List<Frame>[] levels;
    /** Whether the characters of the trie path down to each depth are all plain string characters. */
    private final boolean[] plainPath;
    /** A token is allowed by the current mask when its stamp is the current epoch. */
    private final int[] stamp;
    private int epoch;
    private List<Frame> stacks;

    @SuppressWarnings("unchecked")
    JsonConstraint(SchemaNode schema, VocabularyTrie trie, Set<Integer> stopTokens) {
        this.trie = trie;
        this.stopTokens = Set.copyOf(stopTokens);
        this.stopIds = stopTokens.stream().mapToInt(Integer::intValue).toArray();
        this.stacks = JsonMatcher.start(schema);
        this.levels = new List[Math.max(1, trie.maxLength)];
        this.plainPath = new boolean[levels.length];
        for (int d = 0; d < levels.length; d++) {
            levels[d] = new ArrayList<>();
        }
        int maxStop = java.util.Arrays.stream(stopIds).max().orElse(-1);
        this.stamp = new int[Math.max(trie.texts.length, maxStop + 1)];
    }

    @Override
    public void mask(float[] logits) {
        int e = ++epoch;
        int[] order = trie.order;
        // inside a string every plain token is allowed: they are let through by the last loop, not stamped one by one
        boolean body = inStringBody(stacks);
        int i = 0;
        int end = JsonMatcher.readsNonAscii(stacks) ? trie.nodes : trie.asciiEnd;
        while (i < end) {
            int d = trie.depth[i];
            List<Frame> from = d == 0 ? stacks : levels[d - 1];
            if (trie.plainSubtree[i] && inStringBody(from)) {
                if (!(body && (d == 0 || plainPath[d - 1]))) {
                    for (int t = trie.tokenStart[i]; t < trie.subtreeTokenEnd[i]; t++) {
                        stamp[order[t]] = e;
                    }
                }
                i = trie.subtreeEnd[i];
                continue;
            }
            List<Frame> to = levels[d];
            to.clear();
            char c = trie.character[i];
            for (int s = 0, n = from.size(); s < n; s++) {
                JsonMatcher.step(from.get(s), c, to);
            }
            if (to.isEmpty()) {
                i = trie.subtreeEnd[i];
                continue;
            }
            plainPath[d] = (d == 0 || plainPath[d - 1]) && c >= 0x20 && c != '"' && c != '\\';
            for (int t = trie.tokenStart[i]; t < trie.tokenEndHere[i]; t++) {
                stamp[order[t]] = e;
            }
            i++;
        }
        if (JsonMatcher.canFinish(stacks)) {
            for (int id : stopIds) {
                if (id >= 0 && id < stamp.length) {
                    stamp[id] = e;
                }
            }
        }
        int known = Math.min(logits.length, stamp.length);
        int plainKnown = body ? Math.min(known, trie.plainToken.length) : 0;
        boolean[] plain = trie.plainToken;
        for (int id = 0; id < plainKnown; id++) {
            if (stamp[id] != e && !plain[id]) {
                logits[id] = Float.NEGATIVE_INFINITY;
            }
        }
        for (int id = plainKnown; id < known; id++) {
            if (stamp[id] != e) {
                logits[id] = Float.NEGATIVE_INFINITY;
            }
        }
        // ids beyond the tokenizer's vocabulary (a padded embedding) have no text
        java.util.Arrays.fill(logits, known, logits.length, Float.NEGATIVE_INFINITY);
    }

    private static boolean inStringBody(List<Frame> from) {
        return from.size() == 1 && from.getFirst() instanceof StringFrame s && s.inBody();
    }

    @Override
    public void accept(int tokenId) {
        if (stopTokens.contains(tokenId) && JsonMatcher.canFinish(stacks)) {
            stacks = List.of(JsonMatcher.DONE);
            return;
        }
        String text = tokenId >= 0 && tokenId < trie.texts.length ? trie.texts[tokenId] : null;
        List<Frame> next = text == null ? List.of() : JsonMatcher.advance(stacks, text);
        if (next.isEmpty()) {
            throw new IllegalStateException("token " + tokenId + (text == null ? " (no text)" : " '" + text + "'")
                    + " does not continue the JSON output here; it was not allowed by the mask");
        }
        stacks = next;
    }

    @Override
    public boolean complete() {
        return JsonMatcher.closed(stacks);
    }
}
