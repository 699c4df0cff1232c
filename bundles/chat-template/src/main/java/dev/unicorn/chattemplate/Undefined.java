package dev.unicorn.chattemplate;

/** jinja2's default {@code Undefined}: prints empty, is falsy and empty, fails on anything else. */
final class Undefined {
    private final String message;

    Undefined(String message) {
        this.message = message;
    }

    static Undefined name(String name) {
        return new Undefined(Py.repr(name) + " is undefined");
    }

    static Undefined attribute(Object target, Object key) {
        if (key instanceof String s) {
            return new Undefined(Py.repr(Py.typeRepr(target)) + " has no attribute " + Py.repr(s));
        }
        return new Undefined(Py.typeRepr(target) + " has no element " + Py.repr(key));
    }

    TemplateException error() {
        return new TemplateException(message);
    }

    @Override
    public String toString() {
        return "";
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Undefined;
    }

    @Override
    public int hashCode() {
        return 0;
    }
}
