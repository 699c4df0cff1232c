package dev.unicorn.backend.cpu;

import dev.unicorn.api.backend.AttentionSpec;

/**
 * Causal grouped-query attention over a KV cache (linear, or a ring for sliding windows), one task per (query row, head): scores, optional soft-capping,
 * softmax in f32, weighted sum of values.
 */
final class AttentionKernel implements WorkerPool.Job {
    private final WorkerPool pool;
    private final float[][] scores;
    private CpuTensor q;
    private CpuTensor k;
    private CpuTensor v;
    private CpuTensor out;
    private AttentionSpec spec;

    AttentionKernel(WorkerPool pool) {
        this.pool = pool;
        this.scores = new float[pool.threads()][];
    }

    void run(CpuTensor q, CpuTensor k, CpuTensor v, AttentionSpec spec, CpuTensor out) {
        this.q = q;
        this.k = k;
        this.v = v;
        this.spec = spec;
        this.out = out;
        pool.run((int) q.rows * spec.heads(), this);
        this.q = this.k = this.v = this.out = null;
    }

    @Override
    public void run(int task, int worker) {
        int heads = spec.heads();
        int d = spec.headDim();
        int row = task / heads;
        int head = task % heads;
        int kvHead = head / (heads / spec.kvHeads());
        int position = spec.firstPosition() + row;
        int first = spec.window() > 0 ? Math.max(0, position - spec.window() + 1) : 0;
        int count = position - first + 1;
        float[] s = scores[worker];
        if (s == null || s.length < count) {
            s = scores[worker] = new float[Math.max(count, 256)];
        }
        int kvWidth = (int) k.columns;
        int qo = q.offset + row * (int) q.columns + head * d;
        float scale = spec.scale();
        float cap = spec.softCap();
        float max = Float.NEGATIVE_INFINITY;
        for (int t = 0; t < count; t++) {
            int ko = k.offset + spec.cacheRow(first + t) * kvWidth + kvHead * d;
            float score = MatmulKernel.dot(q.data, qo, k.data, ko, d) * scale;
            if (cap > 0) {
                score = cap * (float) Math.tanh(score / cap);
            }
            s[t] = score;
            max = Math.max(max, score);
        }
        float sum = 0;
        for (int t = 0; t < count; t++) {
            float e = (float) Math.exp(s[t] - max);
            s[t] = e;
            sum += e;
        }
        float inv = 1f / sum;
        int oo = out.offset + row * (int) out.columns + head * d;
        java.util.Arrays.fill(out.data, oo, oo + d, 0f);
        for (int t = 0; t < count; t++) {
            float p = s[t] * inv;
            int vo = v.offset + spec.cacheRow(first + t) * kvWidth + kvHead * d;
            for (int c = 0; c < d; c++) {
                out.data[oo + c] += p * v.data[vo + c];
            }
        }
    }
}
