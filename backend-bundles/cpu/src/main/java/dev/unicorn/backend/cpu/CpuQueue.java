package dev.unicorn.backend.cpu;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

import jdk.incubator.vector.FloatVector;

import dev.unicorn.api.backend.Activation;
import dev.unicorn.api.backend.AttentionSpec;
import dev.unicorn.api.backend.ComputeQueue;
import dev.unicorn.api.backend.Tensor;

/** Runs each kernel as it is recorded; {@link #finish()} has nothing to wait for. */
final class CpuQueue implements ComputeQueue {
    private static final ValueLayout.OfShort SHORT = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfFloat FLOAT = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final float SQRT_2_OVER_PI = (float) Math.sqrt(2 / Math.PI);

    private final MatmulKernel matmul;
    private final AttentionKernel attention;
    private float[] normWeight = new float[0];

    CpuQueue(WorkerPool pool) {
        this.matmul = new MatmulKernel(pool);
        this.attention = new AttentionKernel(pool);
    }

    private static CpuTensor cpu(Tensor t, String role) {
        if (!(t instanceof CpuTensor c)) {
            throw new IllegalArgumentException(role + " is not a CPU tensor: " + t);
        }
        return c;
    }

    private static CpuTensor activation(Tensor t, String role) {
        CpuTensor c = cpu(t, role);
        if (!c.onHeap()) {
            throw new IllegalArgumentException(role + " must be an f32 activation tensor, got " + c);
        }
        return c;
    }

    private static void sameShape(CpuTensor a, CpuTensor b, String what) {
        if (a.rows != b.rows || a.columns != b.columns) {
            throw new IllegalArgumentException(what + ": shapes " + a.rows + "×" + a.columns + " and " + b.rows + "×"
                    + b.columns + " differ");
        }
    }

    @Override
    public void embed(Tensor table, int[] ids, int count, Tensor out) {
        CpuTensor t = cpu(table, "embedding table");
        CpuTensor o = activation(out, "output");
        int d = (int) t.columns;
        if (o.columns != d || o.rows < count) {
            throw new IllegalArgumentException("embedding output " + o + " cannot hold " + count + " rows of " + d);
        }
        for (int i = 0; i < count; i++) {
            int id = ids[i];
            if (id < 0 || id >= t.rows) {
                throw new IllegalArgumentException("token id " + id + " outside the embedding's " + t.rows + " rows");
            }
            readRow(t, id, o.data, o.offset + i * d);
        }
    }

    /** Row {@code r} of any tensor as f32. */
    static void readRow(CpuTensor t, long r, float[] dst, int at) {
        int d = (int) t.columns;
        if (t.onHeap()) {
            System.arraycopy(t.data, t.offset + (int) (r * d), dst, at, d);
            return;
        }
        MemorySegment s = t.segment;
        long base = t.type.byteSize(r * d);
        switch (t.type) {
            case F32 -> MemorySegment.copy(s, FLOAT, base, dst, at, d);
            case BF16 -> {
                for (int c = 0; c < d; c++) {
                    dst[at + c] = Float.intBitsToFloat(s.get(SHORT, base + 2L * c) << 16);
                }
            }
            case F16 -> {
                for (int c = 0; c < d; c++) {
                    dst[at + c] = Float.float16ToFloat(s.get(SHORT, base + 2L * c));
                }
            }
            default -> {
                if (!t.type.quantized()) {
                    throw new IllegalArgumentException("cannot read " + t.type + " as f32");
                }
                QuantizedRows.dequantize(t.type, s, base, d, dst, at);
            }
        }
    }

    @Override
    public void matmul(Tensor x, Tensor w, Tensor bias, Tensor out) {
        CpuTensor xt = activation(x, "matmul input");
        CpuTensor wt = cpu(w, "matmul weight");
        CpuTensor ot = activation(out, "matmul output");
        CpuTensor bt = bias == null ? null : cpu(bias, "matmul bias");
        if (xt.columns != wt.columns || ot.rows != xt.rows || ot.columns != wt.rows
                || (bt != null && bt.rows * bt.columns != wt.rows)) {
            throw new IllegalArgumentException("matmul shapes do not fit: x " + xt + ", w " + wt + ", bias " + bt
                    + ", out " + ot);
        }
        matmul.run(xt, wt, bt, ot);
    }

    @Override
    public void rmsNorm(Tensor x, Tensor weight, float eps, float weightOffset, Tensor out) {
        CpuTensor xt = activation(x, "rmsNorm input");
        CpuTensor ot = activation(out, "rmsNorm output");
        CpuTensor wt = cpu(weight, "rmsNorm weight");
        sameShape(xt, ot, "rmsNorm");
        int d = (int) (wt.rows * wt.columns);
        if (xt.columns % d != 0) {
            throw new IllegalArgumentException("rmsNorm weight of " + d + " does not divide rows of " + xt.columns);
        }
        if (normWeight.length < d) {
            normWeight = new float[d];
        }
        float[] w = normWeight;
        readRow((CpuTensor) wt.reshape(1, d), 0, w, 0);
        int rows = (int) (xt.rows * (xt.columns / d));
        for (int r = 0; r < rows; r++) {
            int xo = xt.offset + r * d;
            int oo = ot.offset + r * d;
            float ss = MatmulKernel.dot(xt.data, xo, xt.data, xo, d);
            float inv = (float) (1.0 / Math.sqrt(ss / d + eps));
            for (int c = 0; c < d; c++) {
                ot.data[oo + c] = xt.data[xo + c] * inv * (weightOffset + w[c]);
            }
        }
    }

    @Override
    public void rope(Tensor x, int headDim, int rotaryDim, float[] cos, float[] sin) {
        CpuTensor xt = activation(x, "rope input");
        int heads = (int) (xt.columns / headDim);
        int half = rotaryDim / 2;
        for (int r = 0; r < xt.rows; r++) {
            for (int h = 0; h < heads; h++) {
                int base = xt.offset + r * (int) xt.columns + h * headDim;
                for (int i = 0; i < half; i++) {
                    float c = cos[r * half + i];
                    float s = sin[r * half + i];
                    float a = xt.data[base + i];
                    float b = xt.data[base + i + half];
                    xt.data[base + i] = a * c - b * s;
                    xt.data[base + i + half] = b * c + a * s;
                }
            }
        }
    }

    @Override
    public void copyRows(Tensor src, Tensor dst, long dstRow) {
        CpuTensor s = activation(src, "copy source");
        CpuTensor d = activation(dst, "copy destination");
        if (s.columns != d.columns || dstRow < 0 || dstRow + s.rows > d.rows) {
            throw new IllegalArgumentException("cannot copy " + s + " into " + d + " at row " + dstRow);
        }
        System.arraycopy(s.data, s.offset, d.data, d.offset + (int) (dstRow * d.columns), s.size());
    }

    @Override
    public void attention(Tensor q, Tensor k, Tensor v, AttentionSpec spec, Tensor out) {
        CpuTensor qt = activation(q, "attention queries");
        CpuTensor kt = activation(k, "attention keys");
        CpuTensor vt = activation(v, "attention values");
        CpuTensor ot = activation(out, "attention output");
        int qWidth = spec.heads() * spec.headDim();
        int kvWidth = spec.kvHeads() * spec.headDim();
        if (qt.columns != qWidth || ot.columns != qWidth || ot.rows != qt.rows || kt.columns != kvWidth
                || vt.columns != kvWidth || kt.rows != vt.rows
                || (spec.ringRows() == 0 ? spec.firstPosition() + qt.rows > kt.rows
                        : kt.rows != spec.ringRows() || qt.rows + spec.window() - 1 > spec.ringRows())) {
            throw new IllegalArgumentException("attention shapes do not fit " + spec + ": q " + qt + ", k " + kt
                    + ", v " + vt + ", out " + ot);
        }
        attention.run(qt, kt, vt, spec, ot);
    }

    @Override
    public void gatedActivation(Activation activation, Tensor gate, Tensor up, Tensor out) {
        CpuTensor g = activation(gate, "gate");
        CpuTensor u = activation(up, "up");
        CpuTensor o = activation(out, "gated output");
        sameShape(g, u, "gatedActivation");
        sameShape(g, o, "gatedActivation");
        int n = g.size();
        for (int i = 0; i < n; i++) {
            float a = g.data[g.offset + i];
            float act = switch (activation) {
                case SILU -> a / (1f + (float) Math.exp(-a));
                case GELU_TANH -> 0.5f * a * (1f + (float) Math.tanh(SQRT_2_OVER_PI * (a + 0.044715f * a * a * a)));
            };
            o.data[o.offset + i] = act * u.data[u.offset + i];
        }
    }

    @Override
    public void add(Tensor a, Tensor b, Tensor out) {
        CpuTensor at = activation(a, "add input");
        CpuTensor bt = activation(b, "add input");
        CpuTensor ot = activation(out, "add output");
        sameShape(at, bt, "add");
        sameShape(at, ot, "add");
        int n = at.size();
        int i = 0;
        for (int bound = MatmulKernel.F.loopBound(n); i < bound; i += MatmulKernel.F.length()) {
            FloatVector.fromArray(MatmulKernel.F, at.data, at.offset + i)
                    .add(FloatVector.fromArray(MatmulKernel.F, bt.data, bt.offset + i))
                    .intoArray(ot.data, ot.offset + i);
        }
        for (; i < n; i++) {
            ot.data[ot.offset + i] = at.data[at.offset + i] + bt.data[bt.offset + i];
        }
    }

    @Override
    public void scale(Tensor x, float factor) {
        CpuTensor t = activation(x, "scale input");
        int n = t.size();
        for (int i = 0; i < n; i++) {
            t.data[t.offset + i] *= factor;
        }
    }

    @Override
    public void softCap(Tensor x, float cap) {
        CpuTensor t = activation(x, "softCap input");
        int n = t.size();
        for (int i = 0; i < n; i++) {
            t.data[t.offset + i] = cap * (float) Math.tanh(t.data[t.offset + i] / cap);
        }
    }

    @Override
    public void read(Tensor src, float[] dst, int offset) {
        CpuTensor s = activation(src, "read source");
        System.arraycopy(s.data, s.offset, dst, offset, s.size());
    }

    @Override
    public void finish() {
        // Kernels ran as they were recorded.
    }
}
