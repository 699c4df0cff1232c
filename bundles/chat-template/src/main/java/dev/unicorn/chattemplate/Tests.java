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
            case "sequence" -> v instanceof String || v instanceof Collection || v instanceof Map;
            case "number" -> Py.isNumber(v);
            case "integer" -> v instanceof Long;
            case "float" -> v instanceof Double;
            case "boolean" -> v instanceof Boolean;
            case "true" -> Boolean.TRUE.equals(v);
            case "false" -> Boolean.FALSE.equals(v);
            case "callable" -> v instanceof Callable;
            case "odd" -> Math.floorMod(integer(v), 2) == 1;
            case "even" -> Math.floorMod(integer(v), 2) == 0;
            case "divisibleby" -> Math.floorMod(integer(v), integer(args.get(0))) == 0;
            case "lower" -> v instanceof String s && s.chars().anyMatch(Character::isLetter)
                    && s.equals(s.toLowerCase(java.util.Locale.ROOT));
            case "upper" -> v instanceof String s && s.chars().anyMatch(Character::isLetter)
                    && s.equals(s.toUpperCase(java.util.Locale.ROOT));
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

    private static long integer(Object v) {
        if (v instanceof Undefined u) {
            throw u.error();
        }
        if (!Py.isIntLike(v)) {
            throw new TemplateException("not all arguments converted during string formatting");
        }
        return Py.toLong(v);
    }
}
