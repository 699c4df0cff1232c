package dev.unicorn.chattemplate;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import dev.unicorn.chattemplate.Token.Kind;

/** Parses tokens into statements with jinja2's grammar and operator precedence. */
final class Parser {
    private static final Set<String> COMPARE = Set.of("==", "!=", "<", "<=", ">", ">=");

    private final List<Token> tokens;
    private int i;

    private Parser(List<Token> tokens) {
        this.tokens = tokens;
    }

    static List<Node> parse(String source) {
        Parser p = new Parser(Lexer.tokenize(source));
        List<Node> body = p.body(Set.of());
        if (p.peek().kind() != Kind.EOF) {
            throw p.error("unexpected '" + p.peek().text() + "'");
        }
        return body;
    }

    private Token peek() {
        return tokens.get(i);
    }

    private Token peek(int ahead) {
        return tokens.get(Math.min(i + ahead, tokens.size() - 1));
    }

    private Token next() {
        return tokens.get(i++);
    }

    private boolean skipOp(String op) {
        if (peek().isOp(op)) {
            i++;
            return true;
        }
        return false;
    }

    private boolean skipName(String name) {
        if (peek().isName(name)) {
            i++;
            return true;
        }
        return false;
    }

    private void expectOp(String op) {
        if (!skipOp(op)) {
            throw error("expected '" + op + "', got '" + peek().text() + "'");
        }
    }

    private String expectName() {
        if (peek().kind() != Kind.NAME) {
            throw error("expected a name, got '" + peek().text() + "'");
        }
        return next().text();
    }

    private void expect(Kind kind) {
        if (peek().kind() != kind) {
            throw error("expected end of statement, got '" + peek().text() + "'");
        }
        i++;
    }

    private TemplateException error(String message) {
        return new TemplateException(message + " (line " + peek().line() + ")");
    }

    /** Statements up to a block tag whose first name is in {@code ends} (left unconsumed after the '{%'). */
    private List<Node> body(Set<String> ends) {
        List<Node> out = new ArrayList<>();
        while (true) {
            Token t = peek();
            switch (t.kind()) {
                case EOF -> {
                    if (!ends.isEmpty()) {
                        throw error("unexpected end of template, expected one of " + ends);
                    }
                    return out;
                }
                case TEXT -> {
                    i++;
                    out.add(new Node.Text(t.text()));
                }
                case VAR_BEGIN -> {
                    i++;
                    Expr e = tuple();
                    expect(Kind.VAR_END);
                    out.add(new Node.Output(e));
                }
                case BLOCK_BEGIN -> {
                    Token name = peek(1);
                    if (name.kind() == Kind.NAME && ends.contains(name.text())) {
                        i++;
                        return out;
                    }
                    i++;
                    out.add(statement());
                }
                default -> throw error("unexpected '" + t.text() + "'");
            }
        }
    }

    private Node statement() {
        String keyword = expectName();
        switch (keyword) {
            case "if" -> {
                return ifStatement();
            }
            case "for" -> {
                return forStatement();
            }
            case "set" -> {
                return setStatement();
            }
            case "macro" -> {
                return macro();
            }
            case "call" -> {
                return callBlock();
            }
            case "filter" -> {
                List<Expr.Filter> filters = filterChain(false);
                expect(Kind.BLOCK_END);
                List<Node> body = body(Set.of("endfilter"));
                endTag("endfilter");
                return new Node.FilterBlock(filters, body);
            }
            case "with" -> {
                List<String> names = new ArrayList<>();
                List<Expr> values = new ArrayList<>();
                while (peek().kind() != Kind.BLOCK_END) {
                    if (!names.isEmpty()) {
                        expectOp(",");
                    }
                    names.add(expectName());
                    expectOp("=");
                    values.add(expression());
                }
                expect(Kind.BLOCK_END);
                List<Node> body = body(Set.of("endwith"));
                endTag("endwith");
                return new Node.With(names, values, body);
            }
            case "generation" -> {
                expect(Kind.BLOCK_END);
                List<Node> body = body(Set.of("endgeneration"));
                endTag("endgeneration");
                return new Node.Block(body);
            }
            case "break" -> {
                expect(Kind.BLOCK_END);
                return new Node.Break();
            }
            case "continue" -> {
                expect(Kind.BLOCK_END);
                return new Node.Continue();
            }
            default -> throw error("Encountered unknown tag '" + keyword + "'.");
        }
    }

    private void endTag(String name) {
        expectName();
        expect(Kind.BLOCK_END);
    }

    private Node ifStatement() {
        List<Expr> conditions = new ArrayList<>();
        List<List<Node>> bodies = new ArrayList<>();
        List<Node> orElse = List.of();
        conditions.add(tuple());
        expect(Kind.BLOCK_END);
        while (true) {
            bodies.add(body(Set.of("elif", "else", "endif")));
            String tag = expectName();
            if (tag.equals("elif")) {
                conditions.add(tuple());
                expect(Kind.BLOCK_END);
            } else if (tag.equals("else")) {
                expect(Kind.BLOCK_END);
                orElse = body(Set.of("endif"));
                expectName();
                expect(Kind.BLOCK_END);
                break;
            } else {
                expect(Kind.BLOCK_END);
                break;
            }
        }
        return new Node.If(conditions, bodies, orElse);
    }

    private Node forStatement() {
        List<String> targets = new ArrayList<>();
        boolean paren = skipOp("(");
        targets.add(expectName());
        while (skipOp(",")) {
            if (peek().isName("in")) {
                break;
            }
            targets.add(expectName());
        }
        if (paren) {
            expectOp(")");
        }
        if (!skipName("in")) {
            throw error("expected 'in' in for loop");
        }
        Expr iterable = tuple(false, true);
        Expr filter = null;
        if (skipName("if")) {
            filter = expression(false);
        }
        if (skipName("recursive")) {
            throw error("recursive for loops are not supported");
        }
        expect(Kind.BLOCK_END);
        List<Node> body = body(Set.of("endfor", "else"));
        List<Node> orElse = List.of();
        if (expectName().equals("else")) {
            expect(Kind.BLOCK_END);
            orElse = body(Set.of("endfor"));
            expectName();
        }
        expect(Kind.BLOCK_END);
        return new Node.For(targets, iterable, filter, body, orElse);
    }

    private Node setStatement() {
        List<String> targets = new ArrayList<>();
        String attribute = null;
        targets.add(expectName());
        if (skipOp(".")) {
            attribute = expectName();
        } else {
            while (skipOp(",")) {
                targets.add(expectName());
            }
        }
        if (skipOp("=")) {
            Expr value = tuple();
            expect(Kind.BLOCK_END);
            return new Node.Set(targets, attribute, value);
        }
        List<Expr.Filter> filters = peek().isOp("|") ? filterChain(true) : List.of();
        expect(Kind.BLOCK_END);
        List<Node> body = body(Set.of("endset"));
        expectName();
        expect(Kind.BLOCK_END);
        return new Node.SetBlock(targets.get(0), attribute, body, filters);
    }

    private List<Expr.Filter> filterChain(boolean leadingPipe) {
        List<Expr.Filter> filters = new ArrayList<>();
        boolean first = true;
        while (first && !leadingPipe || skipOp("|")) {
            first = false;
            filters.add(filter(null));
        }
        return filters;
    }

    private Node macro() {
        String name = expectName();
        List<String> params = new ArrayList<>();
        List<Expr> defaults = new ArrayList<>();
        signature(params, defaults);
        expect(Kind.BLOCK_END);
        List<Node> body = body(Set.of("endmacro"));
        endTag("endmacro");
        return new Node.Macro(name, params, defaults, body);
    }

    private void signature(List<String> params, List<Expr> defaults) {
        expectOp("(");
        while (!skipOp(")")) {
            if (!params.isEmpty()) {
                expectOp(",");
                if (skipOp(")")) {
                    break;
                }
            }
            params.add(expectName());
            if (skipOp("=")) {
                defaults.add(expression());
            } else if (!defaults.isEmpty()) {
                throw error("non-default argument follows default argument");
            }
        }
    }

    private Node callBlock() {
        List<String> params = new ArrayList<>();
        List<Expr> defaults = new ArrayList<>();
        if (peek().isOp("(")) {
            signature(params, defaults);
        }
        Expr call = expression();
        if (!(call instanceof Expr.Call c)) {
            throw error("expected call");
        }
        expect(Kind.BLOCK_END);
        List<Node> body = body(Set.of("endcall"));
        endTag("endcall");
        return new Node.CallBlock(c, params, defaults, body);
    }

    // ---- expressions ----

    private Expr tuple() {
        return tuple(true, false);
    }

    /** An expression, or a tuple when commas follow (as jinja2's parse_tuple). */
    private Expr tuple(boolean withCondExpr, boolean explicitEnd) {
        List<Expr> items = new ArrayList<>();
        boolean comma = false;
        while (true) {
            if (!items.isEmpty()) {
                if (!skipOp(",")) {
                    break;
                }
                comma = true;
            }
            if (tupleEnds(explicitEnd)) {
                break;
            }
            items.add(expression(withCondExpr));
        }
        if (!comma) {
            if (items.isEmpty()) {
                throw error("expected an expression, got '" + peek().text() + "'");
            }
            return items.get(0);
        }
        return new Expr.TupleLit(items);
    }

    private boolean tupleEnds(boolean explicitEnd) {
        Token t = peek();
        if (t.kind() == Kind.VAR_END || t.kind() == Kind.BLOCK_END || t.isOp(")")) {
            return true;
        }
        return explicitEnd && (t.isName("if") || t.isName("recursive"));
    }

    private Expr expression() {
        return expression(true);
    }

    private Expr expression(boolean withCondExpr) {
        return withCondExpr ? condExpr() : or();
    }

    private Expr condExpr() {
        Expr e = or();
        while (skipName("if")) {
            Expr cond = or();
            Expr orElse = skipName("else") ? condExpr() : null;
            e = new Expr.Cond(cond, e, orElse);
        }
        return e;
    }

    private Expr or() {
        Expr e = and();
        while (skipName("or")) {
            e = new Expr.Or(e, and());
        }
        return e;
    }

    private Expr and() {
        Expr e = not();
        while (skipName("and")) {
            e = new Expr.And(e, not());
        }
        return e;
    }

    private Expr not() {
        if (skipName("not")) {
            return new Expr.Not(not());
        }
        return compare();
    }

    private Expr compare() {
        Expr first = math1();
        List<String> ops = new ArrayList<>();
        List<Expr> rest = new ArrayList<>();
        while (true) {
            Token t = peek();
            if (t.kind() == Kind.OP && COMPARE.contains(t.text())) {
                i++;
                ops.add(t.text());
            } else if (t.isName("in")) {
                i++;
                ops.add("in");
            } else if (t.isName("not") && peek(1).isName("in")) {
                i += 2;
                ops.add("notin");
            } else {
                break;
            }
            rest.add(math1());
        }
        return ops.isEmpty() ? first : new Expr.Compare(first, ops, rest);
    }

    private Expr math1() {
        Expr e = concat();
        while (peek().isOp("+") || peek().isOp("-")) {
            String op = next().text();
            e = new Expr.Binary(op, e, concat());
        }
        return e;
    }

    private Expr concat() {
        Expr e = math2();
        while (skipOp("~")) {
            e = new Expr.Binary("~", e, math2());
        }
        return e;
    }

    private Expr math2() {
        Expr e = pow();
        while (peek().isOp("*") || peek().isOp("/") || peek().isOp("//") || peek().isOp("%")) {
            String op = next().text();
            e = new Expr.Binary(op, e, pow());
        }
        return e;
    }

    private Expr pow() {
        Expr e = unary(true);
        while (skipOp("**")) {
            e = new Expr.Binary("**", e, unary(true));
        }
        return e;
    }

    private Expr unary(boolean withFilter) {
        Expr e;
        if (skipOp("-")) {
            e = new Expr.Unary("-", unary(false));
        } else if (skipOp("+")) {
            e = new Expr.Unary("+", unary(false));
        } else {
            e = primary();
        }
        e = postfix(e);
        if (withFilter) {
            e = filterExpr(e);
        }
        return e;
    }

    private Expr primary() {
        Token t = next();
        switch (t.kind()) {
            case NAME -> {
                return switch (t.text()) {
                    case "true", "True" -> new Expr.Const(Boolean.TRUE);
                    case "false", "False" -> new Expr.Const(Boolean.FALSE);
                    case "none", "None" -> new Expr.Const(null);
                    default -> new Expr.Name(t.text());
                };
            }
            case STRING -> {
                StringBuilder b = new StringBuilder((String) t.value());
                while (peek().kind() == Kind.STRING) {
                    b.append((String) next().value());
                }
                return new Expr.Const(b.toString());
            }
            case INTEGER, FLOAT -> {
                return new Expr.Const(t.value());
            }
            case OP -> {
                switch (t.text()) {
                    case "(" -> {
                        if (skipOp(")")) {
                            return new Expr.TupleLit(List.of());
                        }
                        Expr e = tuple();
                        expectOp(")");
                        return e;
                    }
                    case "[" -> {
                        List<Expr> items = new ArrayList<>();
                        while (!skipOp("]")) {
                            if (!items.isEmpty()) {
                                expectOp(",");
                                if (skipOp("]")) {
                                    break;
                                }
                            }
                            items.add(expression());
                        }
                        return new Expr.ListLit(items);
                    }
                    case "{" -> {
                        List<Expr> keys = new ArrayList<>();
                        List<Expr> values = new ArrayList<>();
                        while (!skipOp("}")) {
                            if (!keys.isEmpty()) {
                                expectOp(",");
                                if (skipOp("}")) {
                                    break;
                                }
                            }
                            keys.add(expression());
                            expectOp(":");
                            values.add(expression());
                        }
                        return new Expr.DictLit(keys, values);
                    }
                    default -> {
                        i--;
                        throw error("unexpected '" + t.text() + "'");
                    }
                }
            }
            default -> {
                i--;
                throw error("unexpected '" + t.text() + "'");
            }
        }
    }

    private Expr postfix(Expr e) {
        while (true) {
            if (peek().isOp(".")) {
                i++;
                Token t = next();
                if (t.kind() == Kind.NAME) {
                    e = new Expr.GetAttr(e, t.text());
                } else if (t.kind() == Kind.INTEGER) {
                    e = new Expr.GetItem(e, new Expr.Const(t.value()));
                } else {
                    i--;
                    throw error("expected name or number after '.'");
                }
            } else if (peek().isOp("[")) {
                i++;
                List<Expr> subs = new ArrayList<>();
                while (!skipOp("]")) {
                    if (!subs.isEmpty()) {
                        expectOp(",");
                    }
                    subs.add(subscript());
                }
                e = new Expr.GetItem(e, subs.size() == 1 ? subs.get(0) : new Expr.TupleLit(subs));
            } else if (peek().isOp("(")) {
                e = call(e);
            } else {
                return e;
            }
        }
    }

    private Expr subscript() {
        Expr start = null;
        if (!peek().isOp(":")) {
            start = expression();
            if (!peek().isOp(":")) {
                return start;
            }
        }
        i++;
        Expr stop = null;
        Expr step = null;
        if (!peek().isOp("]") && !peek().isOp(",") && !peek().isOp(":")) {
            stop = expression();
        }
        if (skipOp(":")) {
            if (!peek().isOp("]") && !peek().isOp(",")) {
                step = expression();
            }
        }
        return new Expr.Slice(start, stop, step);
    }

    private Expr.Call call(Expr target) {
        List<Expr> args = new ArrayList<>();
        List<String> kwNames = new ArrayList<>();
        List<Expr> kwValues = new ArrayList<>();
        callArgs(args, kwNames, kwValues);
        return new Expr.Call(target, args, kwNames, kwValues);
    }

    private void callArgs(List<Expr> args, List<String> kwNames, List<Expr> kwValues) {
        expectOp("(");
        boolean first = true;
        while (!skipOp(")")) {
            if (!first) {
                expectOp(",");
                if (skipOp(")")) {
                    break;
                }
            }
            first = false;
            if (peek().kind() == Kind.NAME && peek(1).isOp("=")) {
                kwNames.add(next().text());
                i++;
                kwValues.add(expression());
            } else {
                if (!kwNames.isEmpty()) {
                    throw error("positional argument follows keyword argument");
                }
                args.add(expression());
            }
        }
    }

    private Expr filterExpr(Expr e) {
        while (true) {
            if (peek().isOp("|")) {
                i++;
                e = filter(e);
            } else if (peek().isName("is")) {
                i++;
                e = test(e);
            } else if (peek().isOp("(")) {
                e = call(e);
            } else {
                return e;
            }
        }
    }

    private Expr.Filter filter(Expr target) {
        StringBuilder name = new StringBuilder(expectName());
        while (peek().isOp(".")) {
            i++;
            name.append('.').append(expectName());
        }
        List<Expr> args = new ArrayList<>();
        List<String> kwNames = new ArrayList<>();
        List<Expr> kwValues = new ArrayList<>();
        if (peek().isOp("(")) {
            callArgs(args, kwNames, kwValues);
        }
        return new Expr.Filter(target, name.toString(), args, kwNames, kwValues);
    }

    private Expr test(Expr target) {
        boolean negated = skipName("not");
        StringBuilder name = new StringBuilder(expectName());
        while (peek().isOp(".")) {
            i++;
            name.append('.').append(expectName());
        }
        List<Expr> args = new ArrayList<>();
        Token t = peek();
        if (t.isOp("(")) {
            List<String> kwNames = new ArrayList<>();
            List<Expr> kwValues = new ArrayList<>();
            callArgs(args, kwNames, kwValues);
            args.addAll(kwValues);
        } else if ((t.kind() == Kind.NAME || t.kind() == Kind.STRING || t.kind() == Kind.INTEGER
                || t.kind() == Kind.FLOAT || t.isOp("[") || t.isOp("{"))
                && !t.isName("else") && !t.isName("or") && !t.isName("and")) {
            if (t.isName("is")) {
                throw error("You cannot chain multiple tests with is");
            }
            args.add(postfix(primary()));
        }
        return new Expr.Test(target, name.toString(), args, negated);
    }
}
