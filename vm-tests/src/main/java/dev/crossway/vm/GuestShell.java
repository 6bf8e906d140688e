package dev.crossway.vm;

import dev.crossway.testsuite.rig.ClientRun;
import dev.crossway.testsuite.rig.Clients;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;

/**
 * Runs bash scripts in the guest through the agent's exchange directory: the script goes in as
 * {@code cmd/ID.sh}, its output comes back as {@code out/ID.out}, {@code .err} and {@code .rc}.
 * Scripts run as root with {@code XDG_RUNTIME_DIR=/run/user/0}; several may run at once. The guest's
 * test-client server ({@code TestClient serve}) takes its programs the same way, as {@code cmd/ID.args}
 * in a directory of its own.
 *
 * <p>The guest ends a script after its timeout (status 124) with its whole process group; a command the
 * script runs under a {@code timeout(1)} of its own is in a group of its own, so give that one
 * {@code -k}. The test machine waits {@link #MARGIN} longer, and a guest that has not answered by then
 * is reported as no longer answering.
 */
public final class GuestShell {
    /** What the test machine adds to a script's timeout before it gives up on the guest. */
    static final Duration MARGIN = Duration.ofSeconds(30);
    private static final Duration POLL = Duration.ofMillis(50);

    private final Vm vm;
    private final Path dir;
    private final String suffix;
    private final AtomicInteger ids = new AtomicInteger();

    /** The agent's scripts ({@code .sh}) in the exchange directory, or another reader's requests ({@code suffix}) in {@code dir}. */
    GuestShell(Vm vm, Path dir, String suffix) {
        this.vm = vm;
        this.dir = dir;
        this.suffix = suffix;
    }

    /** Runs {@code script} to its end (at most {@code timeout} in the guest). */
    public Clients.Result run(Duration timeout, String script) {
        return start(timeout, script).await();
    }

    /** Starts {@code script} and returns at once; {@link Running#await()} collects it. */
    public Running start(Duration timeout, String script) {
        String id = String.format("%04d", ids.incrementAndGet());
        long seconds = Math.max(1, (timeout.toMillis() + 999) / 1000);
        Path cmd = dir.resolve("cmd");
        try {
            Files.createDirectories(cmd);
            Path tmp = cmd.resolve(id + ".tmp");
            Files.writeString(tmp, "# timeout " + seconds + "\n" + script + "\n", StandardCharsets.UTF_8);
            Files.move(tmp, cmd.resolve(id + suffix), StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot hand a command to " + vm, e);
        }
        return new Running(id, script, Duration.ofSeconds(seconds));
    }

    /** {@code s} quoted for a POSIX shell. */
    public static String quote(String s) {
        return "'" + s.replace("'", "'\\''") + "'";
    }

    /** Each argument quoted, joined by spaces. */
    public static String quote(List<String> args) {
        StringBuilder b = new StringBuilder();
        for (String a : args) {
            if (b.length() > 0) {
                b.append(' ');
            }
            b.append(quote(a));
        }
        return b.toString();
    }

    /** A script the guest is running. */
    public final class Running implements ClientRun {
        private final String id;
        private final String script;
        private final Duration timeout;
        private final long started = System.nanoTime();

        private Running(String id, String script, Duration timeout) {
            this.id = id;
            this.script = script;
            this.timeout = timeout;
        }

        private Path out(String extension) {
            return dir.resolve("out").resolve(id + extension);
        }

        /** What the script has printed to stdout so far. */
        @Override
        public String stdout() {
            return Vm.readText(out(".out"));
        }

        @Override
        public boolean isDone() {
            return Files.exists(out(".rc"));
        }

        /** Waits until the script's stdout satisfies {@code test}; fails if the script ends first or after {@code wait}. */
        @Override
        public String awaitStdout(String what, Predicate<String> test, Duration wait) {
            long deadline = System.nanoTime() + wait.toNanos();
            while (true) {
                String text = stdout();
                if (test.test(text)) {
                    return text;
                }
                if (isDone()) {
                    if (test.test(stdout())) { // it printed it just before it ended
                        return stdout();
                    }
                    throw new VmException("the guest script ended before " + what + ": " + await().describe());
                }
                checkAlive();
                if (System.nanoTime() > deadline) {
                    throw new VmException("no " + what + " within " + wait.toSeconds() + " s from guest script " + id + " ("
                            + firstLine() + "); its output so far:\n" + text);
                }
                Vm.sleep(POLL);
            }
        }

        /** Waits for the script's end; its status is 124 when the guest's timeout ended it. */
        @Override
        public Clients.Result await() {
            long deadline = started + timeout.plus(MARGIN).toNanos();
            while (!isDone()) {
                checkAlive();
                if (System.nanoTime() > deadline) {
                    throw new VmException(vm + " did not answer: guest script " + id + " (" + firstLine() + ") had not ended "
                            + MARGIN.toSeconds() + " s after its " + timeout.toSeconds() + " s timeout, so the agent no longer"
                            + " answers; QEMU's console: " + vm.consoleLog());
                }
                Vm.sleep(POLL);
            }
            int status;
            try {
                status = Integer.parseInt(Vm.readText(out(".rc")).strip());
            } catch (NumberFormatException e) {
                status = -1;
            }
            return new Clients.Result(List.of("[guest]", script.strip()), status, stdout(), Vm.readText(out(".err")),
                    Duration.ofNanos(System.nanoTime() - started));
        }

        private void checkAlive() {
            if (!vm.isRunning()) {
                throw new VmException(vm + " stopped while guest script " + id + " (" + firstLine() + ") ran; QEMU's console: "
                        + vm.consoleLog());
            }
        }

        private String firstLine() {
            return script.strip().lines().findFirst().orElse("");
        }
    }

}
