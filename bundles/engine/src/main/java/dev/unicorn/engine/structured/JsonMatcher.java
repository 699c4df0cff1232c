package dev.unicorn.engine.structured;

import java.util.ArrayList;
import java.util.List;

import dev.unicorn.engine.structured.SchemaNode.AnyOf;
import dev.unicorn.engine.structured.SchemaNode.ArrayValue;
import dev.unicorn.engine.structured.SchemaNode.Literals;
import dev.unicorn.engine.structured.SchemaNode.NumberValue;
import dev.unicorn.engine.structured.SchemaNode.ObjectValue;
import dev.unicorn.engine.structured.SchemaNode.Reference;
import dev.unicorn.engine.structured.SchemaNode.StringValue;

/**
 * A pushdown automaton over characters that follows a {@link SchemaNode}. A position is a stack of immutable frames
 * (the top one is the value being read, its parent the rest of the enclosing value after it); an anyOf makes
 * several stacks, so a position is a list of them. JSON is emitted compact: the only whitespace allowed is one
 * optional space after a ':' or a ',', so a model cannot spin on whitespace.
 */
final class JsonMatcher {

    private JsonMatcher() {
    }

    /** The stacks before the first character of a value of {@code node}. */
    static List<Frame> start(SchemaNode node) {
        List<Frame> out = new ArrayList<>();
        enter(node, null, out);
        return out;
    }

    /** The stacks after {@code text}; empty when it does not extend a valid prefix. */
    static List<Frame> advance(List<Frame> stacks, CharSequence text) {
        List<Frame> current = stacks;
        for (int i = 0; i < text.length() && !current.isEmpty(); i++) {
            List<Frame> next = new ArrayList<>();
            for (Frame f : current) {
                step(f, text.charAt(i), next);
            }
            current = next;
        }
        return current;
    }

    /** Whether the output may end here: some stack holds a complete value. */
    static boolean canFinish(List<Frame> stacks) {
        for (Frame f : stacks) {
            if (canFinish(f)) {
                return true;
            }
        }
        return false;
    }

    /** Whether the value is complete and nothing more may follow. */
    static boolean closed(List<Frame> stacks) {
        for (Frame f : stacks) {
            if (f != DONE) {
                return false;
            }
        }
        return !stacks.isEmpty();
    }

    /** Whether some stack may read a character outside ASCII next: else no token beginning with one is allowed. */
    static boolean readsNonAscii(List<Frame> stacks) {
        for (Frame top : stacks) {
            for (Frame f = top; f != null; f = f.parent) {
                if (f.readsNonAscii()) {
                    return true;
                }
                if (!f.canEnd()) {
                    break;
                }
            }
        }
        return false;
    }

    static boolean canFinish(Frame top) {
        for (Frame f = top; f != null; f = f.parent) {
            if (!f.canEnd()) {
                return false;
            }
        }
        return true;
    }

    /** Adds the stacks after {@code c} is read at {@code top}: within its value, or after the value ends there. */
    static void step(Frame top, char c, List<Frame> out) {
        for (Frame f = top; f != null; f = f.parent) {
            f.consume(c, out);
            if (!f.canEnd()) {
                return;
            }
        }
    }

    /** Adds the frames that begin a value of {@code node}, continuing with {@code parent}. */
    static void enter(SchemaNode node, Frame parent, List<Frame> out) {
        switch (node) {
            case AnyOf a -> {
                for (SchemaNode option : a.options()) {
                    enter(option, parent, out);
                }
            }
            case Reference r -> enter(r.target, parent, out);
            case Literals l -> out.add(new LiteralFrame(parent, l.texts(), 0, 0));
            case StringValue s -> out.add(new StringFrame(parent, StringFrame.START));
            case NumberValue n -> out.add(new NumberFrame(parent, n.integer(), NumberFrame.START));
            case ArrayValue a -> out.add(new ArrayFrame(parent, a, ArrayFrame.START, 0));
            case ObjectValue o -> out.add(new ObjectFrame(parent, o, ObjectFrame.START, 0, 0, 0));
        }
    }

    /** Enters a value of {@code node} and reads its first character. */
    private static void enterWith(SchemaNode node, Frame parent, char c, List<Frame> out) {
        if (node instanceof Literals l) { // the common case, without a list
            new LiteralFrame(parent, l.texts(), 0, 0).consume(c, out);
            return;
        }
        List<Frame> first = new ArrayList<>(2);
        enter(node, parent, first);
        for (Frame f : first) {
            f.consume(c, out); // a value's first frame never ends before reading something
        }
    }

    /** Where a value that just ended continues: its parent, or the end of the output. */
    private static Frame ended(Frame parent) {
        return parent == null ? DONE : parent;
    }

    /** One level of the stack. */
    abstract static sealed class Frame permits LiteralFrame, StringFrame, NumberFrame, ArrayFrame, ObjectFrame,
            Done {
        final Frame parent;

        Frame(Frame parent) {
            this.parent = parent;
        }

        /** Adds the frames after reading {@code c} inside this value. */
        abstract void consume(char c, List<Frame> out);

        /** Whether this value may end before the next character. */
        abstract boolean canEnd();

        /** Whether this frame may read a character outside ASCII next (all JSON syntax is ASCII). */
        boolean readsNonAscii() {
            return false;
        }
    }

    /** The whole output is complete. */
    static final Frame DONE = new Done();

    static final class Done extends Frame {
        Done() {
            super(null);
        }

        @Override
        void consume(char c, List<Frame> out) {
        }

        @Override
        boolean canEnd() {
            return true;
        }
    }

    /** One of fixed texts, {@code n} characters read, which are the first {@code n} of {@code texts[k]}. */
    static final class LiteralFrame extends Frame {
        private final List<String> texts;
        private final int k;
        private final int n;

        LiteralFrame(Frame parent, List<String> texts, int k, int n) {
            super(parent);
            this.texts = texts;
            this.k = k;
            this.n = n;
        }

        @Override
        void consume(char c, List<Frame> out) {
            String read = texts.get(k);
            int match = -1;
            boolean longer = false;
            for (int j = 0; j < texts.size(); j++) {
                String t = texts.get(j);
                if (t.length() > n && t.charAt(n) == c && (j == k || t.regionMatches(0, read, 0, n))) {
                    if (match < 0 || t.length() == n + 1) {
                        match = j; // prefer the text that ends here, so canEnd sees it
                    }
                    if (t.length() > n + 1) {
                        longer = true;
                    }
                }
            }
            if (match < 0) {
                return;
            }
            if (!longer) {
                out.add(ended(parent));
            } else {
                out.add(new LiteralFrame(parent, texts, match, n + 1));
            }
        }

        @Override
        boolean readsNonAscii() {
            for (String t : texts) {
                if (t.length() > n && t.charAt(n) >= 0x80) {
                    return true;
                }
            }
            return false;
        }

        @Override
        boolean canEnd() {
            String read = texts.get(k);
            if (read.length() == n) {
                return true;
            }
            for (String t : texts) {
                if (t.length() == n && read.startsWith(t)) {
                    return true;
                }
            }
            return false;
        }
    }

    /** A JSON string. */
    static final class StringFrame extends Frame {
        static final int START = -1;
        static final int BODY = 0;
        static final int ESCAPE = 5;
        // 1..4: hex digits of a backslash-u escape still to read

        private final int state;

        StringFrame(Frame parent, int state) {
            super(parent);
            this.state = state;
        }

        /** Whether any character other than '"', '\' and control characters keeps this frame as it is. */
        boolean inBody() {
            return state == BODY;
        }

        @Override
        void consume(char c, List<Frame> out) {
            switch (state) {
                case START -> {
                    if (c == '"') {
                        out.add(new StringFrame(parent, BODY));
                    }
                }
                case BODY -> {
                    if (c == '"') {
                        out.add(ended(parent));
                    } else if (c == '\\') {
                        out.add(new StringFrame(parent, ESCAPE));
                    } else if (c >= 0x20) {
                        out.add(this);
                    }
                }
                case ESCAPE -> {
                    if (c == 'u') {
                        out.add(new StringFrame(parent, 4));
                    } else if ("\"\\/bfnrt".indexOf(c) >= 0) {
                        out.add(new StringFrame(parent, BODY));
                    }
                }
                default -> {
                    if ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F')) {
                        out.add(new StringFrame(parent, state == 1 ? BODY : state - 1));
                    }
                }
            }
        }

        @Override
        boolean readsNonAscii() {
            return state == BODY;
        }

        @Override
        boolean canEnd() {
            return false; // a string ends with its closing quote, which moves on to the parent
        }
    }

    /**
     * A JSON number: -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?, without fraction and exponent for integers. The
     * integer part and the fraction have at most {@link #MAX_DIGITS} digits, the exponent {@link #MAX_EXPONENT_DIGITS}:
     * more would not survive a parse to double, and a model could otherwise add digits until it runs out of tokens.
     */
    static final class NumberFrame extends Frame {
        static final int MAX_DIGITS = 15;
        static final int MAX_EXPONENT_DIGITS = 3;
        static final int START = 0;
        static final int MINUS = 1;
        static final int ZERO = 2;
        static final int INT = 3;
        static final int DOT = 4;
        static final int FRACTION = 5;
        static final int E = 6;
        static final int E_SIGN = 7;
        static final int EXPONENT = 8;

        private final boolean integer;
        private final int state;
        /** Digits read in the current part (integer, fraction or exponent). */
        private final int digits;

        NumberFrame(Frame parent, boolean integer, int state) {
            this(parent, integer, state, 0);
        }

        private NumberFrame(Frame parent, boolean integer, int state, int digits) {
            super(parent);
            this.integer = integer;
            this.state = state;
            this.digits = digits;
        }

        @Override
        void consume(char c, List<Frame> out) {
            boolean digit = c >= '0' && c <= '9';
            boolean exponent = (c == 'e' || c == 'E') && !integer;
            int next = switch (state) {
                case START -> c == '-' ? MINUS : c == '0' ? ZERO : digit ? INT : -1;
                case MINUS -> c == '0' ? ZERO : digit ? INT : -1;
                case ZERO -> c == '.' && !integer ? DOT : exponent ? E : -1;
                case INT -> digit ? (digits < MAX_DIGITS ? INT : -1) : c == '.' && !integer ? DOT : exponent ? E : -1;
                case DOT -> digit ? FRACTION : -1;
                case FRACTION -> digit ? (digits < MAX_DIGITS ? FRACTION : -1) : exponent ? E : -1;
                case E -> c == '+' || c == '-' ? E_SIGN : digit ? EXPONENT : -1;
                case E_SIGN -> digit ? EXPONENT : -1;
                default -> digit && digits < MAX_EXPONENT_DIGITS ? EXPONENT : -1;
            };
            if (next >= 0) {
                out.add(new NumberFrame(parent, integer, next, next == state ? digits + 1 : digit ? 1 : 0));
            }
        }

        @Override
        boolean canEnd() {
            return state == ZERO || state == INT || state == FRACTION || state == EXPONENT;
        }
    }

    /** A JSON array, {@code count} items read. */
    static final class ArrayFrame extends Frame {
        static final int START = 0;
        static final int OPEN = 1;
        static final int AFTER_ITEM = 2;
        static final int AFTER_COMMA = 3;
        static final int AFTER_COMMA_SPACE = 4;

        private final ArrayValue node;
        private final int state;
        private final int count;

        ArrayFrame(Frame parent, ArrayValue node, int state, int count) {
            super(parent);
            this.node = node;
            this.state = state;
            this.count = count;
        }

        @Override
        void consume(char c, List<Frame> out) {
            switch (state) {
                case START -> {
                    if (c == '[') {
                        out.add(new ArrayFrame(parent, node, OPEN, 0));
                    }
                }
                case OPEN -> {
                    if (c == ']' && node.min() == 0) {
                        out.add(ended(parent));
                    } else if (c != ']' && node.max() > 0) {
                        item(c, out);
                    }
                }
                case AFTER_ITEM -> {
                    if (c == ',' && count < node.max()) {
                        out.add(new ArrayFrame(parent, node, AFTER_COMMA, count));
                    } else if (c == ']' && count >= node.min()) {
                        out.add(ended(parent));
                    }
                }
                default -> {
                    if (c == ' ' && state == AFTER_COMMA) {
                        out.add(new ArrayFrame(parent, node, AFTER_COMMA_SPACE, count));
                    } else if (c != ' ') {
                        item(c, out);
                    }
                }
            }
        }

        private void item(char c, List<Frame> out) {
            enterWith(node.items(), new ArrayFrame(parent, node, AFTER_ITEM, count + 1), c, out);
        }

        @Override
        boolean canEnd() {
            return false;
        }
    }

    /**
     * A JSON object. {@code next}: declared keys before it are done; while a key is read, {@code n} characters of
     * the encoded key {@code key} (quotes included) are read; after it, {@code key} is the one read.
     */
    static final class ObjectFrame extends Frame {
        static final int START = 0;
        static final int OPEN = 1;
        static final int KEY = 2;
        static final int COLON = 3;
        static final int AFTER_COLON = 4;
        static final int AFTER_COLON_SPACE = 5;
        static final int AFTER_VALUE = 6;
        static final int AFTER_COMMA = 7;
        static final int AFTER_COMMA_SPACE = 8;

        private final ObjectValue node;
        private final int state;
        private final int next;
        private final int key;
        private final int n;

        ObjectFrame(Frame parent, ObjectValue node, int state, int next, int key, int n) {
            super(parent);
            this.node = node;
            this.state = state;
            this.next = next;
            this.key = key;
            this.n = n;
        }

        private ObjectFrame to(int newState, int newNext, int newKey, int newN) {
            return new ObjectFrame(parent, node, newState, newNext, newKey, newN);
        }

        @Override
        void consume(char c, List<Frame> out) {
            switch (state) {
                case START -> {
                    if (c == '{') {
                        out.add(to(OPEN, 0, 0, 0));
                    }
                }
                case OPEN -> {
                    if (c == '}' && canClose()) {
                        out.add(ended(parent));
                    } else if (c == '"') {
                        keyStart(out);
                    }
                }
                case KEY -> keyChar(c, out);
                case COLON -> {
                    if (c == ':') {
                        out.add(to(AFTER_COLON, next, key, 0));
                    }
                }
                case AFTER_COLON, AFTER_COLON_SPACE -> {
                    if (c == ' ') {
                        if (state == AFTER_COLON) {
                            out.add(to(AFTER_COLON_SPACE, next, key, 0));
                        }
                    } else {
                        SchemaNode value = node.declared() ? node.values().get(key) : node.additional();
                        enterWith(value, to(AFTER_VALUE, node.declared() ? key + 1 : 0, 0, 0), c, out);
                    }
                }
                case AFTER_VALUE -> {
                    if (c == ',' && hasMore()) {
                        out.add(to(AFTER_COMMA, next, 0, 0));
                    } else if (c == '}' && canClose()) {
                        out.add(ended(parent));
                    }
                }
                default -> {
                    if (c == ' ') {
                        if (state == AFTER_COMMA) {
                            out.add(to(AFTER_COMMA_SPACE, next, 0, 0));
                        }
                    } else if (c == '"') {
                        keyStart(out);
                    }
                }
            }
        }

        private boolean canClose() {
            return node.declared() ? node.canClose(next) : true;
        }

        private boolean hasMore() {
            return node.declared() ? next < node.keys().size() : node.additional() != null;
        }

        private void keyStart(List<Frame> out) {
            if (!node.declared()) {
                if (node.additional() != null) {
                    out.add(new StringFrame(to(COLON, 0, 0, 0), StringFrame.BODY));
                }
            } else if (next < node.keys().size()) {
                out.add(to(KEY, next, next, 1)); // every candidate begins with its quote
            }
        }

        private void keyChar(char c, List<Frame> out) {
            String read = node.keys().get(key);
            int last = node.lastCandidate(next);
            for (int j = next; j <= last; j++) {
                String k = node.keys().get(j);
                if (k.length() > n && k.charAt(n) == c && (j == key || k.regionMatches(0, read, 0, n))) {
                    // keys end with their only unescaped quote, so a finished key is no prefix of another
                    out.add(k.length() == n + 1 ? to(COLON, next, j, 0) : to(KEY, next, j, n + 1));
                    return;
                }
            }
        }

        @Override
        boolean readsNonAscii() {
            if (state != KEY) {
                return false;
            }
            for (int j = next; j <= node.lastCandidate(next); j++) {
                String k = node.keys().get(j);
                if (k.length() > n && k.charAt(n) >= 0x80) {
                    return true;
                }
            }
            return false;
        }

        @Override
        boolean canEnd() {
            return false;
        }
    }
}
