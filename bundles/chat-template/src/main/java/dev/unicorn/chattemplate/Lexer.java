package dev.unicorn.chattemplate;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import dev.unicorn.chattemplate.Token.Kind;

/**
 * Splits a template into tokens the way jinja2's lexer does with {@code trim_blocks} and {@code lstrip_blocks} on
 * (as transformers configures it): newlines normalised to {@code \n}, one trailing newline dropped, {@code -} and
 * {@code +} whitespace control on tags.
 */
final class Lexer {
    private static final String[] OPERATORS = {"//", "**", "==", "!=", "<=", ">=", "+", "-", "*", "/", "%", "~", "<",
            ">", "=", "(", ")", "[", "]", "{", "}", ",", ".", ":", "|", ";"};
    private static final Pattern RAW_BEGIN = Pattern.compile("\\{%([-+]?)\\s*raw\\s*([-+]?)%}");
    private static final Pattern RAW_END = Pattern.compile("\\{%([-+]?)\\s*endraw\\s*([-+]?)%}");
    private static final Pattern NUMBER = Pattern.compile(
            "(\\d+_)*\\d+((\\.(\\d+_)*\\d+)?[eE][+\\-]?(\\d+_)*\\d+|\\.(\\d+_)*\\d+)?");

    private final String src;
    private final List<Token> tokens = new ArrayList<>();
    private int pos;
    private int line = 1;
    private boolean lineStart = true;

    private Lexer(String source) {
        String s = source.replace("\r\n", "\n").replace('\r', '\n');
        if (s.endsWith("\n")) {
            s = s.substring(0, s.length() - 1);
        }
        this.src = s;
    }

    static List<Token> tokenize(String source) {
        Lexer l = new Lexer(source);
        l.run();
        return l.tokens;
    }

    private void run() {
        while (pos < src.length()) {
            int idx = nextTag(pos);
            if (idx < 0) {
                text(src.substring(pos));
                pos = src.length();
                break;
            }
            char kind = src.charAt(idx + 1);
            char modifier = idx + 2 < src.length() ? src.charAt(idx + 2) : 0;
            String text = src.substring(pos, idx);
            Matcher raw = kind == '%' ? RAW_BEGIN.matcher(src).region(idx, src.length()) : null;
            if (modifier == '-') {
                text = Py.rstrip(text, null);
            } else if (kind != '{' && modifier != '+') {
                int lpos = text.lastIndexOf('\n') + 1;
                if ((lpos > 0 || lineStart) && Py.isBlank(text, lpos)) {
                    text = text.substring(0, lpos);
                }
            }
            text(text);
            line += count(src, pos, idx);
            if (raw != null && raw.lookingAt()) {
                rawBlock(raw);
            } else if (kind == '#') {
                comment(idx);
            } else {
                tag(idx, kind, modifier);
            }
        }
        tokens.add(new Token(Kind.EOF, "", null, line));
    }

    private int nextTag(int from) {
        int i = from;
        while (true) {
            i = src.indexOf('{', i);
            if (i < 0 || i + 1 >= src.length()) {
                return -1;
            }
            char c = src.charAt(i + 1);
            if (c == '{' || c == '%' || c == '#') {
                return i;
            }
            i++;
        }
    }

    private void text(String t) {
        if (!t.isEmpty()) {
            tokens.add(new Token(Kind.TEXT, t, t, line));
        }
    }

    private void rawBlock(Matcher begin) {
        int start = begin.end();
        if (begin.group(2).equals("-")) {
            start = skipSpace(start);
        } else if (!begin.group(2).equals("+") && start < src.length() && src.charAt(start) == '\n') {
            start++;
        }
        Matcher end = RAW_END.matcher(src);
        if (!end.find(start)) {
            throw error("missing end of raw directive");
        }
        String body = src.substring(start, end.start());
        if (end.group(1).equals("-")) {
            body = Py.rstrip(body, null);
        } else if (!end.group(1).equals("+")) {
            int lpos = body.lastIndexOf('\n') + 1;
            if (Py.isBlank(body, lpos)) {
                body = body.substring(0, lpos);
            }
        }
        text(body);
        pos = end.end();
        if (end.group(2).equals("-")) {
            pos = skipSpace(pos);
        } else if (!end.group(2).equals("+") && pos < src.length() && src.charAt(pos) == '\n') {
            pos++;
        }
        finishAt(begin.start());
    }

    private void comment(int idx) {
        int end = src.indexOf("#}", idx + 2);
        if (end < 0) {
            throw error("missing end of comment tag");
        }
        boolean strip = end - 1 >= idx + 2 && src.charAt(end - 1) == '-';
        boolean keep = end - 1 >= idx + 2 && src.charAt(end - 1) == '+';
        pos = end + 2;
        if (strip) {
            pos = skipSpace(pos);
        } else if (!keep && pos < src.length() && src.charAt(pos) == '\n') {
            pos++;
        }
        finishAt(idx);
    }

    private void tag(int idx, char kind, char modifier) {
        int startLine = line;
        boolean block = kind == '%';
        tokens.add(new Token(block ? Kind.BLOCK_BEGIN : Kind.VAR_BEGIN, block ? "{%" : "{{", null, line));
        int p = idx + 2;
        if (modifier == '-' || (block && modifier == '+')) {
            p++;
        }
        int depth = 0;
        while (true) {
            while (p < src.length() && Character.isWhitespace(src.charAt(p))) {
                if (src.charAt(p) == '\n') {
                    line++;
                }
                p++;
            }
            if (p >= src.length()) {
                throw error("unexpected end of template, expected '" + (block ? "%}" : "}}") + "'");
            }
            String close = block ? "%}" : "}}";
            if (depth == 0) {
                if (src.startsWith("-" + close, p)) {
                    tokens.add(new Token(block ? Kind.BLOCK_END : Kind.VAR_END, close, null, line));
                    pos = skipSpace(p + 3);
                    break;
                }
                if (block && src.startsWith("+" + close, p)) {
                    tokens.add(new Token(Kind.BLOCK_END, close, null, line));
                    pos = p + 3;
                    break;
                }
                if (src.startsWith(close, p)) {
                    tokens.add(new Token(block ? Kind.BLOCK_END : Kind.VAR_END, close, null, line));
                    pos = p + 2;
                    if (block && pos < src.length() && src.charAt(pos) == '\n') {
                        pos++;
                    }
                    break;
                }
            }
            char c = src.charAt(p);
            if (Character.isLetter(c) || c == '_') {
                int s = p;
                while (p < src.length() && (Character.isLetterOrDigit(src.charAt(p)) || src.charAt(p) == '_')) {
                    p++;
                }
                tokens.add(new Token(Kind.NAME, src.substring(s, p), null, line));
            } else if (c >= '0' && c <= '9') {
                Matcher m = NUMBER.matcher(src).region(p, src.length());
                m.lookingAt();
                String n = m.group().replace("_", "");
                if (n.contains(".") || n.contains("e") || n.contains("E")) {
                    tokens.add(new Token(Kind.FLOAT, n, Double.parseDouble(n), line));
                } else {
                    tokens.add(new Token(Kind.INTEGER, n, Py.parseInt(n), line));
                }
                p = m.end();
            } else if (c == '\'' || c == '"') {
                p = string(p, c);
            } else {
                String op = null;
                for (String o : OPERATORS) {
                    if (src.startsWith(o, p)) {
                        op = o;
                        break;
                    }
                }
                if (op == null) {
                    throw error("unexpected char '" + c + "'");
                }
                if (op.equals("(") || op.equals("[") || op.equals("{")) {
                    depth++;
                } else if (op.equals(")") || op.equals("]") || op.equals("}")) {
                    depth = Math.max(0, depth - 1);
                }
                tokens.add(new Token(Kind.OP, op, null, line));
                p += op.length();
            }
        }
        line = startLine;
        finishAt(idx);
    }

    private int string(int p, char quote) {
        StringBuilder b = new StringBuilder();
        int i = p + 1;
        while (true) {
            if (i >= src.length()) {
                throw error("unexpected end of string");
            }
            char c = src.charAt(i);
            if (c == quote) {
                break;
            }
            if (c == '\\' && i + 1 < src.length()) {
                char e = src.charAt(i + 1);
                i += 2;
                switch (e) {
                    case 'n' -> b.append('\n');
                    case 't' -> b.append('\t');
                    case 'r' -> b.append('\r');
                    case 'b' -> b.append('\b');
                    case 'f' -> b.append('\f');
                    case 'v' -> b.append('\u000b');
                    case 'a' -> b.append('\u0007');
                    case '0' -> b.append('\0');
                    case '\\' -> b.append('\\');
                    case '\'' -> b.append('\'');
                    case '"' -> b.append('"');
                    case '\n' -> { }
                    case 'x' -> {
                        b.append((char) Integer.parseInt(src.substring(i, i + 2), 16));
                        i += 2;
                    }
                    case 'u' -> {
                        b.append((char) Integer.parseInt(src.substring(i, i + 4), 16));
                        i += 4;
                    }
                    case 'U' -> {
                        b.appendCodePoint(Integer.parseInt(src.substring(i, i + 8), 16));
                        i += 8;
                    }
                    default -> b.append('\\').append(e);
                }
                continue;
            }
            if (c == '\n') {
                line++;
            }
            b.append(c);
            i++;
        }
        tokens.add(new Token(Kind.STRING, src.substring(p, i + 1), b.toString(), line));
        return i + 1;
    }

    private int skipSpace(int p) {
        while (p < src.length() && Py.isSpace(src.charAt(p))) {
            p++;
        }
        return p;
    }

    /** Counts the lines the tag consumed and remembers whether the next text starts a line. */
    private void finishAt(int tagStart) {
        line += count(src, tagStart, pos);
        lineStart = pos > 0 && src.charAt(pos - 1) == '\n';
    }

    private static int count(String s, int from, int to) {
        int n = 0;
        for (int i = from; i < to; i++) {
            if (s.charAt(i) == '\n') {
                n++;
            }
        }
        return n;
    }

    private TemplateException error(String message) {
        return new TemplateException(message + " (line " + line + ")");
    }
}
