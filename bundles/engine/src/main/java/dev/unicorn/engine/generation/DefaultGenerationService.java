package dev.unicorn.engine.generation;

import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

import dev.unicorn.api.generation.Generation;
import dev.unicorn.api.generation.GenerationListener;
import dev.unicorn.api.generation.GenerationRequest;
import dev.unicorn.api.generation.GenerationService;
import dev.unicorn.api.generation.GenerationStatistics;
import dev.unicorn.api.generation.Sampler;
import dev.unicorn.api.generation.SamplingParameters;
import dev.unicorn.api.model.Model;
import dev.unicorn.api.model.ModelException;

/**
 * Continuous batching: the generations of one model share it through one {@link ModelScheduler} thread, which
 * decodes every running sequence of the model in one batched forward step; each sequence has its own KV cache,
 * sampler and stop logic. At most {@code maxRunningPerModel} sequences of a model run at once; further requests wait,
 * at most {@code maxWaiting} over all models, and beyond that {@link #generate} is rejected. Each generation's
 * listener is called on a delivery thread of its own ({@link Delivery}): a slow listener pauses only its own
 * sequence, and one that throws ends only its own generation.
 */
@Component(configurationPid = DefaultGenerationService.PID)
@Designate(ocd = DefaultGenerationService.Config.class)
public final class DefaultGenerationService implements GenerationService {
    static final String PID = "dev.unicorn.generation";

    @ObjectClassDefinition(name = "Unicorn generation service")
    public @interface Config {
        @AttributeDefinition(description = "Sequences of one model decoded together in each batched step", min = "1")
        int maxRunningPerModel() default 8;

        @AttributeDefinition(description = "Requests waiting for a free slot, over all models; more are rejected",
                min = "1")
        int maxWaiting() default 64;
    }

    private final int maxRunningPerModel;
    private final int maxWaiting;
    final Object lock = new Object();
    /** Guarded by {@link #lock}. */
    private final Map<Model, ModelScheduler> schedulers = new IdentityHashMap<>();
    /** Guarded by {@link #lock}. */
    private int waiting;
    private boolean stopped;
    private final AtomicInteger running = new AtomicInteger();
    private final AtomicLong completed = new AtomicLong();
    private final AtomicLong promptTokens = new AtomicLong();
    private final AtomicLong generatedTokens = new AtomicLong();
    private final ThroughputWindow throughput = new ThroughputWindow(System.nanoTime());

    /** A service with the defaults: 8 running sequences per model, 64 waiting requests. */
    public DefaultGenerationService() {
        this(8, 64);
    }

    @Activate
    public DefaultGenerationService(Config config) {
        this(config.maxRunningPerModel(), config.maxWaiting());
    }

    public DefaultGenerationService(int maxRunningPerModel, int maxWaiting) {
        if (maxRunningPerModel < 1 || maxWaiting < 1) {
            throw new IllegalArgumentException(PID + ": maxRunningPerModel (" + maxRunningPerModel
                    + ") and maxWaiting (" + maxWaiting + ") must be at least 1");
        }
        this.maxRunningPerModel = maxRunningPerModel;
        this.maxWaiting = maxWaiting;
    }

    /** Ends every generation (exceptionally) and waits for the scheduler threads to exit. */
    @Deactivate
    public void deactivate() {
        List<ModelScheduler> all;
        synchronized (lock) {
            stopped = true;
            all = List.copyOf(schedulers.values());
            for (ModelScheduler s : all) {
                s.stop(new IllegalStateException("the generation service was stopped"));
                s.wake();
            }
        }
        for (ModelScheduler s : all) {
            awaitExit(s);
        }
    }

    @Override
    public Sampler newSampler(SamplingParameters parameters) {
        return new LogitsSampler(parameters);
    }

    @Override
    public Generation generate(Model model, GenerationRequest request, GenerationListener listener) {
        int vocab = model.network().info().vocabularySize();
        int context = model.network().info().contextLength();
        int[] prompt = request.promptIds();
        for (int i = 0; i < prompt.length; i++) {
            if (prompt[i] < 0 || prompt[i] >= vocab) {
                throw new IllegalArgumentException("prompt token id " + prompt[i] + " at index " + i
                        + " is outside the vocabulary [0, " + vocab + ")");
            }
        }
        if (prompt.length >= context) {
            throw new IllegalArgumentException("the prompt has " + prompt.length + " tokens; the model's context is "
                    + context);
        }
        synchronized (lock) {
            if (stopped) {
                throw new RejectedExecutionException("the generation service is stopped");
            }
            if (waiting >= maxWaiting) {
                throw new RejectedExecutionException(waiting + " requests are already waiting for a free slot, the "
                        + "most " + PID + " maxWaiting allows; retry later");
            }
            ModelScheduler scheduler = schedulers.get(model);
            boolean fresh = scheduler == null;
            if (fresh) {
                scheduler = new ModelScheduler(this, model, maxRunningPerModel);
                schedulers.put(model, scheduler);
            }
            Sequence sequence = new Sequence(scheduler, model, request, listener);
            scheduler.waiting.add(sequence);
            waiting++;
            if (fresh) {
                scheduler.start();
            } else {
                scheduler.wake();
            }
            return sequence;
        }
    }

    @Override
    public void release(Model model) {
        ModelScheduler scheduler;
        synchronized (lock) {
            scheduler = schedulers.remove(model);
            if (scheduler == null) {
                return;
            }
            scheduler.stop(new ModelException(model.location().getFileName() + " was unloaded during the generation"));
            scheduler.wake();
        }
        awaitExit(scheduler);
    }

    private static void awaitExit(ModelScheduler scheduler) {
        if (scheduler.onSchedulerThread()) {
            return; // called on the scheduler thread itself: it stops at its next iteration
        }
        try {
            scheduler.exited().get(60, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (TimeoutException e) {
            throw new IllegalStateException("the scheduler of " + scheduler.modelLocation()
                    + " did not stop within 60 s (a forward step still running?)", e);
        } catch (java.util.concurrent.ExecutionException e) {
            // it failed, but it has exited
        }
    }

    @Override
    public GenerationStatistics statistics() {
        int w;
        synchronized (lock) {
            w = waiting;
        }
        return new GenerationStatistics(running.get(), w, completed.get(), promptTokens.get(), generatedTokens.get(),
                throughput.perSecond(System.nanoTime()));
    }

    /** Under the lock: the scheduler has no more work, or failed; a new request starts a new one. */
    void detach(ModelScheduler scheduler, Model model) {
        schedulers.remove(model, scheduler);
    }

    /** Under the lock. */
    void waitingChanged(int delta) {
        waiting += delta;
    }

    void runningChanged(int delta) {
        running.addAndGet(delta);
    }

    void completed() {
        completed.incrementAndGet();
    }

    void promptTokens(int n) {
        promptTokens.addAndGet(n);
    }

    void generated(int n) {
        generatedTokens.addAndGet(n);
        throughput.add(System.nanoTime(), n);
    }

}
