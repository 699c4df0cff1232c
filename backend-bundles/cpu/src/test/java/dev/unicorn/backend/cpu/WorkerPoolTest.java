package dev.unicorn.backend.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicIntegerArray;

import org.junit.jupiter.api.Test;

class WorkerPoolTest {

    @Test
    void everyTaskRunsExactlyOnce() {
        try (WorkerPool pool = new WorkerPool(2)) {
            for (int round = 0; round < 50; round++) {
                AtomicIntegerArray runs = new AtomicIntegerArray(37);
                pool.run(37, (task, worker) -> {
                    assertTrue(worker == 0 || worker == 1);
                    runs.incrementAndGet(task);
                });
                for (int t = 0; t < 37; t++) {
                    assertEquals(1, runs.get(t), "task " + t);
                }
            }
        }
    }

    @Test
    void aFailureOnAWorkerThreadReachesTheCaller() throws InterruptedException {
        try (WorkerPool pool = new WorkerPool(2)) {
            for (int round = 0; round < 200; round++) {
                IllegalStateException boom = new IllegalStateException("round " + round);
                CountDownLatch workerStarted = new CountDownLatch(1);
                // The caller takes task 0 and waits there, so the pool's own thread runs task 1 and fails.
                IllegalStateException thrown = assertThrows(IllegalStateException.class, () -> pool.run(2,
                        (task, worker) -> {
                            if (worker != 0) {
                                workerStarted.countDown();
                                throw boom;
                            }
                            try {
                                assertTrue(workerStarted.await(5, TimeUnit.SECONDS));
                            } catch (InterruptedException e) {
                                throw new AssertionError(e);
                            }
                        }), "round " + round);
                assertSame(boom, thrown);
                // The failure belongs to that batch only: the next one succeeds.
                pool.run(4, (task, worker) -> { });
            }
        }
    }

    @Test
    void callersOnSeveralThreadsTakeTurns() throws Exception {
        // Two models decode on their own scheduler threads over one backend: each caller's tasks must all run, once,
        // and only tasks of its own kernel.
        try (WorkerPool pool = new WorkerPool(2)) {
            Thread[] callers = new Thread[3];
            AssertionError[] failure = new AssertionError[1];
            for (int c = 0; c < callers.length; c++) {
                callers[c] = Thread.ofPlatform().start(() -> {
                    for (int round = 0; round < 300; round++) {
                        AtomicIntegerArray runs = new AtomicIntegerArray(23);
                        pool.run(23, (task, worker) -> runs.incrementAndGet(task));
                        for (int t = 0; t < 23; t++) {
                            if (runs.get(t) != 1) {
                                failure[0] = new AssertionError("task " + t + " ran " + runs.get(t) + " times");
                            }
                        }
                    }
                });
            }
            for (Thread t : callers) {
                t.join(60_000);
            }
            if (failure[0] != null) {
                throw failure[0];
            }
        }
    }
}
