package dev.unicorn.api.model;

/** Where a model of the {@link ModelRegistry} stands. */
public enum ModelStatus {
    /** On disk (in the models directory, or loaded before), not in memory. */
    AVAILABLE,
    /** Being loaded. */
    LOADING,
    /** In memory, ready to generate. */
    LOADED
}
