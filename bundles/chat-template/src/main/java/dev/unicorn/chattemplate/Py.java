package dev.unicorn.chattemplate;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Python semantics of template values: {@code null} is None, Boolean bool, Long int, Double float, String str,
 * List list ({@link Tuple} tuple), Map dict, {@link Undefined} jinja2's Undefined.
 */
final class Py {
    private Py() {
    }

    // ---- conversion of incoming JSON-like values ----

    static Object normalize(Object v) {
        return switch (v) {
            case null -> null;
            case Integer n -> n.longValue();
            case Short n -> n.longValue();
            case Byte n -> n.longValue();
            case Float f -> f.doubleValue();
            case BigDecimal d -> d.doubleValue();
            case BigInteger b -> b.bitLength() < 64 ? (Object) b.longValue() : b.doubleValue();
            case Map<?, ?> m -> {
                Map<Object, Object> out = new LinkedHashMap<>();
                m.forEach((k, x) -> out.put(normalize(k), normalize(x)));
                yield out;
            }
            case Collection<?> c -> {
                List<Object> out = new ArrayList<>(c.size());
                c.forEach(x -> out.add(normalize(x)));
                yield out;
            }
            case Object[] a -> {
                List<Object> out = new ArrayList<>(a.length);
                for (Object x : a) {
                    out.add(normalize(x));
                }
                yield out;
            }
            default -> v;
        };
    }

    // ---- type names ----

    static String typeName(Object v) {
        return switch (v) {
            case null -> "NoneType";
            case Boolean b -> "bool";
            case Long n -> "int";
            case Double d -> "float";
            case String s -> "str";
            case Tuple t -> "tuple";
            case List<?> l -> "list";
            case Map<?, ?> m -> "dict";
            case Undefined u -> "Undefined";
            case Namespace n -> "Namespace";
            case LoopContext l -> "LoopContext";
            case Callable c -> "function";
            default -> v.getClass().getSimpleName();
        };
    }

    /** jinja2's object_type_repr: {@code dict object}, {@code None}. */
    static String typeRepr(Object v) {
        if (v == null) {
            return "None";
        }
        return typeName(v) + " object";
    }

    // ---- truth, str, repr ----

    static boolean truthy(Object v) {
        return switch (v) {
            case null -> false;
            case Boolean b -> b;
            case Long n -> n != 0;
            case Double d -> d != 0.0;
            case String s -> !s.isEmpty();
            case Collection<?> c -> !c.isEmpty();
            case Map<?, ?> m -> !m.isEmpty();
            case Undefined u -> false;
            default -> true;
        };
    }

    static String str(Object v) {
        return switch (v) {
            case null -> "None";
            case String s -> s;
            case Boolean b -> b ? "True" : "False";
            case Long n -> n.toString();
            case Double d -> floatRepr(d);
            case Undefined u -> "";
            case Collection<?> c -> repr(c);
            case Map<?, ?> m -> repr(m);
            default -> v.toString();
        };
    }

    static String repr(Object v) {
        switch (v) {
            case null -> {
                return "None";
            }
            case String s -> {
                return stringRepr(s);
            }
            case Tuple t -> {
                StringBuilder b = new StringBuilder("(");
                for (int i = 0; i < t.size(); i++) {
                    b.append(i > 0 ? ", " : "").append(repr(t.get(i)));
                }
                return b.append(t.size() == 1 ? ",)" : ")").toString();
            }
            case Collection<?> c -> {
                StringBuilder b = new StringBuilder("[");
                boolean first = true;
                for (Object x : c) {
                    b.append(first ? "" : ", ").append(repr(x));
                    first = false;
                }
                return b.append(']').toString();
            }
            case Map<?, ?> m -> {
                StringBuilder b = new StringBuilder("{");
                boolean first = true;
                for (Map.Entry<?, ?> e : m.entrySet()) {
                    b.append(first ? "" : ", ").append(repr(e.getKey())).append(": ").append(repr(e.getValue()));
                    first = false;
                }
                return b.append('}').toString();
            }
            case Undefined u -> {
                return "Undefined";
            }
            default -> {
                return str(v);
            }
        }
    }

    private static String stringRepr(String s) {
        char quote = s.indexOf('\'') >= 0 && s.indexOf('"') < 0 ? '"' : '\'';
        StringBuilder b = new StringBuilder().append(quote);
        s.codePoints().forEach(cp -> {
            if (cp == quote || cp == '\\') {
                b.append('\\').appendCodePoint(cp);
            } else if (cp == '\n') {
                b.append("\\n");
            } else if (cp == '\r') {
                b.append("\\r");
            } else if (cp == '\t') {
                b.append("\\t");
            } else if (cp < 0x20 || cp == 0x7f) {
                b.append(String.format("\\x%02x", cp));
            } else if (cp >= 0x80 && cp < 0xa0 || cp == 0xad) {
                b.append(String.format("\\x%02x", cp));
            } else {
                b.appendCodePoint(cp);
            }
        });
        return b.append(quote).toString();
    }

    /** Python's {@code repr(float)}: the shortest digits that round-trip, scientific below 1e-4 and from 1e16. */
    static String floatRepr(double d) {
        if (Double.isNaN(d)) {
            return "nan";
        }
        if (Double.isInfinite(d)) {
            return d > 0 ? "inf" : "-inf";
        }
        if (d == 0) {
            return (1 / d < 0) ? "-0.0" : "0.0";
        }
        BigDecimal bd = new BigDecimal(Double.toString(Math.abs(d))).stripTrailingZeros();
        for (int n = 1; n < bd.precision(); n++) { // Java keeps two digits for some subnormals; Python does not
            BigDecimal shorter = bd.round(new java.math.MathContext(n, java.math.RoundingMode.HALF_EVEN));
            if (shorter.doubleValue() == Math.abs(d)) {
                bd = shorter.stripTrailingZeros();
                break;
            }
        }
        String digits = bd.unscaledValue().toString();
        int decpt = digits.length() - bd.scale(); // value = 0.digits * 10^decpt
        StringBuilder b = new StringBuilder(d < 0 ? "-" : "");
        if (decpt > -4 && decpt <= 16) {
            if (decpt <= 0) {
                b.append("0.").append("0".repeat(-decpt)).append(digits);
            } else if (decpt >= digits.length()) {
                b.append(digits).append("0".repeat(decpt - digits.length())).append(".0");
            } else {
                b.append(digits, 0, decpt).append('.').append(digits, decpt, digits.length());
            }
        } else {
            b.append(digits.charAt(0));
            if (digits.length() > 1) {
                b.append('.').append(digits, 1, digits.length());
            }
            int exp = decpt - 1;
            b.append('e').append(exp < 0 ? '-' : '+');
            String e = Integer.toString(Math.abs(exp));
            b.append(e.length() < 2 ? "0" + e : e);
        }
        return b.toString();
    }

    // ---- numbers ----

    static boolean isNumber(Object v) {
        return v instanceof Long || v instanceof Double || v instanceof Boolean;
    }

    static boolean isIntLike(Object v) {
        return v instanceof Long || v instanceof Boolean;
    }

    static long toLong(Object v) {
        return v instanceof Boolean b ? (b ? 1 : 0) : (Long) v;
    }

    static double toDouble(Object v) {
        return switch (v) {
            case Boolean b -> b ? 1 : 0;
            case Long n -> n;
            case Double d -> d;
            case null, default -> throw new TemplateException("must be real number, not " + typeName(v));
        };
    }

    static Long parseInt(String s) {
        return Long.parseLong(s);
    }

    // ---- equality and ordering ----

    static boolean eq(Object a, Object b) {
        if (a == b) {
            return true;
        }
        if (a == null || b == null) {
            return false;
        }
        if (isNumber(a) && isNumber(b)) {
            if (isIntLike(a) && isIntLike(b)) {
                return toLong(a) == toLong(b);
            }
            return toDouble(a) == toDouble(b);
        }
        if (a instanceof List<?> x && b instanceof List<?> y) {
            if ((a instanceof Tuple) != (b instanceof Tuple) || x.size() != y.size()) {
                return false;
            }
            for (int i = 0; i < x.size(); i++) {
                if (!eq(x.get(i), y.get(i))) {
                    return false;
                }
            }
            return true;
        }
        if (a instanceof Map<?, ?> x && b instanceof Map<?, ?> y) {
            if (x.size() != y.size()) {
                return false;
            }
            for (Map.Entry<?, ?> e : x.entrySet()) {
                if (!y.containsKey(e.getKey()) || !eq(e.getValue(), y.get(e.getKey()))) {
                    return false;
                }
            }
            return true;
        }
        return a.equals(b);
    }

    static int compare(Object a, Object b, String op) {
        if (isNumber(a) && isNumber(b)) {
            if (isIntLike(a) && isIntLike(b)) {
                return Long.compare(toLong(a), toLong(b));
            }
            return Double.compare(toDouble(a), toDouble(b));
        }
        if (a instanceof String x && b instanceof String y) {
            return compareCodePoints(x, y);
        }
        if (a instanceof List<?> x && b instanceof List<?> y && (a instanceof Tuple) == (b instanceof Tuple)) {
            for (int i = 0; i < Math.min(x.size(), y.size()); i++) {
                if (!eq(x.get(i), y.get(i))) {
                    return compare(x.get(i), y.get(i), op);
                }
            }
            return Integer.compare(x.size(), y.size());
        }
        if (a instanceof Undefined u) {
            throw u.error();
        }
        if (b instanceof Undefined u) {
            throw u.error();
        }
        throw new TemplateException("'" + op + "' not supported between instances of '" + typeName(a) + "' and '"
                + typeName(b) + "'");
    }

    static int compareCodePoints(String x, String y) {
        int i = 0;
        int j = 0;
        while (i < x.length() && j < y.length()) {
            int a = x.codePointAt(i);
            int b = y.codePointAt(j);
            if (a != b) {
                return Integer.compare(a, b);
            }
            i += Character.charCount(a);
            j += Character.charCount(b);
        }
        return Integer.compare(x.length() - i, y.length() - j);
    }

    static boolean contains(Object container, Object item) {
        return switch (container) {
            case String s -> {
                if (!(item instanceof String t)) {
                    throw new TemplateException("'in <string>' requires string as left operand, not "
                            + typeName(item));
                }
                yield s.contains(t);
            }
            case Map<?, ?> m -> m.containsKey(item);
            case Collection<?> c -> {
                for (Object x : c) {
                    if (eq(x, item)) {
                        yield true;
                    }
                }
                yield false;
            }
            case Undefined u -> false;
            case null -> throw new TemplateException("argument of type 'NoneType' is not iterable");
            default -> throw new TemplateException("argument of type '" + typeName(container) + "' is not iterable");
        };
    }

    // ---- sequences ----

    /** The items a for loop walks: list items, dict keys, string characters; Undefined is empty. */
    static List<Object> iterate(Object v) {
        return switch (v) {
            case List<?> l -> new ArrayList<>(l);
            case Map<?, ?> m -> new ArrayList<>(m.keySet());
            case Collection<?> c -> new ArrayList<>(c);
            case String s -> {
                List<Object> out = new ArrayList<>();
                s.codePoints().forEach(cp -> out.add(Character.toString(cp)));
                yield out;
            }
            case Undefined u -> new ArrayList<>();
            case null -> throw new TemplateException("'NoneType' object is not iterable");
            default -> throw new TemplateException("'" + typeName(v) + "' object is not iterable");
        };
    }

    static long len(Object v) {
        return switch (v) {
            case String s -> s.codePointCount(0, s.length());
            case Collection<?> c -> c.size();
            case Map<?, ?> m -> m.size();
            case Undefined u -> 0;
            case null -> throw new TemplateException("object of type 'NoneType' has no len()");
            default -> throw new TemplateException("object of type '" + typeName(v) + "' has no len()");
        };
    }

    /** {@code obj[key]} as jinja2's sandbox does it: item first, then attribute; a miss is Undefined. */
    static Object getItem(Object target, Object key) {
        if (target instanceof Undefined u) {
            throw u.error();
        }
        if (key instanceof SliceValue s) {
            return slice(target, s);
        }
        switch (target) {
            case Map<?, ?> m -> {
                if (m.containsKey(key)) {
                    return m.get(key);
                }
                if (isNumber(key)) {
                    for (Map.Entry<?, ?> e : m.entrySet()) {
                        if (eq(e.getKey(), key)) {
                            return e.getValue();
                        }
                    }
                }
            }
            case List<?> l -> {
                if (isIntLike(key)) {
                    long i = toLong(key);
                    if (i < 0) {
                        i += l.size();
                    }
                    if (i >= 0 && i < l.size()) {
                        return l.get((int) i);
                    }
                }
            }
            case String s -> {
                if (isIntLike(key)) {
                    int n = s.codePointCount(0, s.length());
                    long i = toLong(key);
                    if (i < 0) {
                        i += n;
                    }
                    if (i >= 0 && i < n) {
                        int at = s.offsetByCodePoints(0, (int) i);
                        return new String(Character.toChars(s.codePointAt(at)));
                    }
                }
            }
            case null, default -> {
            }
        }
        if (key instanceof String name) {
            Object a = Attributes.get(target, name);
            if (a != Attributes.MISSING) {
                return a;
            }
        }
        return Undefined.attribute(target, key);
    }

    record SliceValue(Object start, Object stop, Object step) {
    }

    static Object slice(Object target, SliceValue s) {
        List<Object> items;
        boolean string = target instanceof String;
        if (target instanceof List<?> l) {
            items = new ArrayList<>(l);
        } else if (string) {
            items = iterate(target);
        } else if (target instanceof Undefined u) {
            throw u.error();
        } else if (target instanceof Map) {
            throw new TemplateException("unhashable type: 'slice'"); // jinja2 slices with a plain Python subscript
        } else {
            throw new TemplateException("'" + typeName(target) + "' object is not subscriptable");
        }
        int n = items.size();
        long step = s.step() == null ? 1 : toLong(s.step());
        if (step == 0) {
            throw new TemplateException("slice step cannot be zero");
        }
        long start;
        long stop;
        if (step > 0) {
            start = s.start() == null ? 0 : clamp(toLong(s.start()), n, 0, n);
            stop = s.stop() == null ? n : clamp(toLong(s.stop()), n, 0, n);
        } else {
            start = s.start() == null ? n - 1 : clamp(toLong(s.start()), n, -1, n - 1);
            stop = s.stop() == null ? -1 : clamp(toLong(s.stop()), n, -1, n - 1);
        }
        List<Object> out = new ArrayList<>();
        for (long i = start; step > 0 ? i < stop : i > stop; i += step) {
            out.add(items.get((int) i));
        }
        if (string) {
            StringBuilder b = new StringBuilder();
            out.forEach(x -> b.append((String) x));
            return b.toString();
        }
        return target instanceof Tuple ? new Tuple(out) : out;
    }

    private static long clamp(long i, int n, long low, long high) {
        if (i < 0) {
            i += n;
        }
        return Math.max(low, Math.min(high, i));
    }

    // ---- whitespace (Python's str.isspace) ----

    static boolean isSpace(int c) {
        return c == ' ' || (c >= 0x09 && c <= 0x0d) || (c >= 0x1c && c <= 0x1f) || c == 0x85 || c == 0xa0
                || c == 0x1680 || (c >= 0x2000 && c <= 0x200a) || c == 0x2028 || c == 0x2029 || c == 0x202f
                || c == 0x205f || c == 0x3000;
    }

    static boolean isBlank(String s, int from) {
        for (int i = from; i < s.length(); i++) {
            if (!isSpace(s.charAt(i))) {
                return false;
            }
        }
        return true;
    }

    private static boolean strips(int c, String chars) {
        return chars == null ? isSpace(c) : chars.indexOf(c) >= 0;
    }

    static String rstrip(String s, String chars) {
        int end = s.length();
        while (end > 0 && strips(s.charAt(end - 1), chars)) {
            end--;
        }
        return s.substring(0, end);
    }

    static String lstrip(String s, String chars) {
        int start = 0;
        while (start < s.length() && strips(s.charAt(start), chars)) {
            start++;
        }
        return s.substring(start);
    }

    static String strip(String s, String chars) {
        return lstrip(rstrip(s, chars), chars);
    }
}
