package dev.unicorn.chattemplate;

/** A template that cannot be parsed, or raised while rendering; the message is what jinja2's exception says. */
final class TemplateException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    TemplateException(String message) {
        super(message);
    }
}
