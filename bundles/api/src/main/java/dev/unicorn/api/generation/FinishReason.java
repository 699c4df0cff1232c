package dev.unicorn.api.generation;

/** Why a generation ended. */
public enum FinishReason {
    /** A stop token id or stop string was produced. */
    STOP,
    /** The token limit or the context was reached. */
    LENGTH,
    /** It was cancelled. */
    CANCELLED
}
