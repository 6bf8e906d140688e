package dev.crossway.testsuite.rig;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The Crossway daemon of a distribution, run on this machine as an external process with
 * {@code XDG_RUNTIME_DIR} at a directory of the caller's. Its stdout and stderr (the log) go to a file
 * kept under {@code crossway.it.logs}.
 */
public final class Crossway implements Daemon {
    private static final Pattern LISTENING = Pattern.compile("listening on (/\\S+)");
    private static final Duration START_TIMEOUT = Duration.ofSeconds(30);
    private static final Duration STOP_TIMEOUT = Duration.ofSeconds(10);

    private final Process process;
    private final Path runtimeDir;
    private final Path log;
    private Path socketPath;
    private Integer exitCode;
    /** A directory made for this daemon alone, removed with it. */
    private Path owned;

    private Crossway(Process process, Path runtimeDir, Path log) {
        this.process = process;
        this.runtimeDir = runtimeDir;
        this.log = log;
    }

    /**
     * Starts {@code crossway ARGS} of the built distribution with {@code XDG_RUNTIME_DIR=runtimeDir} plus
     * {@code env}, and waits for its {@code listening on <path>} line.
     */
    public static Crossway start(Path runtimeDir, List<String> args, Map<String, String> env) {
        return start(Distributions.built(), runtimeDir, args, env);
    }

    /** As {@link #start(Path, List, Map)}, with the distribution at {@code home}. */
    public static Crossway start(Path home, Path runtimeDir, List<String> args, Map<String, String> env) {
        Crossway c = launch(home, runtimeDir, List.of(), args, env);
        try {
            c.awaitListening(START_TIMEOUT);
        } catch (RuntimeException e) {
            Procs.terminate(c.process, Duration.ofSeconds(2));
            throw e;
        }
        return c;
    }

    /**
     * Starts {@code WRAPPER... crossway ARGS} (e.g. under {@code systemd-socket-activate}) without waiting:
     * a socket-activated daemon starts only when the first client connects.
     */
    public static Crossway launch(Path home, Path runtimeDir, List<String> wrapper, List<String> args, Map<String, String> env) {
        int socketArg = args.indexOf("--socket");
        String socket = socketArg >= 0 && socketArg + 1 < args.size() ? args.get(socketArg + 1) : "default";
        Path log = Procs.newLog("crossway-" + Path.of(socket).getFileName());
        List<String> command = new ArrayList<>(wrapper);
        command.addAll(command(home, args));
        ProcessBuilder pb = new ProcessBuilder(command);
        Procs.waylandEnv(pb, runtimeDir, null, env);
        pb.directory(runtimeDir.toFile()).redirectErrorStream(true).redirectOutput(log.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        try {
            return new Crossway(pb.start(), runtimeDir, log);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + pb.command(), e);
        }
    }

    /** Makes {@link #close()} remove {@code dir} (made for this daemon alone) too; returns this. */
    Crossway owning(Path dir) {
        this.owned = dir;
        return this;
    }

    /** Waits for the daemon's {@code listening on <path>} line; returns this. */
    public Crossway awaitListening(Duration timeout) {
        await("Crossway's 'listening on' line (log " + log + ")", timeout, () -> LISTENING.matcher(Procs.read(log)).find());
        Matcher m = LISTENING.matcher(Procs.read(log));
        m.find();
        socketPath = Path.of(m.group(1));
        return this;
    }

    /** Waits until {@code done} holds, failing with the log's tail if the daemon exits first or after {@code timeout}. */
    public void await(String what, Duration timeout, BooleanSupplier done) {
        Procs.await(what, timeout, process, done, this::log);
    }

    /**
     * Runs {@code crossway ARGS} of the built distribution to its end (e.g. with {@code -- CMD}, or when it
     * should refuse to start), bounded by {@code timeout}.
     */
    public static Clients.Result run(Path runtimeDir, List<String> args, Map<String, String> env, Duration timeout) {
        return run(Distributions.built(), runtimeDir, args, env, timeout);
    }

    /** As {@link #run(Path, List, Map, Duration)}, with the distribution at {@code home}. */
    public static Clients.Result run(Path home, Path runtimeDir, List<String> args, Map<String, String> env, Duration timeout) {
        ProcessBuilder pb = new ProcessBuilder(command(home, args));
        Procs.waylandEnv(pb, runtimeDir, null, env);
        pb.directory(runtimeDir.toFile());
        return Clients.run(pb, null, null, timeout, null);
    }

    private static List<String> command(Path home, List<String> args) {
        List<String> command = new ArrayList<>();
        command.add(Distributions.launcher(home).toString());
        command.addAll(args);
        return command;
    }

    public long pid() {
        return process.pid();
    }

    public ProcessHandle handle() {
        return process.toHandle();
    }

    /** The absolute path from the {@code listening on} line. */
    public Path socketPath() {
        return socketPath;
    }

    /** The socket's file name: what clients in its runtime directory put in WAYLAND_DISPLAY. */
    public String socketName() {
        return socketPath.getFileName().toString();
    }

    /** Clients on this machine, in the daemon's runtime directory, with {@code WAYLAND_DISPLAY} at its socket. */
    @Override
    public Display clients() {
        return new LocalDisplay("guest", runtimeDir, socketPath.toString(), runtimeDir);
    }

    @Override
    public boolean isAlive() {
        return process.isAlive();
    }

    @Override
    public String log() {
        return Procs.read(log);
    }

    @Override
    public Path logFile() {
        return log;
    }

    @Override
    public List<String> awaitClosedClients(int n, Duration timeout) {
        await(n + " 'client N closed:' lines from Crossway", timeout, () -> closedClients().size() >= n);
        return closedClients();
    }

    /** Waits for the daemon to exit by itself (e.g. when it refuses to start); returns its exit status. */
    public int awaitExit(Duration timeout) {
        try {
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                throw new IllegalStateException("Crossway still runs after " + timeout.toMillis() + " ms; last lines of its log:\n"
                        + Procs.tail(log(), 30));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for Crossway to exit", e);
        }
        exitCode = process.exitValue();
        return exitCode;
    }

    /** Sends SIGTERM and waits for the daemon to exit; returns its exit status. */
    public int stop() {
        if (exitCode != null) {
            return exitCode;
        }
        process.destroy();
        try {
            if (!process.waitFor(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
                Procs.terminate(process, Duration.ofSeconds(2));
                throw new IllegalStateException("Crossway did not exit within " + STOP_TIMEOUT.toMillis()
                        + " ms of SIGTERM (killed); last lines of its log:\n" + Procs.tail(log(), 30));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while stopping Crossway", e);
        }
        exitCode = process.exitValue();
        return exitCode;
    }

    @Override
    public ProcStats stats() {
        return ProcStats.of(process.pid());
    }

    @Override
    public void close() {
        if (exitCode == null) {
            Procs.terminate(process, Duration.ofSeconds(5));
        }
        Procs.deleteTree(owned);
    }

    @Override
    public String toString() {
        return "Crossway on " + socketPath + " (pid " + process.pid() + ", log " + log + ")";
    }
}
