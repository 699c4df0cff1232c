package dev.unicorn.engine.structured;

import java.util.List;

/** A JSON Schema compiled to what the output may be: the grammar the {@link JsonMatcher} follows. */
sealed interface SchemaNode {

    /** One of fixed JSON texts: enum, const, booleans, null, in the compact form they are emitted. */
    record Literals(List<String> texts) implements SchemaNode {
        public Literals {
            texts = List.copyOf(texts);
        }
    }

    /** Any JSON string (escapes included). */
    record StringValue() implements SchemaNode {
    }

    /** A JSON number; an integer has no fraction or exponent. */
    record NumberValue(boolean integer) implements SchemaNode {
    }

    /** An array of {@code items}, from {@code min} to {@code max} of them. */
    record ArrayValue(SchemaNode items, int min, int max) implements SchemaNode {
    }

    /**
     * An object. With declared properties, they appear in declared order, each optional one may be left out and no
     * other key is emitted; without, any keys are allowed with values of {@code additional} (null: none at all).
     *
     * @param keys     the declared keys, JSON-encoded with their quotes
     * @param values   the schema of each declared key
     * @param required whether each declared key must appear
     */
    record ObjectValue(List<String> keys, List<SchemaNode> values, List<Boolean> required, SchemaNode additional)
            implements SchemaNode {
        public ObjectValue {
            keys = List.copyOf(keys);
            values = List.copyOf(values);
            required = List.copyOf(required);
        }

        /** The last key that may come next after the first {@code next} keys: the first required one at or after it. */
        int lastCandidate(int next) {
            for (int i = next; i < keys.size(); i++) {
                if (required.get(i)) {
                    return i;
                }
            }
            return keys.size() - 1;
        }

        /** Whether the object may close once the keys before {@code next} are done. */
        boolean canClose(int next) {
            for (int i = next; i < keys.size(); i++) {
                if (required.get(i)) {
                    return false;
                }
            }
            return true;
        }

        boolean declared() {
            return !keys.isEmpty();
        }
    }

    /** A value of any of the options. */
    record AnyOf(List<SchemaNode> options) implements SchemaNode {
        public AnyOf {
            options = List.copyOf(options);
        }
    }

    /** A {@code $ref}, resolved once its target is compiled (a recursive schema refers to itself through one). */
    final class Reference implements SchemaNode {
        final String ref;
        SchemaNode target;

        Reference(String ref) {
            this.ref = ref;
        }

        @Override
        public String toString() {
            return "Reference[" + ref + "]";
        }
    }
}
