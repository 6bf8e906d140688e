package dev.crossway.testsuite.rig;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * A headless sway (wlroots 0.15, pixman renderer, no input devices) in a private
 * {@code XDG_RUNTIME_DIR}, for what weston's headless backend lacks: a {@code wl_seat}, clipboards
 * and data-control.
 *
 * <p>sway refuses to run as root, so it runs as {@link #UID} (nobody) through {@code setpriv}, in a
 * runtime directory owned by that uid with mode 0700. Root (the tests, and Crossway started by them)
 * can still connect to its socket. The seat has no keyboard until {@link #holdKeyboard()} makes a
 * virtual one with {@code wtype}; clipboard clients without data-control need it to get focus.
 */
public final class Sway extends HeadlessCompositor {
    /** The programs the rig and the clipboard tests run. */
    public static final List<String> TOOLS = List.of("sway", "setpriv", "wtype", "wl-copy", "wl-paste", "wayland-info");
    /** The unprivileged uid and gid sway and its helpers run as: {@code nobody}/{@code nogroup}. */
    public static final int UID = 65534;
    private static final Duration START_TIMEOUT = Duration.ofSeconds(20);
    private static final Duration KEYBOARD_TIMEOUT = Duration.ofSeconds(10);
    /** sway reads no user config; this one starts no swaybg (it would outlive sway, reparented to init). */
    private static final String CONFIG = "swaybg_command -\n";

    private final List<Process> helpers = new ArrayList<>();
    private String socketName;

    private Sway(Path runtimeDir, Path log, Process process) {
        super("sway", runtimeDir, log, process);
    }

    /** The tools of {@link #TOOLS} that are not on the PATH. */
    public static List<String> missingTools() {
        return TOOLS.stream().filter(t -> !Procs.onPath(t)).toList();
    }

    /** Starts sway as {@link #UID} in a new runtime directory and waits for its Wayland socket. */
    public static Sway start() {
        Path runtimeDir;
        try {
            runtimeDir = Files.createTempDirectory("crossway-it-sway-",
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
            Path config = runtimeDir.resolve("config");
            Files.writeString(config, CONFIG);
            chown(config);
            chown(runtimeDir);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot prepare sway's runtime directory (the tests must run as root"
                    + " to hand it to uid " + UID + ")", e);
        }
        Path log = Procs.newLog("sway");
        ProcessBuilder pb = new ProcessBuilder(unprivileged(runtimeDir, null, Map.of("WLR_BACKENDS", "headless",
                "WLR_LIBINPUT_NO_DEVICES", "1", "WLR_RENDERER", "pixman", "WLR_HEADLESS_OUTPUTS", "1"),
                "sway", "-c", runtimeDir.resolve("config").toString()));
        pb.directory(runtimeDir.toFile()).redirectErrorStream(true).redirectOutput(log.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        Process process;
        try {
            process = pb.start();
        } catch (IOException e) {
            Procs.deleteTree(runtimeDir);
            throw new UncheckedIOException("cannot start sway (is it installed? apt-get install sway)", e);
        }
        Sway sway = new Sway(runtimeDir, log, process);
        try {
            Procs.await("sway's Wayland socket in " + runtimeDir, START_TIMEOUT, process,
                    () -> sway.findSocket().isPresent(), sway::log);
            sway.socketName = sway.findSocket().orElseThrow();
        } catch (RuntimeException e) {
            sway.close();
            throw e;
        }
        return sway;
    }

    /** {@code setpriv} to {@link #UID} with a clean environment: the runtime dir, the display and {@code env}. */
    private static List<String> unprivileged(Path runtimeDir, String display, Map<String, String> env, String... command) {
        List<String> c = new ArrayList<>(List.of("setpriv", "--reuid=" + UID, "--regid=" + UID, "--clear-groups",
                "env", "-i", "PATH=/usr/local/bin:/usr/bin:/bin", "XDG_RUNTIME_DIR=" + runtimeDir));
        if (display != null) {
            c.add("WAYLAND_DISPLAY=" + display);
        }
        env.forEach((k, v) -> c.add(k + "=" + v));
        c.addAll(List.of(command));
        return c;
    }

    private static void chown(Path p) throws IOException {
        Files.setAttribute(p, "unix:uid", UID);
        Files.setAttribute(p, "unix:gid", UID);
    }

    /** sway names its socket itself ({@code wayland-1}, ...): the first socket without a lock file's suffix. */
    private Optional<String> findSocket() {
        Path runtimeDir = runtimeDir();
        try (Stream<Path> s = Files.list(runtimeDir)) {
            return s.map(p -> p.getFileName().toString())
                    .filter(n -> n.startsWith("wayland-") && !n.endsWith(".lock"))
                    .filter(n -> Files.exists(runtimeDir.resolve(n)) && !Files.isRegularFile(runtimeDir.resolve(n)))
                    .sorted().findFirst();
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    /**
     * Makes the seat report a keyboard: starts {@code wtype -s <ms> a} as {@link #UID}, which holds a
     * virtual keyboard while it sleeps (for {@code hold}), and waits until {@code wayland-info} shows
     * the capability. The helper is killed by {@link #close()} before it would type its key.
     */
    public void holdKeyboard(Duration hold) {
        Path wlog = Procs.newLog("wtype");
        ProcessBuilder pb = new ProcessBuilder(unprivileged(runtimeDir(), socketName, Map.of(),
                "wtype", "-s", Long.toString(hold.toMillis()), "a"));
        pb.redirectErrorStream(true).redirectOutput(wlog.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        Process wtype;
        try {
            wtype = pb.start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start wtype (apt-get install wtype)", e);
        }
        helpers.add(wtype);
        Procs.await("a keyboard on sway's seat (wtype's log: " + wlog + ")", KEYBOARD_TIMEOUT, wtype,
                this::seatHasKeyboard, () -> Procs.read(wlog) + "\n" + log());
    }

    /** Whether {@code wayland-info} on sway's socket lists {@code keyboard} among the seat's capabilities. */
    public boolean seatHasKeyboard() {
        Clients.Result r = run(Duration.ofSeconds(10), "wayland-info");
        return r.exitCode() == 0 && r.stdout().lines().anyMatch(l -> l.contains("capabilities:") && l.contains("keyboard"));
    }

    /** sway's window tree as {@code swaymsg -t get_tree} prints it (JSON). */
    public String tree() {
        Path ipc;
        try (Stream<Path> s = Files.list(runtimeDir())) {
            ipc = s.filter(p -> p.getFileName().toString().startsWith("sway-ipc.")).findFirst()
                    .orElseThrow(() -> new IllegalStateException("sway has no IPC socket in " + runtimeDir()));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Clients.Result r = run(Duration.ofSeconds(10), "swaymsg", "-s", ipc.toString(), "-t", "get_tree");
        if (r.exitCode() != 0) {
            throw new IllegalStateException("swaymsg failed: " + r.describe());
        }
        return r.stdout();
    }

    /**
     * The {@code border} sway reports for the window titled {@code title}, or empty when there is none:
     * {@code normal} when sway draws the title bar (server-side decorations), {@code csd} when the client
     * draws its own. In each node sway prints {@code border} before {@code name}, and a node's children after both.
     */
    public Optional<String> border(String title) {
        Matcher m = Pattern.compile("\"border\":\\s*\"(\\w+)\"(?:(?!\"border\").)*?\"name\":\\s*\""
                + Pattern.quote(title) + "\"", Pattern.DOTALL).matcher(tree());
        return m.find() ? Optional.of(m.group(1)) : Optional.empty();
    }

    /** A screenshot of the whole output with {@code grim}. */
    @Override
    public Path screenshot(Path out) {
        Clients.Result r = run(Duration.ofSeconds(20), "grim", out.toString());
        if (r.exitCode() != 0) {
            throw new IllegalStateException("grim failed (apt-get install grim): " + r.describe());
        }
        return out;
    }

    @Override
    public String socketName() {
        return socketName;
    }

    @Override
    public void close() {
        for (Process p : helpers) {
            Procs.terminate(p, Duration.ofSeconds(2));
        }
        super.close();
    }
}
