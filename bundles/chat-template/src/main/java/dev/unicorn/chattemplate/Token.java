package dev.unicorn.chattemplate;

/** One lexical token of a template: literal text, a tag delimiter or a piece of an expression. */
record Token(Kind kind, String text, Object value, int line) {

    enum Kind { TEXT, VAR_BEGIN, VAR_END, BLOCK_BEGIN, BLOCK_END, NAME, STRING, INTEGER, FLOAT, OP, EOF }

    boolean is(Kind k, String t) {
        return kind == k && text.equals(t);
    }

    boolean isOp(String t) {
        return is(Kind.OP, t);
    }

    boolean isName(String t) {
        return is(Kind.NAME, t);
    }
}
