package dev.unicorn.backend.cpu;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;

/**
 * A fixed set of threads that split a kernel's tasks with the calling thread. Workers spin briefly between
 * kernels (they come in quick succession during a forward pass), then park.
 */
final class WorkerPool implements AutoCloseable {
    /** One kernel's tasks: {@code run(task, worker)} with {@code worker} in {@code [0, threads)}. */
    interface Job {
        void run(int task, int worker);
    }

    private static final long SPIN_NANOS = 50_000;

    private static final class Batch {
        final Job job;
        final int tasks;
        final AtomicInteger next = new AtomicInteger();
        final AtomicInteger remaining;
        /** The first task failure; recorded before its task counts as done, so the caller always sees it. */
        final AtomicReference<Throwable> failure = new AtomicReference<>();

        Batch(Job job, int tasks) {
            this.job = job;
            this.tasks = tasks;
            this.remaining = new AtomicInteger(tasks);
        }

        void work(int worker) {
            int t;
            while ((t = next.getAndIncrement()) < tasks) {
                try {
                    job.run(t, worker);
                } catch (Throwable e) {
                    failure.compareAndSet(null, e);
                } finally {
                    remaining.decrementAndGet();
                }
            }
        }
    }

    private final Thread[] workers;
    private final Thread[] parked;
    private volatile Batch current;
    private volatile boolean closed;

    WorkerPool(int threads) {
        workers = new Thread[threads - 1];
        parked = workers;
        for (int i = 0; i < workers.length; i++) {
            int index = i + 1;
            workers[i] = Thread.ofPlatform().name("unicorn-cpu-" + index).daemon(true).unstarted(() -> loop(index));
            workers[i].start();
        }
    }

    int threads() {
        return workers.length + 1;
    }

    /** Runs tasks {@code 0 .. tasks-1} on all threads and returns when every one is done. */
    void run(int tasks, Job job) {
        if (tasks <= 0) {
            return;
        }
        if (workers.length == 0 || tasks == 1) {
            for (int t = 0; t < tasks; t++) {
                job.run(t, 0);
            }
            return;
        }
        Batch batch = new Batch(job, tasks);
        current = batch;
        for (Thread w : parked) {
            LockSupport.unpark(w);
        }
        batch.work(0);
        while (batch.remaining.get() > 0) {
            Thread.onSpinWait();
        }
        current = null;
        Throwable e = batch.failure.get();
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

    private void loop(int index) {
        Batch done = null;
        long idleSince = System.nanoTime();
        while (!closed) {
            Batch b = current;
            if (b != null && b != done) {
                b.work(index);
                done = b;
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
