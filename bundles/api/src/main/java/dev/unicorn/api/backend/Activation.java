package dev.unicorn.api.backend;

/** The activation applied to the gate of a gated MLP. */
public enum Activation {
    /** SiLU (swish), as in SwiGLU (Qwen, Llama). */
    SILU,
    /** GELU with the tanh approximation, as in GeGLU (Gemma). */
    GELU_TANH
}
