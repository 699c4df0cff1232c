package dev.unicorn.api.model;

/** A model that cannot be loaded or run: the message names the file, field or tensor and what was expected. */
public class ModelException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public ModelException(String message) {
        super(message);
    }

    public ModelException(String message, Throwable cause) {
        super(message, cause);
    }
}
