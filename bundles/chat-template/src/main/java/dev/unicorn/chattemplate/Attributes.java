package dev.unicorn.chattemplate;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Attributes of values as templates see them: Python's str, dict and list methods, namespaces, loop. */
final class Attributes {
    static final Object MISSING = new Object();
    private static final Set<String> UNSAFE_LIST = Set.of("append", "clear", "extend", "insert", "pop", "remove",
            "reverse", "sort");
    private static final Set<String> UNSAFE_DICT = Set.of("clear", "pop", "popitem", "setdefault", "update");

    private Attributes() {
    }

    static Object get(Object target, String name) {
        return switch (target) {
            case Namespace ns -> ns.attributes.containsKey(name) ? ns.attributes.get(name) : MISSING;
            case LoopContext loop -> loop.attribute(name);
            case String s -> stringMethod(s, name);
            case Map<?, ?> m -> dictMethod(m, name);
            case Tuple t -> listMethod(t, name, "tuple");
            case List<?> l -> UNSAFE_LIST.contains(name) ? unsafe(name, "list") : listMethod(l, name, "list");
            case null, default -> MISSING;
        };
    }

    private static Object unsafe(String name, String type) {
        return new Undefined("access to attribute '" + name + "' of '" + type + "' object is unsafe.");
    }

    private static Object listMethod(List<?> l, String name, String type) {
        return switch (name) {
            case "index" -> (Callable) (args, kw) -> {
                for (int i = 0; i < l.size(); i++) {
                    if (Py.eq(l.get(i), args.get(0))) {
                        return (long) i;
                    }
                }
                throw new TemplateException(Py.repr(args.get(0)) + " is not in " + type);
            };
            case "count" -> (Callable) (args, kw) -> l.stream().filter(x -> Py.eq(x, args.get(0))).count();
            default -> MISSING;
        };
    }

    private static Object dictMethod(Map<?, ?> m, String name) {
        if (UNSAFE_DICT.contains(name)) {
            return unsafe(name, "dict");
        }
        return switch (name) {
            case "get" -> (Callable) (args, kw) -> {
                Object k = args.get(0);
                if (m.containsKey(k)) {
                    return m.get(k);
                }
                return args.size() > 1 ? args.get(1) : null;
            };
            case "items" -> (Callable) (args, kw) -> items(m);
            case "keys" -> (Callable) (args, kw) -> new ArrayList<Object>(m.keySet());
            case "values" -> (Callable) (args, kw) -> new ArrayList<Object>(m.values());
            case "copy" -> (Callable) (args, kw) -> new java.util.LinkedHashMap<Object, Object>(m);
            default -> MISSING;
        };
    }

    static List<Object> items(Map<?, ?> m) {
        List<Object> out = new ArrayList<>();
        m.forEach((k, v) -> out.add(new Tuple(java.util.Arrays.asList(k, v))));
        return out;
    }

    private static String strArg(List<Object> args, int i, String method) {
        if (i >= args.size() || args.get(i) == null) {
            return null;
        }
        if (args.get(i) instanceof String s) {
            return s;
        }
        throw new TemplateException(method + " arg must be None or str");
    }

    private static Object stringMethod(String s, String name) {
        return switch (name) {
            case "startswith", "endswith" -> (Callable) (args, kw) -> {
                Object p = args.get(0);
                List<Object> options = p instanceof Tuple t ? t : List.of(p);
                for (Object o : options) {
                    if (!(o instanceof String prefix)) {
                        throw new TemplateException(name + " first arg must be str or a tuple of str, not "
                                + Py.typeName(o));
                    }
                    if (name.equals("startswith") ? s.startsWith(prefix) : s.endsWith(prefix)) {
                        return true;
                    }
                }
                return false;
            };
            case "strip" -> (Callable) (args, kw) -> Py.strip(s, strArg(args, 0, "strip"));
            case "lstrip" -> (Callable) (args, kw) -> Py.lstrip(s, strArg(args, 0, "lstrip"));
            case "rstrip" -> (Callable) (args, kw) -> Py.rstrip(s, strArg(args, 0, "rstrip"));
            case "split" -> (Callable) (args, kw) -> split(s, arg(args, kw, 0, "sep"), arg(args, kw, 1, "maxsplit"),
                    false);
            case "rsplit" -> (Callable) (args, kw) -> split(s, arg(args, kw, 0, "sep"),
                    arg(args, kw, 1, "maxsplit"), true);
            case "splitlines" -> (Callable) (args, kw) -> {
                List<Object> out = new ArrayList<>();
                for (String line : s.split("\r\n|[\n\r\u000b\f\u001c\u001d\u001e\u0085\u2028\u2029]", -1)) {
                    out.add(line);
                }
                if (!out.isEmpty() && ((String) out.get(out.size() - 1)).isEmpty()) {
                    out.remove(out.size() - 1);
                }
                return out;
            };
            case "replace" -> (Callable) (args, kw) -> replace(s, (String) args.get(0), (String) args.get(1),
                    args.size() > 2 ? Py.toLong(args.get(2)) : -1);
            case "upper" -> (Callable) (args, kw) -> s.toUpperCase(java.util.Locale.ROOT);
            case "lower" -> (Callable) (args, kw) -> s.toLowerCase(java.util.Locale.ROOT);
            case "title" -> (Callable) (args, kw) -> title(s);
            case "capitalize" -> (Callable) (args, kw) -> s.isEmpty() ? s
                    : s.substring(0, 1).toUpperCase(java.util.Locale.ROOT)
                            + s.substring(1).toLowerCase(java.util.Locale.ROOT);
            case "count" -> (Callable) (args, kw) -> {
                String sub = (String) args.get(0);
                if (sub.isEmpty()) {
                    return Py.len(s) + 1;
                }
                long n = 0;
                for (int i = s.indexOf(sub); i >= 0; i = s.indexOf(sub, i + sub.length())) {
                    n++;
                }
                return n;
            };
            case "find", "index" -> (Callable) (args, kw) -> {
                int i = s.indexOf((String) args.get(0));
                if (i < 0 && name.equals("index")) {
                    throw new TemplateException("substring not found");
                }
                return i < 0 ? -1L : (long) s.codePointCount(0, i);
            };
            case "rfind", "rindex" -> (Callable) (args, kw) -> {
                int i = s.lastIndexOf((String) args.get(0));
                if (i < 0 && name.equals("rindex")) {
                    throw new TemplateException("substring not found");
                }
                return i < 0 ? -1L : (long) s.codePointCount(0, i);
            };
            case "join" -> (Callable) (args, kw) -> {
                StringBuilder b = new StringBuilder();
                boolean first = true;
                for (Object x : Py.iterate(args.get(0))) {
                    if (!(x instanceof String)) {
                        throw new TemplateException("sequence item: expected str instance, " + Py.typeName(x)
                                + " found");
                    }
                    b.append(first ? "" : s).append(x);
                    first = false;
                }
                return b.toString();
            };
            case "format" -> (Callable) (args, kw) -> format(s, args, kw);
            case "isdigit" -> (Callable) (args, kw) -> !s.isEmpty() && s.chars().allMatch(Character::isDigit);
            case "isalpha" -> (Callable) (args, kw) -> !s.isEmpty() && s.chars().allMatch(Character::isLetter);
            case "isalnum" -> (Callable) (args, kw) -> !s.isEmpty()
                    && s.chars().allMatch(Character::isLetterOrDigit);
            case "isspace" -> (Callable) (args, kw) -> !s.isEmpty() && s.chars().allMatch(Py::isSpace);
            case "isupper" -> (Callable) (args, kw) -> s.chars().anyMatch(Character::isLetter)
                    && s.equals(s.toUpperCase(java.util.Locale.ROOT));
            case "islower" -> (Callable) (args, kw) -> s.chars().anyMatch(Character::isLetter)
                    && s.equals(s.toLowerCase(java.util.Locale.ROOT));
            default -> MISSING;
        };
    }

    private static Object arg(List<Object> args, Map<String, Object> kw, int i, String name) {
        return i < args.size() ? args.get(i) : kw.get(name);
    }

    static List<Object> split(String s, Object sepArg, Object maxArg, boolean fromRight) {
        long max = maxArg == null ? -1 : Py.toLong(maxArg);
        List<Object> out = new ArrayList<>();
        if (sepArg == null) {
            List<String> words = new ArrayList<>();
            int i = 0;
            int n = s.length();
            if (!fromRight) {
                while (true) {
                    while (i < n && Py.isSpace(s.charAt(i))) {
                        i++;
                    }
                    if (i >= n) {
                        break;
                    }
                    if (max >= 0 && words.size() == max) {
                        words.add(Py.rstrip(s.substring(i), null));
                        break;
                    }
                    int j = i;
                    while (j < n && !Py.isSpace(s.charAt(j))) {
                        j++;
                    }
                    words.add(s.substring(i, j));
                    i = j;
                }
            } else {
                int j = n;
                while (true) {
                    while (j > 0 && Py.isSpace(s.charAt(j - 1))) {
                        j--;
                    }
                    if (j <= 0) {
                        break;
                    }
                    if (max >= 0 && words.size() == max) {
                        words.add(0, Py.lstrip(s.substring(0, j), null));
                        break;
                    }
                    int k = j;
                    while (k > 0 && !Py.isSpace(s.charAt(k - 1))) {
                        k--;
                    }
                    words.add(0, s.substring(k, j));
                    j = k;
                }
            }
            out.addAll(words);
            return out;
        }
        String sep = (String) sepArg;
        if (sep.isEmpty()) {
            throw new TemplateException("empty separator");
        }
        List<String> parts = new ArrayList<>();
        if (!fromRight) {
            int i = 0;
            while (true) {
                int j = s.indexOf(sep, i);
                if (j < 0 || (max >= 0 && parts.size() == max)) {
                    parts.add(s.substring(i));
                    break;
                }
                parts.add(s.substring(i, j));
                i = j + sep.length();
            }
        } else {
            int end = s.length();
            while (true) {
                int j = end - sep.length() < 0 ? -1 : s.lastIndexOf(sep, end - sep.length());
                if (j < 0 || (max >= 0 && parts.size() == max)) {
                    parts.add(0, s.substring(0, end));
                    break;
                }
                parts.add(0, s.substring(j + sep.length(), end));
                end = j;
            }
        }
        out.addAll(parts);
        return out;
    }

    static String replace(String s, String old, String replacement, long count) {
        if (count < 0) {
            if (old.isEmpty()) {
                StringBuilder b = new StringBuilder(replacement);
                s.codePoints().forEach(cp -> b.appendCodePoint(cp).append(replacement));
                return b.toString();
            }
            return s.replace(old, replacement);
        }
        StringBuilder b = new StringBuilder();
        int i = 0;
        long n = 0;
        while (n < count) {
            int j = s.indexOf(old, i);
            if (j < 0 || old.isEmpty()) {
                break;
            }
            b.append(s, i, j).append(replacement);
            i = j + old.length();
            n++;
        }
        return b.append(s.substring(i)).toString();
    }

    /** Python's str.title(): a letter after a non-letter is upper case, the others lower case. */
    static String title(String s) {
        StringBuilder b = new StringBuilder();
        boolean prevCased = false;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (Character.isLetter(c)) {
                b.append(prevCased ? Character.toLowerCase(c) : Character.toUpperCase(c));
                prevCased = true;
            } else {
                b.append(c);
                prevCased = false;
            }
        }
        return b.toString();
    }

    /** {@code str.format} with {@code {}}, {@code {0}} and {@code {name}} fields (no format specs). */
    static String format(String s, List<Object> args, Map<String, Object> kw) {
        StringBuilder b = new StringBuilder();
        int auto = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '{' && i + 1 < s.length() && s.charAt(i + 1) == '{') {
                b.append('{');
                i++;
            } else if (c == '}' && i + 1 < s.length() && s.charAt(i + 1) == '}') {
                b.append('}');
                i++;
            } else if (c == '{') {
                int end = s.indexOf('}', i);
                if (end < 0) {
                    throw new TemplateException("Single '{' encountered in format string");
                }
                String field = s.substring(i + 1, end);
                String spec = null;
                int colon = field.indexOf(':');
                if (colon >= 0) {
                    spec = field.substring(colon + 1);
                    field = field.substring(0, colon);
                }
                Object v;
                if (field.isEmpty()) {
                    v = args.get(auto++);
                } else if (field.chars().allMatch(Character::isDigit)) {
                    v = args.get(Integer.parseInt(field));
                } else {
                    if (!kw.containsKey(field)) {
                        throw new TemplateException("'" + field + "'");
                    }
                    v = kw.get(field);
                }
                if (spec != null && !spec.isEmpty()) {
                    throw new TemplateException("format specs are not supported: " + spec);
                }
                b.append(Py.str(v));
                i = end;
            } else {
                b.append(c);
            }
        }
        return b.toString();
    }
}
