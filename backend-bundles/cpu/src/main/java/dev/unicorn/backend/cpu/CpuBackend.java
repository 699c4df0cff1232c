package dev.unicorn.backend.cpu;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

import dev.unicorn.api.backend.ComputeBackend;
import dev.unicorn.api.backend.ComputeQueue;
import dev.unicorn.api.backend.Tensor;
import dev.unicorn.api.weights.DType;
import dev.unicorn.api.weights.WeightTensor;

/** The CPU backend: Vector API kernels over memory-mapped weights, split over a fixed pool of threads. */
@Component(property = ComputeBackend.BACKEND_ID + "=cpu", configurationPid = "dev.unicorn.backend.cpu")
@Designate(ocd = CpuBackend.Config.class)
public final class CpuBackend implements ComputeBackend, AutoCloseable {

    @ObjectClassDefinition(name = "Unicorn CPU backend")
    public @interface Config {
        @AttributeDefinition(description = "Threads for kernels; 0 uses every available processor")
        int threads() default 0;
    }

    private final WorkerPool pool;

    @Activate
    public CpuBackend(Config config) {
        this(config.threads());
    }

    /** A backend with {@code threads} threads (0 for one per available processor). */
    public CpuBackend(int threads) {
        int n = threads > 0 ? threads : Runtime.getRuntime().availableProcessors();
        String env = System.getenv("UNICORN_THREADS");
        if (threads == 0 && env != null && !env.isBlank()) {
            n = Integer.parseInt(env.trim());
        }
        this.pool = new WorkerPool(Math.max(1, n));
    }

    @Deactivate
    @Override
    public void close() {
        pool.close();
    }

    @Override
    public String id() {
        return "cpu";
    }

    @Override
    public String description() {
        return "CPU, " + pool.threads() + " threads, " + MatmulKernel.F.vectorBitSize() + "-bit vectors";
    }

    @Override
    public int rank() {
        return 0;
    }

    @Override
    public boolean supports(DType weightType) {
        return switch (weightType) {
            case F32, BF16, F16, Q8_0, Q4_0, Q4_1, Q5_0, Q5_1, Q4_K, Q5_K, Q6_K -> true;
            default -> false;
        };
    }

    @Override
    public Tensor bind(WeightTensor weight) {
        if (!supports(weight.type())) {
            throw new IllegalArgumentException("tensor '" + weight.name() + "' is " + weight.type()
                    + ", which the CPU backend cannot run");
        }
        long columns = weight.rank() == 0 ? 1 : weight.dim(weight.rank() - 1);
        long rows = columns == 0 ? 0 : weight.elementCount() / columns;
        if (columns % weight.type().blockElements() != 0) {
            throw new IllegalArgumentException("tensor '" + weight.name() + "' has rows of " + columns + " "
                    + weight.type() + " weights, not a whole number of blocks of " + weight.type().blockElements());
        }
        return CpuTensor.mapped(weight.type(), rows, columns, weight.data());
    }

    @Override
    public Tensor allocate(long rows, long columns) {
        return CpuTensor.heap(rows, columns);
    }

    @Override
    public ComputeQueue newQueue() {
        return new CpuQueue(pool);
    }
}
