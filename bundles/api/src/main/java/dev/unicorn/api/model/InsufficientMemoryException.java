package dev.unicorn.api.model;

/** A model does not fit the memory budget, even after unloading every idle model. */
public class InsufficientMemoryException extends ModelException {
    private static final long serialVersionUID = 1L;

    private final transient MemoryEstimate estimate;
    private final long budgetBytes;
    private final long usedBytes;

    public InsufficientMemoryException(String id, MemoryEstimate estimate, long budgetBytes, long usedBytes) {
        super(String.format(java.util.Locale.ROOT, "model '%s' needs an estimated %.1f MiB (weights %.1f MiB, KV cache "
                + "for %d tokens %.1f MiB, working memory %.1f MiB) but only %.1f MiB of the %.1f MiB memory budget are "
                + "free (%.1f MiB held by models in use)", id, mib(estimate.totalBytes()), mib(estimate.weightBytes()),
                estimate.contextTokens(), mib(estimate.kvCacheBytes()), mib(estimate.workingBytes()),
                mib(Math.max(0, budgetBytes - usedBytes)), mib(budgetBytes), mib(usedBytes)));
        this.estimate = estimate;
        this.budgetBytes = budgetBytes;
        this.usedBytes = usedBytes;
    }

    private static double mib(long bytes) {
        return bytes / 1048576.0;
    }

    public MemoryEstimate estimate() {
        return estimate;
    }

    public long budgetBytes() {
        return budgetBytes;
    }

    /** Bytes held by models that could not be unloaded (in use). */
    public long usedBytes() {
        return usedBytes;
    }
}
