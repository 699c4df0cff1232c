package dev.unicorn.model.qwen;

/**
 * Where each Qwen tensor is stored: Hugging Face checkpoint names, or the names llama.cpp's converter writes into
 * GGUF files. One table per format, the same runtime tensors.
 */
enum QwenTensorNames {
    HUGGING_FACE("model.embed_tokens.weight", "model.norm.weight", "lm_head.weight", "model.layers.%d.",
            "input_layernorm.weight", "self_attn.q_proj.", "self_attn.k_proj.", "self_attn.v_proj.",
            "self_attn.o_proj.", "self_attn.q_norm.weight", "self_attn.k_norm.weight",
            "post_attention_layernorm.weight", "mlp.gate_proj.weight", "mlp.up_proj.weight", "mlp.down_proj.weight"),
    GGUF("token_embd.weight", "output_norm.weight", "output.weight", "blk.%d.", "attn_norm.weight", "attn_q.",
            "attn_k.", "attn_v.", "attn_output.", "attn_q_norm.weight", "attn_k_norm.weight", "ffn_norm.weight",
            "ffn_gate.weight", "ffn_up.weight", "ffn_down.weight");

    final String embedding;
    final String finalNorm;
    final String outputHead;
    private final String layerPrefix;
    final String attentionNorm;
    /** Projection prefixes: append {@code weight} or {@code bias}. */
    final String q;
    final String k;
    final String v;
    final String o;
    final String qNorm;
    final String kNorm;
    final String mlpNorm;
    final String gate;
    final String up;
    final String down;

    QwenTensorNames(String embedding, String finalNorm, String outputHead, String layerPrefix, String attentionNorm,
            String q, String k, String v, String o, String qNorm, String kNorm, String mlpNorm, String gate, String up,
            String down) {
        this.embedding = embedding;
        this.finalNorm = finalNorm;
        this.outputHead = outputHead;
        this.layerPrefix = layerPrefix;
        this.attentionNorm = attentionNorm;
        this.q = q;
        this.k = k;
        this.v = v;
        this.o = o;
        this.qNorm = qNorm;
        this.kNorm = kNorm;
        this.mlpNorm = mlpNorm;
        this.gate = gate;
        this.up = up;
        this.down = down;
    }

    /** The full name of a tensor of layer {@code i}. */
    String layer(int i, String part) {
        return layerPrefix.formatted(i) + part;
    }
}
