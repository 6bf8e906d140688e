package dev.crossway.testsuite.rig;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * A headless weston (pixman renderer, {@code --debug} for the screenshooter) in a private
 * {@code XDG_RUNTIME_DIR}. Its stdout and stderr go to a log file kept under {@code crossway.it.logs}.
 */
public final class Weston extends HeadlessCompositor {
    /** The programs the rig runs; weston-simple-shm and weston-screenshooter come with weston. */
    public static final List<String> TOOLS = List.of("weston", "weston-simple-shm", "weston-screenshooter", "wayland-info");
    public static final int WIDTH = 640;
    public static final int HEIGHT = 480;
    private static final Duration START_TIMEOUT = Duration.ofSeconds(20);
    private static final Duration CLIENT_TIMEOUT = Duration.ofSeconds(20);

    private final String socketName;
    private final int width;
    private final int height;

    private Weston(String socketName, int width, int height, Path runtimeDir, Path log, Process process) {
        super("weston", runtimeDir, log, process);
        this.socketName = socketName;
        this.width = width;
        this.height = height;
    }

    /** The tools of {@link #TOOLS} that are not on the PATH. */
    public static List<String> missingTools() {
        return TOOLS.stream().filter(t -> !Procs.onPath(t)).toList();
    }

    public static Weston start(String socketName) {
        return start(socketName, Map.of());
    }

    /**
     * Starts weston with {@code --socket=socketName} in a new private runtime directory and waits
     * for its socket. {@code env} is added to its environment (e.g. {@code WAYLAND_DEBUG=server}
     * to log every request it receives).
     */
    public static Weston start(String socketName, Map<String, String> env) {
        return start(socketName, WIDTH, HEIGHT, env);
    }

    /** As {@link #start(String, Map)}, with an output of {@code width} x {@code height}. */
    public static Weston start(String socketName, int width, int height, Map<String, String> env) {
        return start(socketName, width, height, "--use-pixman", env);
    }

    /** As {@link #start(String, int, int, Map)}, with {@code renderer} ({@code --use-pixman} or {@code --use-gl}). */
    public static Weston start(String socketName, int width, int height, String renderer, Map<String, String> env) {
        Path runtimeDir;
        try {
            runtimeDir = Files.createTempDirectory("crossway-it-",
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Path log = Procs.newLog("weston-" + socketName);
        ProcessBuilder pb = new ProcessBuilder("weston", "--backend=headless-backend.so", "--idle-time=0", "--socket=" + socketName,
                renderer, "--width=" + width, "--height=" + height, "--debug");
        Procs.waylandEnv(pb, runtimeDir, null, env);
        pb.directory(runtimeDir.toFile()).redirectErrorStream(true).redirectOutput(log.toFile());
        Process process;
        try {
            process = pb.start();
        } catch (IOException e) {
            Procs.deleteTree(runtimeDir);
            throw new UncheckedIOException("cannot start weston (is it installed? scripts/test installs it)", e);
        }
        Weston weston = new Weston(socketName, width, height, runtimeDir, log, process);
        try {
            Path socket = weston.socketPath();
            Procs.await("weston's socket " + socket, START_TIMEOUT, process,
                    () -> Files.exists(socket) && !Files.isRegularFile(socket), weston::log);
        } catch (RuntimeException e) {
            weston.close();
            throw e;
        }
        return weston;
    }

    @Override
    public String socketName() {
        return socketName;
    }

    public int width() {
        return width;
    }

    public int height() {
        return height;
    }

    /**
     * Takes a screenshot with weston-screenshooter on weston's own socket and moves the PNG it
     * writes (into its working directory) to {@code out}.
     */
    @Override
    public Path screenshot(Path out) {
        Path cwd = null;
        try {
            cwd = Files.createTempDirectory(runtimeDir(), "shot-");
            ProcessBuilder pb = new ProcessBuilder("weston-screenshooter").directory(cwd.toFile());
            Procs.waylandEnv(pb, runtimeDir(), socketName, Map.of());
            Clients.Result r = Clients.run(pb, null, null, CLIENT_TIMEOUT, null);
            if (r.exitCode() != 0) {
                throw new IllegalStateException("weston-screenshooter failed: " + r.describe()
                        + "\n  weston's log:\n" + Procs.tail(log(), 15));
            }
            Path png;
            try (Stream<Path> files = Files.list(cwd)) {
                png = files.filter(f -> f.toString().endsWith(".png")).findFirst()
                        .orElseThrow(() -> new IllegalStateException("weston-screenshooter wrote no PNG: " + r.describe()));
            }
            if (out.toAbsolutePath().getParent() != null) {
                Files.createDirectories(out.toAbsolutePath().getParent());
            }
            return Files.move(png, out, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            Procs.deleteTree(cwd);
        }
    }
}
