package dev.unicorn.api.weights;

/** A checkpoint that cannot be read as asked: the message names the file, the tensor or field, and what was expected. */
public class WeightsException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public WeightsException(String message) {
        super(message);
    }

    public WeightsException(String message, Throwable cause) {
        super(message, cause);
    }
}
