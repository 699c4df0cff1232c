package dev.unicorn.backend.cpu;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;

/**
 * A fixed set of threads that split a kernel's tasks with the calling thread. Workers spin briefly between
 * kernels (they come in quick succession during a forward pass), then park. Nothing is allocated per kernel.
 *
 * <p>Tasks are claimed from one ticket holding the kernel's generation (high 32 bits) and the next task index
 * (low 32 bits). A claim is a compare-and-set of the whole ticket, and a finished generation's ticket is closed
 * before the next kernel's fields are written, so a worker still finishing one kernel never claims a task of the
 * next one.
 */
final class WorkerPool implements AutoCloseable {
    /** One kernel's tasks: {@code run(task, worker)} with {@code worker} in {@code [0, threads)}. */
    interface Job {
        void run(int task, int worker);
    }

    private static final long SPIN_NANOS = 50_000;

    private final Thread[] workers;
    private final AtomicLong ticket = new AtomicLong();
    private final AtomicInteger remaining = new AtomicInteger();
    /** The first task failure of the current kernel; recorded before its task counts as done. */
    private final AtomicReference<Throwable> failure = new AtomicReference<>();
    private Job job;
    private int tasks;
    private int generation;
    private volatile boolean closed;

    WorkerPool(int threads) {
        workers = new Thread[threads - 1];
        for (int i = 0; i < workers.length; i++) {
            int index = i + 1;
            workers[i] = Thread.ofPlatform().name("unicorn-cpu-" + index).daemon(true).unstarted(() -> loop(index));
            workers[i].start();
        }
    }

    int threads() {
        return workers.length + 1;
    }

    /**
     * Runs tasks {@code 0 .. tasks-1} on all threads and returns when every one is done. Callers on several threads
     * (the queues of two models, each decoding on its own scheduler thread) take turns, one kernel at a time.
     */
    synchronized void run(int taskCount, Job kernel) {
        if (taskCount <= 0) {
            return;
        }
        if (workers.length == 0 || taskCount == 1) {
            for (int t = 0; t < taskCount; t++) {
                kernel.run(t, 0);
            }
            return;
        }
        // Every field is written before the ticket publishes the new generation (a volatile write).
        job = kernel;
        tasks = taskCount;
        failure.set(null);
        remaining.set(taskCount);
        generation++;
        ticket.set((long) generation << 32);
        for (Thread w : workers) {
            LockSupport.unpark(w);
        }
        work(generation, 0);
        while (remaining.get() > 0) {
            Thread.onSpinWait();
        }
        // Close the generation before the fields are reused: a worker that read an older ticket of this
        // generation now fails its compare-and-set instead of claiming a task under the next kernel's fields.
        ticket.set(((long) generation << 32) | Integer.MAX_VALUE);
        job = null;
        Throwable e = failure.get();
        if (e != null) {
            if (e instanceof RuntimeException r) {
                throw r;
            }
            if (e instanceof Error err) {
                throw err;
            }
            throw new IllegalStateException(e);
        }
    }

    /** Claims and runs tasks of generation {@code gen} until none is left. */
    private void work(int gen, int worker) {
        while (true) {
            long t = ticket.get();
            int index = (int) t;
            if ((int) (t >>> 32) != gen || index >= tasks) {
                return;
            }
            if (!ticket.compareAndSet(t, t + 1)) {
                continue;
            }
            // The claim succeeded while generation gen was unfinished, so job is still gen's.
            try {
                job.run(index, worker);
            } catch (Throwable e) {
                failure.compareAndSet(null, e);
            } finally {
                remaining.decrementAndGet();
            }
        }
    }

    private void loop(int index) {
        int done = 0;
        long idleSince = System.nanoTime();
        while (!closed) {
            int gen = (int) (ticket.get() >>> 32);
            if (gen != done) {
                work(gen, index);
                done = gen;
                idleSince = System.nanoTime();
            } else if (System.nanoTime() - idleSince < SPIN_NANOS) {
                Thread.onSpinWait();
            } else {
                LockSupport.parkNanos(this, 1_000_000);
            }
        }
    }

    @Override
    public void close() {
        closed = true;
        for (Thread w : workers) {
            LockSupport.unpark(w);
        }
    }
}
