package dev.crossway.it.rig;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The Crossway daemon from the built distribution ({@code app/target/crossway}), run as an external
 * process. Its stdout and stderr (the log) go to a file kept under {@code crossway.it.logs}.
 */
public final class Crossway implements AutoCloseable {
    private static final Pattern LISTENING = Pattern.compile("listening on (/\\S+)");
    private static final Pattern CLOSED = Pattern.compile("client \\d+ closed:");
    private static final Duration START_TIMEOUT = Duration.ofSeconds(30);
    private static final Duration STOP_TIMEOUT = Duration.ofSeconds(10);

    private final Process process;
    private final Path log;
    private Path socketPath;
    private Integer exitCode;

    private Crossway(Process process, Path log) {
        this.process = process;
        this.log = log;
    }

    /** The distribution's home: system property {@code crossway.dist}, else {@code ../app/target/crossway}. */
    public static Path distribution() {
        String dist = System.getProperty("crossway.dist");
        return (dist != null ? Paths.get(dist) : Paths.get("..", "app", "target", "crossway")).toAbsolutePath().normalize();
    }

    /** The launcher, checked to exist. */
    public static Path launcher() {
        return launcher(distribution());
    }

    private static boolean made;

    /**
     * A copy of the distribution with the emulated devices (the VM transports' test-jars, every jar in the
     * directory named by system property {@code crossway.emulator.jars}) added to {@code lib/}: the product
     * plus test-only devices, which a transport uses only when its {@code device-provider} option says
     * {@code emulator}. Made once per test run.
     */
    public static synchronized Path emulatedDistribution() {
        // Made anew on the first call of each test run, so it always holds this build's jars.
        String dir = System.getProperty("crossway.emulator.jars");
        List<Path> jars = new ArrayList<>();
        if (dir != null && Files.isDirectory(Path.of(dir))) {
            try (Stream<Path> found = Files.list(Path.of(dir))) {
                found.filter(p -> p.toString().endsWith(".jar")).sorted().forEach(jars::add);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        if (jars.isEmpty()) {
            throw new IllegalStateException("no emulator jars in " + dir + " (crossway.emulator.jars): build with mvn verify"
                    + " from the repository root");
        }
        Path home = Path.of(System.getProperty("crossway.emulated.dist", "target/crossway-emulated")).toAbsolutePath();
        if (made) {
            return home;
        }
        try {
            if (Files.exists(home)) {
                try (Stream<Path> old = Files.walk(home)) {
                    for (Path f : (Iterable<Path>) old.sorted(java.util.Comparator.reverseOrder())::iterator) {
                        Files.delete(f);
                    }
                }
            }
            Path source = distribution();
            try (Stream<Path> files = Files.walk(source)) {
                for (Path f : (Iterable<Path>) files::iterator) {
                    Path target = home.resolve(source.relativize(f).toString());
                    if (Files.isDirectory(f)) {
                        Files.createDirectories(target);
                    } else {
                        Files.copy(f, target, java.nio.file.StandardCopyOption.COPY_ATTRIBUTES);
                    }
                }
            }
            for (Path jar : jars) {
                Files.copy(jar, home.resolve("lib").resolve(jar.getFileName()));
            }
            made = true;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot make the emulated distribution at " + home, e);
        }
        return home;
    }

    private static Path launcher(Path home) {
        Path bin = home.resolve("bin").resolve("crossway");
        if (!Files.isExecutable(bin)) {
            throw new IllegalStateException("no Crossway distribution at " + bin
                    + ": build it first (mvn -B package, or ./crossway)");
        }
        return bin;
    }

    /**
     * Starts {@code crossway ARGS} with {@code XDG_RUNTIME_DIR=runtimeDir} plus {@code env}, and waits
     * for its {@code listening on <path>} line.
     */
    public static Crossway start(Path runtimeDir, List<String> args, Map<String, String> env) {
        return start(distribution(), runtimeDir, args, env);
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
        Path log = Procs.newLog("crossway-" + Paths.get(socket).getFileName());
        List<String> command = new ArrayList<>(wrapper);
        command.addAll(command(home, args));
        ProcessBuilder pb = new ProcessBuilder(command);
        Procs.waylandEnv(pb, runtimeDir, null, env);
        pb.directory(runtimeDir.toFile()).redirectErrorStream(true).redirectOutput(log.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        try {
            return new Crossway(pb.start(), log);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + pb.command(), e);
        }
    }

    /** Waits for the daemon's {@code listening on <path>} line; returns this. */
    public Crossway awaitListening(Duration timeout) {
        Procs.await("Crossway's 'listening on' line (log " + log + ")", timeout, process,
                () -> LISTENING.matcher(Procs.read(log)).find(), () -> Procs.read(log));
        Matcher m = LISTENING.matcher(Procs.read(log));
        m.find();
        socketPath = Paths.get(m.group(1));
        return this;
    }

    public static Crossway start(Path runtimeDir, String... args) {
        return start(runtimeDir, List.of(args), Map.of());
    }

    /**
     * Runs {@code crossway ARGS} to its end (e.g. with {@code -- CMD}, or when it should refuse to start),
     * bounded by {@code timeout}.
     */
    public static Clients.Result run(Path runtimeDir, List<String> args, Map<String, String> env, Duration timeout) {
        return run(distribution(), runtimeDir, args, env, timeout);
    }

    /** As {@link #run(Path, List, Map, Duration)}, with the distribution at {@code home}. */
    public static Clients.Result run(Path home, Path runtimeDir, List<String> args, Map<String, String> env, Duration timeout) {
        ProcessBuilder pb = new ProcessBuilder(command(home, args));
        Procs.waylandEnv(pb, runtimeDir, null, env);
        pb.directory(runtimeDir.toFile());
        return Clients.run(pb, timeout);
    }

    private static List<String> command(Path home, List<String> args) {
        List<String> command = new ArrayList<>();
        command.add(launcher(home).toString());
        command.addAll(args);
        return command;
    }

    public long pid() {
        return process.pid();
    }

    /** The absolute path from the {@code listening on} line. */
    public Path socketPath() {
        return socketPath;
    }

    /** The socket's file name: what clients put in WAYLAND_DISPLAY. */
    public String socketName() {
        return socketPath.getFileName().toString();
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    /** Everything the daemon has logged so far. */
    public String log() {
        return Procs.read(log);
    }

    public Path logFile() {
        return log;
    }

    /** The {@code client N closed: ...} lines logged so far, from {@code client} on. */
    public List<String> closedClients() {
        return closedClients(log());
    }

    /** The {@code client N closed: ...} lines of a daemon's log, from {@code client} on. */
    public static List<String> closedClients(String log) {
        List<String> lines = new ArrayList<>();
        for (String line : log.lines().toList()) {
            Matcher m = CLOSED.matcher(line);
            if (m.find()) {
                lines.add(line.substring(m.start()));
            }
        }
        return lines;
    }

    /** Waits until at least {@code n} clients have logged their {@code closed:} line. */
    public List<String> awaitClosedClients(int n, Duration timeout) {
        Procs.await(n + " 'client N closed:' lines from Crossway", timeout, process,
                () -> closedClients().size() >= n, this::log);
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

    /** Open fds, threads and resident memory of the daemon, read from /proc. */
    public ProcStats stats() {
        return ProcStats.of(process.pid());
    }

    /** Numbers about a live process, from {@code /proc/<pid>/fd}, {@code status} and {@code task/<tid>/comm}. */
    public record ProcStats(int openFds, int threads, long rssKiB, List<String> threadNames) {
        public static ProcStats of(long pid) {
            Path proc = Paths.get("/proc", Long.toString(pid));
            try {
                int fds;
                try (Stream<Path> s = Files.list(proc.resolve("fd"))) {
                    fds = (int) s.count();
                }
                int threads = -1;
                long rss = -1;
                for (String line : Files.readAllLines(proc.resolve("status"))) {
                    if (line.startsWith("Threads:")) {
                        threads = Integer.parseInt(line.substring(8).trim());
                    } else if (line.startsWith("VmRSS:")) {
                        rss = Long.parseLong(line.substring(6).trim().split("\\s+")[0]);
                    }
                }
                List<String> names = new ArrayList<>();
                try (Stream<Path> s = Files.list(proc.resolve("task"))) {
                    for (Path task : s.toList()) {
                        try {
                            names.add(Files.readString(task.resolve("comm")).trim());
                        } catch (IOException gone) {
                            // the thread ended while we listed
                        }
                    }
                }
                names.sort(null);
                return new ProcStats(fds, threads, rss, List.copyOf(names));
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read /proc for pid " + pid + " (has it exited?)", e);
            }
        }

        @Override
        public String toString() {
            return "fds=" + openFds + " threads=" + threads + " rss=" + rssKiB / 1024 + " MiB";
        }
    }

    @Override
    public void close() {
        if (exitCode == null) {
            Procs.terminate(process, Duration.ofSeconds(5));
        }
    }

    @Override
    public String toString() {
        return "Crossway on " + socketPath + " (pid " + process.pid() + ", log " + log + ")";
    }
}
