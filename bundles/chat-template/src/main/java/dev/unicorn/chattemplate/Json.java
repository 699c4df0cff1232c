package dev.unicorn.chattemplate;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;

/** Python's {@code json.dumps(x, ensure_ascii=False, indent, separators, sort_keys)}, as transformers' tojson. */
final class Json {
    private final String indent;
    private final String itemSeparator;
    private final String keySeparator;
    private final boolean sortKeys;
    private final boolean ensureAscii;

    Json(boolean ensureAscii, Object indent, Object separators, boolean sortKeys) {
        this.ensureAscii = ensureAscii;
        if (indent == null) {
            this.indent = null;
        } else if (indent instanceof String s) {
            this.indent = s;
        } else {
            this.indent = " ".repeat((int) Math.max(0, Py.toLong(indent)));
        }
        if (separators instanceof List<?> l && l.size() == 2) {
            this.itemSeparator = (String) l.get(0);
            this.keySeparator = (String) l.get(1);
        } else {
            this.itemSeparator = this.indent == null ? ", " : ",";
            this.keySeparator = ": ";
        }
        this.sortKeys = sortKeys;
    }

    String dumps(Object v) {
        StringBuilder b = new StringBuilder();
        write(b, v, 0);
        return b.toString();
    }

    private void newline(StringBuilder b, int level) {
        if (indent != null) {
            b.append('\n').append(indent.repeat(level));
        }
    }

    private void write(StringBuilder b, Object v, int level) {
        switch (v) {
            case null -> b.append("null");
            case Boolean x -> b.append(x ? "true" : "false");
            case Long x -> b.append(x);
            case Double d -> b.append(Double.isNaN(d) ? "NaN" : Double.isInfinite(d) ? (d > 0 ? "Infinity"
                    : "-Infinity") : Py.floatRepr(d));
            case String s -> string(b, s);
            case Map<?, ?> m -> {
                if (m.isEmpty()) {
                    b.append("{}");
                    return;
                }
                List<Map.Entry<?, ?>> entries = new ArrayList<>(m.entrySet());
                if (sortKeys) {
                    entries.sort((x, y) -> Py.compare(x.getKey(), y.getKey(), "<"));
                }
                b.append('{');
                boolean first = true;
                for (Map.Entry<?, ?> e : entries) {
                    if (!first) {
                        b.append(itemSeparator);
                    }
                    first = false;
                    newline(b, level + 1);
                    Object k = e.getKey();
                    string(b, k instanceof String s ? s : k == null ? "null" : k instanceof Boolean x
                            ? (x ? "true" : "false") : Py.str(k));
                    b.append(keySeparator);
                    write(b, e.getValue(), level + 1);
                }
                newline(b, level);
                b.append('}');
            }
            case Collection<?> c -> {
                if (c.isEmpty()) {
                    b.append("[]");
                    return;
                }
                b.append('[');
                boolean first = true;
                for (Object x : c) {
                    if (!first) {
                        b.append(itemSeparator);
                    }
                    first = false;
                    newline(b, level + 1);
                    write(b, x, level + 1);
                }
                newline(b, level);
                b.append(']');
            }
            default -> throw new TemplateException("Object of type " + Py.typeName(v) + " is not JSON serializable");
        }
    }

    private void string(StringBuilder b, String s) {
        b.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                case '\n' -> b.append("\\n");
                case '\r' -> b.append("\\r");
                case '\t' -> b.append("\\t");
                case '\b' -> b.append("\\b");
                case '\f' -> b.append("\\f");
                default -> {
                    if (c < 0x20 || (ensureAscii && c > 0x7e)) {
                        b.append(String.format("\\u%04x", (int) c));
                    } else {
                        b.append(c);
                    }
                }
            }
        }
        b.append('"');
    }
}
