package dev.crossway.testsuite.rig;

import dev.crossway.testsuite.client.TestClient;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Clients on this machine: processes with {@code XDG_RUNTIME_DIR=runtimeDir} and
 * {@code WAYLAND_DISPLAY=display} (a name in the runtime dir, or a path); the test client runs in this
 * JVM, on a thread of its own.
 *
 * @param exchange where files for these clients go: any directory here will do
 */
public record LocalDisplay(String label, Path runtimeDir, String display, Path exchange) implements Display {
    @Override
    public Clients.Result run(ClientCommand command) {
        return Clients.run(processBuilder(command), command.stdin(), command.stdout(), command.timeout(), label);
    }

    @Override
    public ClientRun start(ClientCommand command) {
        return Background.start(processBuilder(command), command.stdin(), command.stdout(), command.timeout());
    }

    private ProcessBuilder processBuilder(ClientCommand command) {
        ProcessBuilder pb = new ProcessBuilder(command.argv());
        Procs.waylandEnv(pb, runtimeDir, display, command.env());
        return pb;
    }

    @Override
    public ClientRun startTestClient(Duration timeout, String... args) {
        Map<String, String> env = new HashMap<>();
        env.put("XDG_RUNTIME_DIR", runtimeDir.toString());
        env.put("WAYLAND_DISPLAY", display);
        return new InProcess(env, args, timeout, label);
    }

    @Override
    public String pathOf(Path file) {
        return file.toAbsolutePath().toString();
    }

    @Override
    public String toString() {
        return label;
    }

    /** A test-client program on a thread of this JVM, its output kept in memory. */
    private static final class InProcess implements ClientRun {
        private final ByteArrayOutputStream out = new ByteArrayOutputStream();
        private final ByteArrayOutputStream err = new ByteArrayOutputStream();
        private final List<String> command;
        private final Duration timeout;
        private final long started = System.nanoTime();
        private final Thread thread;
        private volatile int status = -1;

        InProcess(Map<String, String> env, String[] args, Duration timeout, String label) {
            this.command = new java.util.ArrayList<>(List.of("[" + label + "]", "TestClient"));
            this.command.addAll(List.of(args));
            this.timeout = timeout;
            PrintStream o = new PrintStream(out, true, StandardCharsets.UTF_8);
            PrintStream e = new PrintStream(err, true, StandardCharsets.UTF_8);
            thread = new Thread(() -> status = TestClient.run(env, args, o, e), "test-client-" + args[0]);
            thread.setDaemon(true);
            thread.start();
        }

        @Override
        public String stdout() {
            synchronized (out) {
                return out.toString(StandardCharsets.UTF_8);
            }
        }

        @Override
        public boolean isDone() {
            return !thread.isAlive();
        }

        @Override
        public Clients.Result await() {
            try {
                thread.join(timeout.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for " + command, e);
            }
            Duration elapsed = Duration.ofNanos(System.nanoTime() - started);
            Clients.Result r = new Clients.Result(command, thread.isAlive() ? -1 : status, stdout(), err.toString(StandardCharsets.UTF_8),
                    elapsed);
            if (thread.isAlive()) {
                thread.interrupt();
                throw new IllegalStateException("timed out after " + timeout.toMillis() + " ms: " + r.describe());
            }
            return r;
        }
    }
}
