package dev.unicorn.chattemplate;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

/** jinja2's built-in filters, with transformers' {@code tojson}. */
final class Filters {
    private static final Pattern WORD_BEGINNING = Pattern.compile("([-\\s({\\[<]+)");

    private Filters() {
    }

    private static Object arg(List<Object> args, Map<String, Object> kw, int i, String name, Object dflt) {
        if (i < args.size()) {
            return args.get(i);
        }
        return kw.containsKey(name) ? kw.get(name) : dflt;
    }

    static Object apply(String name, Object v, List<Object> args, Map<String, Object> kw) {
        switch (name) {
            case "default", "d" -> {
                boolean bool = Py.truthy(arg(args, kw, 1, "boolean", false));
                if (v instanceof Undefined || (bool && !Py.truthy(v))) {
                    return arg(args, kw, 0, "default_value", "");
                }
                return v;
            }
            case "tojson" -> {
                return new Json(Py.truthy(arg(args, kw, 0, "ensure_ascii", false)), arg(args, kw, 1, "indent", null),
                        arg(args, kw, 2, "separators", null), Py.truthy(arg(args, kw, 3, "sort_keys", false)))
                        .dumps(v);
            }
            case "safe", "string" -> {
                return Py.str(v);
            }
            case "e", "escape", "forceescape" -> {
                String s = Py.str(v);
                return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&#34;")
                        .replace("'", "&#39;");
            }
            case "trim" -> {
                return Py.strip(Py.str(v), (String) arg(args, kw, 0, "chars", null));
            }
            case "length", "count" -> {
                return Py.len(v);
            }
            case "upper" -> {
                return Py.str(v).toUpperCase(Locale.ROOT);
            }
            case "lower" -> {
                return Py.str(v).toLowerCase(Locale.ROOT);
            }
            case "capitalize" -> {
                String s = Py.str(v);
                return s.isEmpty() ? s : s.substring(0, 1).toUpperCase(Locale.ROOT)
                        + s.substring(1).toLowerCase(Locale.ROOT);
            }
            case "title" -> {
                StringBuilder b = new StringBuilder();
                for (String item : splitKeep(Py.str(v))) {
                    if (!item.isEmpty()) {
                        b.append(item.substring(0, 1).toUpperCase(Locale.ROOT))
                                .append(item.substring(1).toLowerCase(Locale.ROOT));
                    }
                }
                return b.toString();
            }
            case "replace" -> {
                Object count = arg(args, kw, 2, "count", null);
                return Attributes.replace(Py.str(v), Py.str(args.get(0)), Py.str(args.get(1)),
                        count == null ? -1 : Py.toLong(count));
            }
            case "join" -> {
                String sep = Py.str(arg(args, kw, 0, "d", ""));
                Object attribute = arg(args, kw, 1, "attribute", null);
                StringBuilder b = new StringBuilder();
                boolean first = true;
                for (Object x : Py.iterate(v)) {
                    b.append(first ? "" : sep).append(Py.str(attribute == null ? x : Interpreter.attribute(x,
                            attribute)));
                    first = false;
                }
                return b.toString();
            }
            case "first" -> {
                List<Object> items = Py.iterate(v);
                return items.isEmpty() ? new Undefined("No first item, sequence was empty.") : items.get(0);
            }
            case "last" -> {
                if (!(v instanceof String || v instanceof List || v instanceof Map || v instanceof Undefined)) {
                    throw new TemplateException("'" + Py.typeName(v) + "' object is not reversible");
                }
                List<Object> items = Py.iterate(v);
                return items.isEmpty() ? new Undefined("No last item, sequence was empty.")
                        : items.get(items.size() - 1);
            }
            case "list" -> {
                return Py.iterate(v);
            }
            case "reverse" -> {
                if (v instanceof String s) {
                    return new StringBuilder(s).reverse().toString();
                }
                if (!(v instanceof List || v instanceof Map || v instanceof Undefined)) {
                    throw new TemplateException("argument must be iterable");
                }
                List<Object> items = Py.iterate(v);
                java.util.Collections.reverse(items);
                return items;
            }
            case "int" -> {
                if (v instanceof Undefined u) {
                    throw u.error();
                }
                return toInt(v, arg(args, kw, 0, "default", 0L));
            }
            case "float" -> {
                if (v instanceof Undefined u) {
                    throw u.error();
                }
                try {
                    return v instanceof String s ? Double.parseDouble(s.strip()) : Py.toDouble(v);
                } catch (RuntimeException e) {
                    return arg(args, kw, 0, "default", 0.0);
                }
            }
            case "abs" -> {
                if (v instanceof Undefined u) {
                    throw u.error();
                }
                if (!Py.isNumber(v)) {
                    throw new TemplateException("bad operand type for abs(): '" + Py.typeName(v) + "'");
                }
                return v instanceof Double d ? (Object) Math.abs(d) : (Object) Math.abs(Py.toLong(v));
            }
            case "round" -> {
                if (!Py.isNumber(v)) {
                    throw new TemplateException("type " + Py.typeName(v) + " doesn't define __round__ method");
                }
                long precision = Py.toLong(arg(args, kw, 0, "precision", 0L));
                String method = (String) arg(args, kw, 1, "method", "common");
                java.math.RoundingMode mode = switch (method) {
                    case "ceil" -> java.math.RoundingMode.CEILING;
                    case "floor" -> java.math.RoundingMode.FLOOR;
                    default -> java.math.RoundingMode.HALF_EVEN;
                };
                if (Py.isIntLike(v) && method.equals("common")) {
                    return Py.toLong(v); // Python's round(int, n) stays an int
                }
                return new java.math.BigDecimal(Py.toDouble(v)).setScale((int) precision, mode).doubleValue();
            }
            case "items" -> {
                if (v instanceof Undefined) {
                    return new ArrayList<>();
                }
                if (!(v instanceof Map<?, ?> m)) {
                    throw new TemplateException("Can only get item pairs from a mapping.");
                }
                return Attributes.items(m);
            }
            case "dictsort" -> {
                if (v instanceof Undefined u) {
                    throw u.error();
                }
                if (!(v instanceof Map<?, ?> m)) {
                    throw new TemplateException("'" + Py.typeName(v) + "' object has no attribute 'items'");
                }
                boolean caseSensitive = Py.truthy(arg(args, kw, 0, "case_sensitive", false));
                boolean byValue = "value".equals(arg(args, kw, 1, "by", "key"));
                boolean reverse = Py.truthy(arg(args, kw, 2, "reverse", false));
                List<Object> items = Attributes.items(m);
                Comparator<Object> c = (x, y) -> Py.compare(sortKey(((Tuple) x).get(byValue ? 1 : 0), caseSensitive),
                        sortKey(((Tuple) y).get(byValue ? 1 : 0), caseSensitive), "<");
                items.sort(reverse ? c.reversed() : c);
                return items;
            }
            case "sort" -> {
                boolean reverse = Py.truthy(arg(args, kw, 0, "reverse", false));
                boolean caseSensitive = Py.truthy(arg(args, kw, 1, "case_sensitive", false));
                Object attribute = arg(args, kw, 2, "attribute", null);
                List<Object> items = Py.iterate(v);
                Comparator<Object> c = (x, y) -> Py.compare(
                        sortKey(attribute == null ? x : Interpreter.attribute(x, attribute), caseSensitive),
                        sortKey(attribute == null ? y : Interpreter.attribute(y, attribute), caseSensitive), "<");
                items.sort(reverse ? c.reversed() : c);
                return items;
            }
            case "unique" -> {
                List<Object> out = new ArrayList<>();
                List<Object> seen = new ArrayList<>();
                for (Object x : Py.iterate(v)) {
                    Object key = sortKey(x, false);
                    if (seen.stream().noneMatch(s -> Py.eq(s, key))) {
                        seen.add(key);
                        out.add(x);
                    }
                }
                return out;
            }
            case "sum" -> {
                Object attribute = arg(args, kw, 0, "attribute", null);
                Object total = arg(args, kw, 1, "start", 0L);
                for (Object x : Py.iterate(v)) {
                    total = Interpreter.binary("+", total, attribute == null ? x : Interpreter.attribute(x,
                            attribute));
                }
                return total;
            }
            case "min", "max" -> {
                List<Object> items = Py.iterate(v);
                if (items.isEmpty()) {
                    return new Undefined("No aggregated item, sequence was empty.");
                }
                Object best = items.get(0);
                for (Object x : items) {
                    int c = Py.compare(sortKey(x, false), sortKey(best, false), "<");
                    if (name.equals("min") ? c < 0 : c > 0) {
                        best = x;
                    }
                }
                return best;
            }
            case "indent" -> {
                Object width = arg(args, kw, 0, "width", 4L);
                String pad = width instanceof String s ? s : " ".repeat((int) Py.toLong(width));
                boolean first = Py.truthy(arg(args, kw, 1, "first", false));
                boolean blank = Py.truthy(arg(args, kw, 2, "blank", false));
                String s = Py.str(v) + "\n";
                String[] lines = s.split("\n", -1);
                StringBuilder b = new StringBuilder();
                for (int i = 0; i < lines.length - 1; i++) {
                    String line = lines[i];
                    if (i > 0) {
                        b.append('\n');
                    }
                    if ((i > 0 || first) && (blank || !line.isEmpty())) {
                        b.append(pad);
                    }
                    b.append(line);
                }
                return b.toString();
            }
            case "wordcount" -> {
                return (long) Py.str(v).split("\\w+", -1).length - 1;
            }
            case "center" -> {
                String s = Py.str(v);
                int width = (int) Py.toLong(arg(args, kw, 0, "width", 80L));
                int n = (int) Py.len(s);
                if (width <= n) {
                    return s;
                }
                int total = width - n;
                int left = total / 2 + (total & width & 1);
                return " ".repeat(left) + s + " ".repeat(total - left);
            }
            case "format" -> {
                return Interpreter.percentFormat(Py.str(v), args.size() == 1 ? args.get(0) : new Tuple(args));
            }
            case "batch" -> {
                int size = (int) Py.toLong(args.get(0));
                List<Object> out = new ArrayList<>();
                List<Object> cur = new ArrayList<>();
                for (Object x : Py.iterate(v)) {
                    cur.add(x);
                    if (cur.size() == size) {
                        out.add(cur);
                        cur = new ArrayList<>();
                    }
                }
                if (!cur.isEmpty()) {
                    if (args.size() > 1) {
                        while (cur.size() < size) {
                            cur.add(args.get(1));
                        }
                    }
                    out.add(cur);
                }
                return out;
            }
            case "map" -> {
                List<Object> out = new ArrayList<>();
                Object attribute = kw.get("attribute");
                for (Object x : Py.iterate(v)) {
                    if (attribute != null) {
                        Object a = Interpreter.attribute(x, attribute);
                        out.add(a instanceof Undefined && kw.containsKey("default") ? kw.get("default") : a);
                    } else {
                        Map<String, Object> rest = new LinkedHashMap<>(kw);
                        out.add(apply((String) args.get(0), x, args.subList(1, args.size()), rest));
                    }
                }
                return out;
            }
            case "select", "reject", "selectattr", "rejectattr" -> {
                boolean attr = name.endsWith("attr");
                boolean keep = name.startsWith("select");
                List<Object> out = new ArrayList<>();
                for (Object x : Py.iterate(v)) {
                    Object subject = attr ? Interpreter.attribute(x, args.get(0)) : x;
                    int testAt = attr ? 1 : 0;
                    boolean ok = args.size() > testAt
                            ? Tests.apply((String) args.get(testAt), subject, args.subList(testAt + 1, args.size()))
                            : Py.truthy(subject);
                    if (ok == keep) {
                        out.add(x);
                    }
                }
                return out;
            }
            case "attr" -> {
                Object a = Attributes.get(v, Py.str(args.get(0)));
                return a == Attributes.MISSING ? Undefined.attribute(v, args.get(0)) : a;
            }
            case "dict" -> {
                return new LinkedHashMap<>((Map<?, ?>) v);
            }
            default -> throw new TemplateException("No filter named '" + name + "'.");
        }
    }

    private static Object sortKey(Object v, boolean caseSensitive) {
        return !caseSensitive && v instanceof String s ? s.toLowerCase(Locale.ROOT) : v;
    }

    private static List<String> splitKeep(String s) {
        List<String> out = new ArrayList<>();
        var m = WORD_BEGINNING.matcher(s);
        int last = 0;
        while (m.find()) {
            out.add(s.substring(last, m.start()));
            out.add(m.group());
            last = m.end();
        }
        out.add(s.substring(last));
        return out;
    }

    private static Object toInt(Object v, Object dflt) {
        try {
            return switch (v) {
                case Long n -> n;
                case Boolean b -> b ? 1L : 0L;
                case Double d -> (long) d.doubleValue();
                case null -> dflt;
                case String s -> {
                    try {
                        yield Long.parseLong(s.strip().replace("_", ""));
                    } catch (NumberFormatException e) {
                        yield (long) Double.parseDouble(s.strip());
                    }
                }
                default -> dflt;
            };
        } catch (RuntimeException e) {
            return dflt;
        }
    }
}
