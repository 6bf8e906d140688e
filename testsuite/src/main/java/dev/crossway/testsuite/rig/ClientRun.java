package dev.crossway.testsuite.rig;

import java.time.Duration;
import java.util.function.Predicate;

/** A client program a {@link Display} started and has not necessarily finished. */
public interface ClientRun {
    /** What it has printed to stdout so far. */
    String stdout();

    boolean isDone();

    /** Waits for its end (bounded by its command's timeout, after which it is ended and reported). */
    Clients.Result await();

    /** Waits until its stdout satisfies {@code test}; fails if it ends first or after {@code wait}. */
    default String awaitStdout(String what, Predicate<String> test, Duration wait) {
        long deadline = System.nanoTime() + wait.toNanos();
        while (true) {
            String text = stdout();
            if (test.test(text)) {
                return text;
            }
            if (isDone()) {
                text = stdout(); // it may have printed it just before it ended
                if (test.test(text)) {
                    return text;
                }
                throw new IllegalStateException("the client ended before " + what + ": " + await().describe());
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("no " + what + " within " + wait.toSeconds() + " s; its output so far:\n" + text);
            }
            Procs.sleep(Duration.ofMillis(20));
        }
    }
}
