package dev.unicorn.chattemplate;

import java.util.Collection;
import java.util.List;
import java.util.Map;

/** jinja2's built-in tests ({@code x is defined}, {@code x is string}, ...). */
final class Tests {
    private Tests() {
    }

    static boolean apply(String name, Object v, List<Object> args) {
        return switch (name) {
            case "defined" -> !(v instanceof Undefined);
            case "undefined" -> v instanceof Undefined;
            case "none" -> v == null;
            case "string" -> v instanceof String;
            case "mapping" -> v instanceof Map;
            case "iterable" -> v instanceof String || v instanceof Collection || v instanceof Map
                    || v instanceof Undefined;
            case "sequence" -> v instanceof String || v instanceof Collection || v instanceof Map
                    || v instanceof Undefined;
            case "number" -> Py.isNumber(v);
            case "integer" -> v instanceof Long;
            case "float" -> v instanceof Double;
            case "boolean" -> v instanceof Boolean;
            case "true" -> Boolean.TRUE.equals(v);
            case "false" -> Boolean.FALSE.equals(v);
            case "callable" -> v instanceof Callable;
            case "odd" -> Py.eq(Interpreter.binary("%", v, 2L), 1L);
            case "even" -> Py.eq(Interpreter.binary("%", v, 2L), 0L);
            case "divisibleby" -> Py.eq(Interpreter.binary("%", v, args.get(0)), 0L);
            case "lower" -> cased(Py.str(v), true);
            case "upper" -> cased(Py.str(v), false);
            case "in" -> Py.contains(args.get(0), v);
            case "eq", "equalto", "==" -> Py.eq(v, args.get(0));
            case "ne", "!=" -> !Py.eq(v, args.get(0));
            case "lt", "lessthan", "<" -> Py.compare(v, args.get(0), "<") < 0;
            case "le", "<=" -> Py.compare(v, args.get(0), "<=") <= 0;
            case "gt", "greaterthan", ">" -> Py.compare(v, args.get(0), ">") > 0;
            case "ge", ">=" -> Py.compare(v, args.get(0), ">=") >= 0;
            case "sameas" -> v == args.get(0) || (v != null && v.equals(args.get(0)) && (v instanceof Boolean));
            case "escaped" -> false;
            default -> throw new TemplateException("No test named '" + name + "'.");
        };
    }

    /** Python's str.islower()/isupper(): some cased character, none of the other case. */
    private static boolean cased(String s, boolean lower) {
        boolean any = false;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (Character.isUpperCase(c) || Character.isTitleCase(c)) {
                if (lower) {
                    return false;
                }
                any = true;
            } else if (Character.isLowerCase(c)) {
                if (!lower) {
                    return false;
                }
                any = true;
            }
        }
        return any;
    }
}
