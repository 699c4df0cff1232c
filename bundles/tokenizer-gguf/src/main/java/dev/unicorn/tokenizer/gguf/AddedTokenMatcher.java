package dev.unicorn.tokenizer.gguf;

import java.util.HashMap;
import java.util.Map;
import java.util.function.IntFunction;

/**
 * Finds added tokens (control, user-defined and unknown tokens of a GGUF vocabulary) in text, leftmost-longest first, as
 * the Hugging Face tokenizers match their {@code added_tokens} before the model sees the rest.
 */
final class AddedTokenMatcher {

    /** Receives the text between matches and the matched token ids, in order. */
    interface Sink {
        void text(String text, int start, int end);

        void token(int id);
    }

    private static final class Node {
        final Map<Character, Node> children = new HashMap<>(4);
        int id = -1;
    }

    private final Node root = new Node();
    private final boolean empty;

    /** @param matchedText the text a token is matched by, or null for tokens that are not matched as a whole */
    AddedTokenMatcher(GgufVocabulary vocabulary, IntFunction<String> matchedText) {
        boolean any = false;
        for (int id = 0; id < vocabulary.size(); id++) {
            String text = matchedText.apply(id);
            if (text == null || text.isEmpty()) {
                continue;
            }
            Node node = root;
            for (int i = 0; i < text.length(); i++) {
                node = node.children.computeIfAbsent(text.charAt(i), c -> new Node());
            }
            if (node.id < 0) {
                node.id = id;
            }
            any = true;
        }
        this.empty = !any;
    }

    void split(String text, Sink sink) {
        if (empty) {
            if (!text.isEmpty()) {
                sink.text(text, 0, text.length());
            }
            return;
        }
        int textStart = 0;
        int i = 0;
        while (i < text.length()) {
            Node node = root;
            int matchId = -1;
            int matchEnd = -1;
            for (int j = i; j < text.length(); j++) {
                node = node.children.get(text.charAt(j));
                if (node == null) {
                    break;
                }
                if (node.id >= 0) {
                    matchId = node.id;
                    matchEnd = j + 1;
                }
            }
            if (matchId < 0) {
                i++;
                continue;
            }
            if (i > textStart) {
                sink.text(text, textStart, i);
            }
            sink.token(matchId);
            i = matchEnd;
            textStart = matchEnd;
        }
        if (textStart < text.length()) {
            sink.text(text, textStart, text.length());
        }
    }
}
