package dev.unicorn.chattemplate;

import java.util.List;

/** Statements of a parsed template. */
sealed interface Node {
    record Text(String text) implements Node { }

    record Output(Expr expr) implements Node { }

    record If(List<Expr> conditions, List<List<Node>> bodies, List<Node> orElse) implements Node { }

    record For(List<String> targets, Expr iterable, Expr filter, List<Node> body, List<Node> orElse)
            implements Node { }

    /** {@code set x = e}, {@code set a, b = e} or {@code set ns.attr = e}. */
    record Set(List<String> targets, String attribute, Expr value) implements Node { }

    record SetBlock(String target, String attribute, List<Node> body, List<Expr.Filter> filters) implements Node { }

    record Macro(String name, List<String> params, List<Expr> defaults, List<Node> body) implements Node { }

    record CallBlock(Expr.Call call, List<String> params, List<Expr> defaults, List<Node> body) implements Node { }

    record FilterBlock(List<Expr.Filter> filters, List<Node> body) implements Node { }

    record With(List<String> names, List<Expr> values, List<Node> body) implements Node { }

    /** A body rendered as it is ({@code generation} blocks of transformers' assistant tracker). */
    record Block(List<Node> body) implements Node { }

    record Break() implements Node { }

    record Continue() implements Node { }
}
