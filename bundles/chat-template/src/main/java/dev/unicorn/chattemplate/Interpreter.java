package dev.unicorn.chattemplate;

import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** Renders parsed statements over a context, with jinja2's scoping (a for loop body is a new scope each pass). */
final class Interpreter {
    private static final int MAX_RANGE = 100_000;

    private static final class Scope {
        final Scope parent;
        final Map<String, Object> vars = new HashMap<>();

        Scope(Scope parent) {
            this.parent = parent;
        }

        boolean has(String name) {
            for (Scope s = this; s != null; s = s.parent) {
                if (s.vars.containsKey(name)) {
                    return true;
                }
            }
            return false;
        }

        Object get(String name) {
            for (Scope s = this; s != null; s = s.parent) {
                if (s.vars.containsKey(name)) {
                    return s.vars.get(name);
                }
            }
            return null;
        }
    }

    private static final class BreakSignal extends RuntimeException {
        private static final long serialVersionUID = 1L;

        BreakSignal() {
            super(null, null, false, false);
        }
    }

    private static final class ContinueSignal extends RuntimeException {
        private static final long serialVersionUID = 1L;

        ContinueSignal() {
            super(null, null, false, false);
        }
    }

    private final Map<String, Object> globals = new HashMap<>();

    Interpreter(Map<String, Object> context) {
        globals.put("range", (Callable) (args, kw) -> range(args));
        globals.put("namespace", (Callable) (args, kw) -> {
            Namespace ns = new Namespace();
            for (Object a : args) {
                if (a instanceof Map<?, ?> m) {
                    m.forEach((k, v) -> ns.attributes.put(Py.str(k), v));
                }
            }
            ns.attributes.putAll(kw);
            return ns;
        });
        globals.put("dict", (Callable) (args, kw) -> {
            Map<Object, Object> m = new LinkedHashMap<>();
            for (Object a : args) {
                if (a instanceof Map<?, ?> x) {
                    m.putAll(x);
                }
            }
            m.putAll(kw);
            return m;
        });
        globals.put("raise_exception", (Callable) (args, kw) -> {
            throw new TemplateException(args.isEmpty() ? "" : Py.str(args.get(0)));
        });
        globals.put("strftime_now", (Callable) (args, kw) -> strftime(LocalDateTime.now(), Py.str(args.get(0))));
        globals.putAll(context);
    }

    String render(List<Node> nodes) {
        StringBuilder out = new StringBuilder();
        render(nodes, new Scope(null), out);
        return out.toString();
    }

    private void render(List<Node> nodes, Scope scope, StringBuilder out) {
        for (Node n : nodes) {
            execute(n, scope, out);
        }
    }

    private void execute(Node node, Scope scope, StringBuilder out) {
        switch (node) {
            case Node.Text t -> out.append(t.text());
            case Node.Output o -> out.append(Py.str(eval(o.expr(), scope)));
            case Node.If f -> {
                for (int i = 0; i < f.conditions().size(); i++) {
                    if (Py.truthy(eval(f.conditions().get(i), scope))) {
                        render(f.bodies().get(i), scope, out);
                        return;
                    }
                }
                render(f.orElse(), scope, out);
            }
            case Node.For f -> forLoop(f, scope, out);
            case Node.Set s -> assign(s.targets(), s.attribute(), eval(s.value(), scope), scope);
            case Node.SetBlock s -> {
                StringBuilder b = new StringBuilder();
                render(s.body(), new Scope(scope), b);
                Object v = b.toString();
                for (Expr.Filter f : s.filters()) {
                    v = filter(f, v, scope);
                }
                assign(List.of(s.target()), s.attribute(), v, scope);
            }
            case Node.Macro m -> scope.vars.put(m.name(), macro(m.name(), m.params(), m.defaults(), m.body(), scope));
            case Node.CallBlock c -> {
                Callable caller = macro("caller", c.params(), c.defaults(), c.body(), scope);
                Object target = eval(c.call().target(), scope);
                List<Object> args = evalAll(c.call().args(), scope);
                Map<String, Object> kw = evalKw(c.call().kwNames(), c.call().kwValues(), scope);
                kw.put("caller", caller);
                out.append(Py.str(call(target, args, kw)));
            }
            case Node.FilterBlock f -> {
                StringBuilder b = new StringBuilder();
                render(f.body(), scope, b);
                Object v = b.toString();
                for (Expr.Filter x : f.filters()) {
                    v = filter(x, v, scope);
                }
                out.append(Py.str(v));
            }
            case Node.With w -> {
                Scope inner = new Scope(scope);
                for (int i = 0; i < w.names().size(); i++) {
                    inner.vars.put(w.names().get(i), eval(w.values().get(i), scope));
                }
                render(w.body(), inner, out);
            }
            case Node.Block b -> render(b.body(), scope, out);
            case Node.Break b -> throw new BreakSignal();
            case Node.Continue c -> throw new ContinueSignal();
        }
    }

    private void forLoop(Node.For f, Scope scope, StringBuilder out) {
        Object iterable = eval(f.iterable(), scope);
        if (iterable == null) {
            throw new TemplateException("'NoneType' object is not iterable");
        }
        List<Object> items = Py.iterate(iterable);
        if (f.filter() != null) {
            List<Object> kept = new ArrayList<>();
            for (Object item : items) {
                Scope s = new Scope(scope);
                bind(f.targets(), item, s);
                if (Py.truthy(eval(f.filter(), s))) {
                    kept.add(item);
                }
            }
            items = kept;
        }
        if (items.isEmpty()) {
            render(f.orElse(), scope, out);
            return;
        }
        LoopContext loop = new LoopContext(items);
        for (int i = 0; i < items.size(); i++) {
            loop.index0 = i;
            Scope s = new Scope(scope);
            s.vars.put("loop", loop);
            bind(f.targets(), items.get(i), s);
            try {
                render(f.body(), s, out);
            } catch (BreakSignal b) {
                break;
            } catch (ContinueSignal c) {
                // next item
            }
        }
    }

    private static void bind(List<String> targets, Object value, Scope scope) {
        if (targets.size() == 1) {
            scope.vars.put(targets.get(0), value);
            return;
        }
        List<Object> parts = Py.iterate(value);
        if (parts.size() < targets.size()) {
            throw new TemplateException("not enough values to unpack (expected " + targets.size() + ", got "
                    + parts.size() + ")");
        }
        if (parts.size() > targets.size()) {
            throw new TemplateException("too many values to unpack (expected " + targets.size() + ")");
        }
        for (int i = 0; i < targets.size(); i++) {
            scope.vars.put(targets.get(i), parts.get(i));
        }
    }

    private void assign(List<String> targets, String attribute, Object value, Scope scope) {
        if (attribute != null) {
            Object target = lookup(targets.get(0), scope);
            if (!(target instanceof Namespace ns)) {
                throw new TemplateException("cannot assign attribute on non-namespace object");
            }
            ns.attributes.put(attribute, value);
            return;
        }
        bind(targets, value, scope);
    }

    private Callable macro(String name, List<String> params, List<Expr> defaults, List<Node> body, Scope definedIn) {
        return (args, kw) -> {
            Scope s = new Scope(definedIn);
            int firstDefault = params.size() - defaults.size();
            Map<String, Object> extraKw = new LinkedHashMap<>(kw);
            for (int i = 0; i < params.size(); i++) {
                String p = params.get(i);
                Object v;
                if (i < args.size()) {
                    v = args.get(i);
                } else if (extraKw.containsKey(p)) {
                    v = extraKw.remove(p);
                } else if (i >= firstDefault) {
                    v = eval(defaults.get(i - firstDefault), s);
                } else {
                    v = new Undefined("parameter '" + p + "' was not provided");
                }
                s.vars.put(p, v);
            }
            s.vars.put("varargs", new Tuple(args.size() > params.size() ? new ArrayList<>(args.subList(params.size(),
                    args.size())) : List.of()));
            if (extraKw.containsKey("caller")) {
                s.vars.put("caller", extraKw.remove("caller"));
            }
            s.vars.put("kwargs", new LinkedHashMap<Object, Object>(extraKw));
            StringBuilder b = new StringBuilder();
            render(body, s, b);
            return b.toString();
        };
    }

    // ---- expressions ----

    private Object lookup(String name, Scope scope) {
        if (scope.has(name)) {
            return scope.get(name);
        }
        if (globals.containsKey(name)) {
            return globals.get(name);
        }
        return Undefined.name(name);
    }

    private List<Object> evalAll(List<Expr> exprs, Scope scope) {
        List<Object> out = new ArrayList<>(exprs.size());
        for (Expr e : exprs) {
            out.add(eval(e, scope));
        }
        return out;
    }

    private Map<String, Object> evalKw(List<String> names, List<Expr> values, Scope scope) {
        Map<String, Object> out = new LinkedHashMap<>();
        for (int i = 0; i < names.size(); i++) {
            out.put(names.get(i), eval(values.get(i), scope));
        }
        return out;
    }

    Object eval(Expr expr, Scope scope) {
        switch (expr) {
            case Expr.Const c -> {
                return c.value();
            }
            case Expr.Name n -> {
                return lookup(n.name(), scope);
            }
            case Expr.GetAttr g -> {
                return getAttr(eval(g.target(), scope), g.name());
            }
            case Expr.GetItem g -> {
                Object target = eval(g.target(), scope);
                Object key = g.key() instanceof Expr.Slice s
                        ? new Py.SliceValue(optional(s.start(), scope), optional(s.stop(), scope),
                                optional(s.step(), scope))
                        : eval(g.key(), scope);
                return Py.getItem(target, key);
            }
            case Expr.Slice s -> throw new TemplateException("unexpected slice");
            case Expr.Call c -> {
                Object target = eval(c.target(), scope);
                return call(target, evalAll(c.args(), scope), evalKw(c.kwNames(), c.kwValues(), scope));
            }
            case Expr.Filter f -> {
                return filter(f, eval(f.target(), scope), scope);
            }
            case Expr.Test t -> {
                Object v = eval(t.target(), scope);
                boolean r = Tests.apply(t.name(), v, evalAll(t.args(), scope));
                return r != t.negated();
            }
            case Expr.Unary u -> {
                Object v = eval(u.operand(), scope);
                if (v instanceof Undefined x) {
                    throw x.error();
                }
                if (!Py.isNumber(v)) {
                    throw new TemplateException("bad operand type for unary " + u.op() + ": '" + Py.typeName(v)
                            + "'");
                }
                if (u.op().equals("+")) {
                    return v instanceof Boolean ? (Object) Py.toLong(v) : v;
                }
                return v instanceof Double d ? (Object) (-d) : (Object) (-Py.toLong(v));
            }
            case Expr.Binary b -> {
                return binary(b.op(), eval(b.left(), scope), eval(b.right(), scope));
            }
            case Expr.Compare c -> {
                Object left = eval(c.first(), scope);
                for (int i = 0; i < c.ops().size(); i++) {
                    Object right = eval(c.rest().get(i), scope);
                    if (!compare(c.ops().get(i), left, right)) {
                        return false;
                    }
                    left = right;
                }
                return true;
            }
            case Expr.And a -> {
                Object l = eval(a.left(), scope);
                return Py.truthy(l) ? eval(a.right(), scope) : l;
            }
            case Expr.Or o -> {
                Object l = eval(o.left(), scope);
                return Py.truthy(l) ? l : eval(o.right(), scope);
            }
            case Expr.Not n -> {
                return !Py.truthy(eval(n.operand(), scope));
            }
            case Expr.Cond c -> {
                if (Py.truthy(eval(c.condition(), scope))) {
                    return eval(c.then(), scope);
                }
                return c.orElse() == null ? new Undefined("the inline if-expression on line evaluated to false "
                        + "and no else section was defined.") : eval(c.orElse(), scope);
            }
            case Expr.ListLit l -> {
                return evalAll(l.items(), scope);
            }
            case Expr.TupleLit t -> {
                return new Tuple(evalAll(t.items(), scope));
            }
            case Expr.DictLit d -> {
                Map<Object, Object> m = new LinkedHashMap<>();
                for (int i = 0; i < d.keys().size(); i++) {
                    m.put(eval(d.keys().get(i), scope), eval(d.values().get(i), scope));
                }
                return m;
            }
        }
    }

    private Object optional(Expr e, Scope scope) {
        if (e == null) {
            return null;
        }
        Object v = eval(e, scope);
        if (v != null && !Py.isIntLike(v)) {
            throw new TemplateException("slice indices must be integers or None or have an __index__ method");
        }
        return v;
    }

    static Object getAttr(Object target, String name) {
        if (target instanceof Undefined u) {
            throw u.error();
        }
        Object a = Attributes.get(target, name);
        if (a != Attributes.MISSING) {
            return a;
        }
        if (target instanceof Map<?, ?> m && m.containsKey(name)) {
            return m.get(name);
        }
        return Undefined.attribute(target, name);
    }

    /** jinja2's attribute getter for filters: {@code "a.b"} or an index, looked up as items first. */
    static Object attribute(Object target, Object attribute) {
        if (!(attribute instanceof String s)) {
            return Py.getItem(target, attribute);
        }
        Object v = target;
        for (String part : s.split("\\.")) {
            Object key = part.chars().allMatch(Character::isDigit) && !part.isEmpty() ? (Object) Long.parseLong(part)
                    : part;
            v = Py.getItem(v, key);
        }
        return v;
    }

    private Object filter(Expr.Filter f, Object value, Scope scope) {
        return Filters.apply(f.name(), value, evalAll(f.args(), scope), evalKw(f.kwNames(), f.kwValues(), scope));
    }

    private static Object call(Object target, List<Object> args, Map<String, Object> kw) {
        if (target instanceof Callable c) {
            return c.call(args, kw);
        }
        if (target instanceof Undefined u) {
            throw u.error();
        }
        throw new TemplateException("'" + Py.typeName(target) + "' object is not callable");
    }

    private static boolean compare(String op, Object l, Object r) {
        return switch (op) {
            case "==" -> Py.eq(l, r);
            case "!=" -> !Py.eq(l, r);
            case "<" -> Py.compare(l, r, op) < 0;
            case "<=" -> Py.compare(l, r, op) <= 0;
            case ">" -> Py.compare(l, r, op) > 0;
            case ">=" -> Py.compare(l, r, op) >= 0;
            case "in" -> Py.contains(r, l);
            case "notin" -> !Py.contains(r, l);
            default -> throw new TemplateException("unknown operator " + op);
        };
    }

    static Object binary(String op, Object l, Object r) {
        if (op.equals("~")) {
            return Py.str(l) + Py.str(r);
        }
        if (l instanceof Undefined u) {
            throw u.error();
        }
        if (r instanceof Undefined u) {
            throw u.error();
        }
        boolean ints = Py.isIntLike(l) && Py.isIntLike(r);
        boolean nums = Py.isNumber(l) && Py.isNumber(r);
        switch (op) {
            case "+" -> {
                if (ints) {
                    return Math.addExact(Py.toLong(l), Py.toLong(r));
                }
                if (nums) {
                    return Py.toDouble(l) + Py.toDouble(r);
                }
                if (l instanceof String a && r instanceof String b) {
                    return a + b;
                }
                if (l instanceof List<?> a && r instanceof List<?> b && (l instanceof Tuple) == (r instanceof Tuple)) {
                    List<Object> out = new ArrayList<>(a);
                    out.addAll(b);
                    return l instanceof Tuple ? new Tuple(out) : out;
                }
                if (l instanceof String) {
                    throw new TemplateException("can only concatenate str (not \"" + Py.typeName(r) + "\") to str");
                }
                if (l instanceof List<?>) {
                    String type = Py.typeName(l);
                    throw new TemplateException("can only concatenate " + type + " (not \"" + Py.typeName(r)
                            + "\") to " + type);
                }
            }
            case "-" -> {
                if (ints) {
                    return Math.subtractExact(Py.toLong(l), Py.toLong(r));
                }
                if (nums) {
                    return Py.toDouble(l) - Py.toDouble(r);
                }
            }
            case "*" -> {
                if (ints) {
                    return Math.multiplyExact(Py.toLong(l), Py.toLong(r));
                }
                if (nums) {
                    return Py.toDouble(l) * Py.toDouble(r);
                }
                if (l instanceof String s && Py.isIntLike(r)) {
                    return s.repeat((int) Math.max(0, Py.toLong(r)));
                }
                if (r instanceof String s && Py.isIntLike(l)) {
                    return s.repeat((int) Math.max(0, Py.toLong(l)));
                }
                if (l instanceof List<?> a && Py.isIntLike(r) || r instanceof List<?> && Py.isIntLike(l)) {
                    List<?> a = l instanceof List<?> x ? x : (List<?>) r;
                    long times = Py.toLong(l instanceof List<?> ? r : l);
                    List<Object> out = new ArrayList<>();
                    for (long i = 0; i < times; i++) {
                        out.addAll(a);
                    }
                    return a instanceof Tuple ? new Tuple(out) : out;
                }
                if (l instanceof String || l instanceof List<?>) {
                    throw new TemplateException("can't multiply sequence by non-int of type '" + Py.typeName(r) + "'");
                }
                if (r instanceof String || r instanceof List<?>) {
                    throw new TemplateException("can't multiply sequence by non-int of type '" + Py.typeName(l) + "'");
                }
            }
            case "/" -> {
                if (nums) {
                    double d = Py.toDouble(r);
                    if (d == 0) {
                        throw new TemplateException(ints ? "division by zero" : "float division by zero");
                    }
                    return Py.toDouble(l) / d;
                }
            }
            case "//" -> {
                if (ints) {
                    if (Py.toLong(r) == 0) {
                        throw new TemplateException("integer division or modulo by zero");
                    }
                    return Math.floorDiv(Py.toLong(l), Py.toLong(r));
                }
                if (nums) {
                    if (Py.toDouble(r) == 0) {
                        throw new TemplateException("float floor division by zero");
                    }
                    return Math.floor(Py.toDouble(l) / Py.toDouble(r));
                }
            }
            case "%" -> {
                if (ints) {
                    if (Py.toLong(r) == 0) {
                        throw new TemplateException("integer modulo by zero");
                    }
                    return Math.floorMod(Py.toLong(l), Py.toLong(r));
                }
                if (nums) {
                    double a = Py.toDouble(l);
                    double b = Py.toDouble(r);
                    if (b == 0) {
                        throw new TemplateException("float modulo");
                    }
                    double m = a % b;
                    return m != 0 && (m < 0) != (b < 0) ? m + b : m;
                }
                if (l instanceof String s) {
                    return percentFormat(s, r);
                }
            }
            case "**" -> {
                if (ints && Py.toLong(r) >= 0) {
                    return java.math.BigInteger.valueOf(Py.toLong(l)).pow((int) Py.toLong(r)).longValueExact();
                }
                if (nums) {
                    return Math.pow(Py.toDouble(l), Py.toDouble(r));
                }
            }
            default -> throw new TemplateException("unknown operator " + op);
        }
        String symbol = op.equals("**") ? "** or pow()" : op;
        throw new TemplateException("unsupported operand type(s) for " + symbol + ": '" + Py.typeName(l) + "' and '"
                + Py.typeName(r) + "'");
    }

    /** Python's {@code "..." % args} for %s, %r, %d, %i and %%. */
    static String percentFormat(String format, Object args) {
        List<Object> values = args instanceof Tuple t ? new ArrayList<>(t) : List.of(args);
        StringBuilder b = new StringBuilder();
        int next = 0;
        for (int i = 0; i < format.length(); i++) {
            char c = format.charAt(i);
            if (c != '%' || i + 1 >= format.length()) {
                b.append(c);
                continue;
            }
            char spec = format.charAt(++i);
            switch (spec) {
                case '%' -> b.append('%');
                case 's' -> b.append(Py.str(values.get(next++)));
                case 'r' -> b.append(Py.repr(values.get(next++)));
                case 'd', 'i' -> {
                    Object v = values.get(next++);
                    b.append(v instanceof Double d ? (long) d.doubleValue() : Py.toLong(v));
                }
                default -> throw new TemplateException("unsupported format character '" + spec + "'");
            }
        }
        if (next < values.size()) {
            throw new TemplateException("not all arguments converted during string formatting");
        }
        return b.toString();
    }

    private static List<Object> range(List<Object> args) {
        long start = 0;
        long stop;
        long step = 1;
        if (args.size() == 1) {
            stop = Py.toLong(args.get(0));
        } else {
            start = Py.toLong(args.get(0));
            stop = Py.toLong(args.get(1));
            if (args.size() > 2) {
                step = Py.toLong(args.get(2));
            }
        }
        if (step == 0) {
            throw new TemplateException("range() arg 3 must not be zero");
        }
        List<Object> out = new ArrayList<>();
        for (long i = start; step > 0 ? i < stop : i > stop; i += step) {
            if (out.size() >= MAX_RANGE) {
                throw new TemplateException("Range too big. The sandbox blocks ranges larger than MAX_RANGE ("
                        + MAX_RANGE + ").");
            }
            out.add(i);
        }
        return out;
    }

    /** Python's {@code datetime.strftime} for the common directives. */
    static String strftime(LocalDateTime t, String format) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < format.length(); i++) {
            char c = format.charAt(i);
            if (c != '%' || i + 1 >= format.length()) {
                b.append(c);
                continue;
            }
            char d = format.charAt(++i);
            String pattern = switch (d) {
                case 'Y' -> "yyyy";
                case 'm' -> "MM";
                case 'd' -> "dd";
                case 'H' -> "HH";
                case 'I' -> "hh";
                case 'M' -> "mm";
                case 'S' -> "ss";
                case 'B' -> "MMMM";
                case 'b' -> "MMM";
                case 'A' -> "EEEE";
                case 'a' -> "EEE";
                case 'y' -> "yy";
                case 'p' -> "a";
                case 'j' -> "DDD";
                default -> null;
            };
            if (d == '%') {
                b.append('%');
            } else if (d == 'e') {
                b.append(String.format("%2d", t.getDayOfMonth()));
            } else if (d == '-' && i + 1 < format.length()) {
                char e = format.charAt(++i);
                b.append(switch (e) {
                    case 'd' -> t.getDayOfMonth();
                    case 'm' -> t.getMonthValue();
                    case 'H' -> t.getHour();
                    default -> "%-" + e;
                });
            } else if (pattern == null) {
                b.append('%').append(d);
            } else {
                b.append(DateTimeFormatter.ofPattern(pattern, Locale.ENGLISH).format(t));
            }
        }
        return b.toString();
    }
}
