package dev.crossway.testsuite.rig;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A client program that runs on a {@link Display} until the test says stop, wherever it runs: a shell
 * waits for a stop file of the display's exchange directory, then sends SIGINT and exits with the
 * program's status. It prints {@code interrupted} when the program was still running then, as a client
 * that draws until asked to leave must be. {@link #close()} asks it to leave without waiting, for a test
 * that failed before it could.
 */
public final class StoppableClient implements AutoCloseable {
    private static final AtomicInteger SEQUENCE = new AtomicInteger();
    // A non-interactive shell starts background commands with SIGINT ignored: env restores its default.
    private static final String SCRIPT = "env --default-signal=INT \"$@\" & pid=$!\n"
            // Half a second: twenty of these polling faster are a load of their own for a VM under TCG.
            + "while [ ! -e \"$STOP_FILE\" ] && kill -0 $pid 2>/dev/null; do sleep 0.5; done\n"
            + "if kill -INT $pid 2>/dev/null; then echo interrupted; fi\n"
            + "wait $pid\n";

    private final ClientRun run;
    private final Path stop;

    private StoppableClient(ClientRun run, Path stop) {
        this.run = run;
        this.stop = stop;
    }

    /** Starts {@code command} on {@code display}; {@code timeout} bounds the whole run, stop included. */
    public static StoppableClient start(Display display, Duration timeout, String... command) {
        Path stop = display.exchange().resolve("stop-client-" + ProcessHandle.current().pid() + "-" + SEQUENCE.incrementAndGet());
        List<String> argv = new ArrayList<>(List.of("sh", "-c", SCRIPT, "sh"));
        argv.addAll(List.of(command));
        ClientCommand c = ClientCommand.of(timeout, argv).withEnv(java.util.Map.of("STOP_FILE", display.pathOf(stop)));
        return new StoppableClient(display.start(c), stop);
    }

    public ClientRun run() {
        return run;
    }

    /** Asks the program to leave (SIGINT). */
    public void stop() {
        try {
            Files.write(stop, new byte[0]);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the stop file " + stop, e);
        }
    }

    /** Asks the program to leave, once, without waiting. */
    @Override
    public void close() {
        if (!Files.exists(stop) && !run.isDone()) {
            stop();
        }
    }

    /** Stops the program and waits for its end; {@code stdout} says {@code interrupted} when it was still running. */
    public Clients.Result stopAndAwait() {
        stop();
        try {
            return run.await();
        } finally {
            try {
                Files.deleteIfExists(stop);
            } catch (IOException ignored) {
                // a stop file left behind is harmless
            }
        }
    }

    /** How long until {@code done}, polled; fails after {@code wait} or when the program ends first. */
    public void await(String what, Duration wait, java.util.function.BooleanSupplier done) {
        long deadline = System.nanoTime() + wait.toNanos();
        while (!done.getAsBoolean()) {
            if (run.isDone()) {
                throw new IllegalStateException("the client ended before " + what + ": " + run.await().describe());
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("no " + what + " within " + wait.toSeconds() + " s");
            }
            Procs.sleep(Duration.ofMillis(100));
        }
    }
}
