package dev.unicorn.chattemplate;

import java.util.List;

/** Expressions of a parsed template. */
sealed interface Expr {
    record Const(Object value) implements Expr { }

    record Name(String name) implements Expr { }

    record GetAttr(Expr target, String name) implements Expr { }

    record GetItem(Expr target, Expr key) implements Expr { }

    record Slice(Expr start, Expr stop, Expr step) implements Expr { }

    record Call(Expr target, List<Expr> args, List<String> kwNames, List<Expr> kwValues) implements Expr { }

    /** {@code target | name(args)}; target is null inside a filter block or a {@code set} block. */
    record Filter(Expr target, String name, List<Expr> args, List<String> kwNames, List<Expr> kwValues)
            implements Expr { }

    record Test(Expr target, String name, List<Expr> args, boolean negated) implements Expr { }

    record Unary(String op, Expr operand) implements Expr { }

    record Binary(String op, Expr left, Expr right) implements Expr { }

    /** {@code a < b <= c}: operators as {@code ==, !=, <, <=, >, >=, in, notin}. */
    record Compare(Expr first, List<String> ops, List<Expr> rest) implements Expr { }

    record And(Expr left, Expr right) implements Expr { }

    record Or(Expr left, Expr right) implements Expr { }

    record Not(Expr operand) implements Expr { }

    record Cond(Expr condition, Expr then, Expr orElse) implements Expr { }

    record ListLit(List<Expr> items) implements Expr { }

    record TupleLit(List<Expr> items) implements Expr { }

    record DictLit(List<Expr> keys, List<Expr> values) implements Expr { }
}
