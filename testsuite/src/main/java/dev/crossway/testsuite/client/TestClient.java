package dev.crossway.testsuite.client;

import dev.crossway.linux.Fds;
import dev.crossway.protocol.Schema;
import dev.crossway.protocol.SchemaLoader;
import dev.crossway.testsuite.client.ShmBuffers.Pattern;
import dev.crossway.testsuite.client.WaylandClient.ProtocolErrorException;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * The suites' programs on the test client, run where a transport's clients run: in the test's JVM on
 * this machine, in the guest's JVM in a VM. Each finds its compositor as libwayland does
 * ({@code WAYLAND_DISPLAY}, relative to {@code XDG_RUNTIME_DIR}) and prints {@code key=value} lines
 * that the suites read.
 *
 * <pre>
 * scene PATTERN [--resize] [--unsealed] [--pool-size BYTES] [--stop FILE]
 *     draws {@link Scene} over the buffers of PATTERN ({@link Pattern}) with frame callbacks, prints
 *     'drawn ...' once the last frame is on screen, then keeps the window until FILE exists
 * shrink-pool PATTERN
 *     two clients draw; one shrinks its pool's file and commits again; prints the protocol error it got
 *     and what the other drew afterwards
 * keymap                       binds wl_seat 7, prints the keymap fd's format, size, seals and first bytes
 * primary-selection-alias      uses gtk_primary_selection_device_manager; prints its global and any error
 * roundtrips COUNT             wl_display.sync round trips after as many warm-up ones: p50 and p99
 * roundtrip-loop FILE          round trips back to back until FILE exists: their count, p50, p99 and max
 * serve DIR                    runs the programs handed in as DIR/cmd/ID.args, each on a thread of this JVM
 * </pre>
 */
public final class TestClient {
    /** The longest a program keeps its window waiting for its stop file. */
    private static final Duration STOP_WAIT = Duration.ofMinutes(5);
    private static final String GTK_PRIMARY = "gtk_primary_selection_device_manager";
    private static final String ZWP_PRIMARY = "zwp_primary_selection_device_manager_v1";

    private final Map<String, String> env;
    private final PrintStream out;
    private final Schema schema = SchemaLoader.loadBundled();

    private TestClient(Map<String, String> env, PrintStream out) {
        this.env = env;
        this.out = out;
    }

    public static void main(String[] args) {
        System.exit(run(System.getenv(), args, System.out, System.err));
    }

    /** Runs the program {@code args} with the environment {@code env}; returns its exit status (2: bad usage). */
    public static int run(Map<String, String> env, String[] args, PrintStream out, PrintStream err) {
        try {
            new TestClient(env, out).dispatch(args);
            return 0;
        } catch (IllegalArgumentException e) {
            err.println("TestClient: " + e.getMessage());
            return 2;
        } catch (Exception e) {
            e.printStackTrace(err);
            return 1;
        } finally {
            out.flush();
        }
    }

    private void dispatch(String[] args) throws Exception {
        if (args.length == 0) {
            throw new IllegalArgumentException("no program; one of scene, shrink-pool, keymap, primary-selection-alias, roundtrips,"
                    + " roundtrip-loop");
        }
        List<String> rest = new ArrayList<>(Arrays.asList(args).subList(1, args.length));
        switch (args[0]) {
            case "scene" -> scene(Pattern.of(next(rest, "PATTERN")), rest);
            case "shrink-pool" -> shrinkPool(Pattern.of(next(rest, "PATTERN")));
            case "keymap" -> keymap();
            case "primary-selection-alias" -> primarySelectionAlias();
            case "roundtrips" -> {
                try (WaylandClient c = connect()) {
                    out.println(RoundTrips.count(c, Integer.parseInt(next(rest, "COUNT"))).line());
                }
            }
            case "roundtrip-loop" -> {
                Path stop = Path.of(next(rest, "STOP_FILE"));
                try (WaylandClient c = connect()) {
                    out.println("started");
                    out.flush();
                    out.println(RoundTrips.until(c, () -> Files.exists(stop)).line());
                }
            }
            case "serve" -> serve(Path.of(next(rest, "DIR")));
            default -> throw new IllegalArgumentException("unknown program " + args[0]);
        }
    }

    /**
     * Runs the programs handed in as {@code DIR/cmd/ID.args} ({@code # timeout SECONDS}, {@code KEY=VALUE}
     * lines for the environment, {@code --}, then one argument a line), each on a thread of this JVM, and
     * leaves {@code DIR/out/ID.out}, {@code .err} and, last, {@code .rc} with its exit status (124 when its
     * timeout passed first). Where a JVM start is dear (a VM under TCG) a program then costs a thread. Says it
     * is ready with {@code DIR/ready}; ends when {@code DIR/stop} exists.
     */
    private void serve(Path dir) throws IOException, InterruptedException {
        Path cmd = Files.createDirectories(dir.resolve("cmd"));
        Path run = Files.createDirectories(dir.resolve("run"));
        Path outDir = Files.createDirectories(dir.resolve("out"));
        Files.writeString(dir.resolve("ready"), "");
        java.util.concurrent.ScheduledExecutorService watchdog = java.util.concurrent.Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "test-client-watchdog");
            t.setDaemon(true);
            return t;
        });
        while (!Files.exists(dir.resolve("stop"))) {
            List<Path> requests;
            try (var files = Files.list(cmd)) {
                requests = files.filter(f -> f.toString().endsWith(".args")).sorted().toList();
            }
            for (Path request : requests) {
                Path taken = Files.move(request, run.resolve(request.getFileName()));
                String id = taken.getFileName().toString().replace(".args", "");
                List<String> lines = Files.readAllLines(taken, StandardCharsets.UTF_8);
                long seconds = Long.parseLong(lines.get(0).replace("# timeout", "").strip());
                Map<String, String> programEnv = new java.util.HashMap<>(env);
                int i = 1;
                for (; i < lines.size() && !lines.get(i).equals("--"); i++) {
                    String kv = lines.get(i);
                    programEnv.put(kv.substring(0, kv.indexOf('=')), kv.substring(kv.indexOf('=') + 1));
                }
                String[] programArgs = lines.subList(Math.min(i + 1, lines.size()), lines.size()).stream()
                        .filter(l -> !l.isEmpty()).toArray(String[]::new);
                java.util.concurrent.atomic.AtomicBoolean ended = new java.util.concurrent.atomic.AtomicBoolean();
                Thread t = new Thread(() -> {
                    int rc;
                    try (PrintStream o = new PrintStream(Files.newOutputStream(outDir.resolve(id + ".out")), true, StandardCharsets.UTF_8);
                         PrintStream e = new PrintStream(Files.newOutputStream(outDir.resolve(id + ".err")), true, StandardCharsets.UTF_8)) {
                        rc = run(programEnv, programArgs, o, e);
                    } catch (IOException e) {
                        rc = 1;
                    }
                    exitStatus(outDir, id, rc, ended);
                }, "test-client-" + id);
                t.setDaemon(true);
                t.start();
                watchdog.schedule(() -> {
                    t.interrupt();
                    exitStatus(outDir, id, 124, ended);
                }, seconds, java.util.concurrent.TimeUnit.SECONDS);
            }
            Thread.sleep(20);
        }
        watchdog.shutdownNow();
    }

    /** Writes a served program's {@code .rc}, once: whichever of its end and its timeout comes first. */
    private static void exitStatus(Path outDir, String id, int rc, java.util.concurrent.atomic.AtomicBoolean ended) {
        if (!ended.compareAndSet(false, true)) {
            return;
        }
        try {
            Path tmp = outDir.resolve(id + ".rc.tmp");
            Files.writeString(tmp, rc + "\n");
            Files.move(tmp, outDir.resolve(id + ".rc"), java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException("cannot write the exit status of program " + id, e);
        }
    }

    private static String next(List<String> rest, String what) {
        if (rest.isEmpty()) {
            throw new IllegalArgumentException("missing " + what);
        }
        return rest.remove(0);
    }

    /** The compositor's socket as libwayland finds it. */
    private Path socket() {
        String display = env.getOrDefault("WAYLAND_DISPLAY", "wayland-0");
        if (display.startsWith("/")) {
            return Path.of(display);
        }
        String runtime = env.get("XDG_RUNTIME_DIR");
        if (runtime == null) {
            throw new IllegalArgumentException("XDG_RUNTIME_DIR is not set and WAYLAND_DISPLAY (" + display + ") is not a path");
        }
        return Path.of(runtime, display);
    }

    private WaylandClient connect() throws IOException {
        return WaylandClient.connect(socket(), schema);
    }

    private void scene(Pattern pattern, List<String> options) throws Exception {
        boolean resize = options.remove("--resize");
        boolean sealed = !options.remove("--unsealed");
        long poolSize = 0;
        Path stop = null;
        while (!options.isEmpty()) {
            String o = next(options, "option");
            switch (o) {
                case "--pool-size" -> poolSize = Long.parseLong(next(options, "BYTES"));
                case "--stop" -> stop = Path.of(next(options, "FILE"));
                default -> throw new IllegalArgumentException("unknown scene option " + o);
            }
        }
        Scene scene = new Scene(seed(pattern, resize), resize);
        try (WaylandClient c = connect()) {
            int shm = c.bind("wl_shm", 1);
            int surface = c.toplevel("crossway test scene").surface();
            try (ShmBuffers buffers = new ShmBuffers(c, shm, pattern).sealed(sealed).minPoolSize(poolSize)) {
                while (scene.hasNext()) {
                    Scene.Frame f = scene.next();
                    ShmBuffers.Buffer b = buffers.next(f.width(), f.height(), f.damage());
                    for (int[] r : b.missed) {
                        scene.drawInto(b, r);
                    }
                    commit(c, surface, b, f.damage(), f.bufferDamage());
                    buffers.committed(b);
                }
                c.roundtrip();
                out.println("drawn frames=" + Scene.FRAMES + " width=" + scene.width() + " height=" + scene.height());
                out.flush();
                awaitFile(stop);
            }
        }
    }

    /** The seed of the picture a scene of {@code pattern} draws; {@link Scene#replayed} with it gives what the screen must show. */
    public static long seed(Pattern pattern, boolean resize) {
        return pattern.ordinal() * 2L + (resize ? 1 : 0);
    }

    /** Attaches {@code b}, declares {@code damage}, commits and waits for the frame callback. */
    private static void commit(WaylandClient c, int surface, ShmBuffers.Buffer b, int[] damage, boolean bufferDamage)
            throws IOException {
        c.request(surface, "attach", b.id, 0, 0);
        c.request(surface, bufferDamage ? "damage_buffer" : "damage", damage[0], damage[1], damage[2], damage[3]);
        int callback = c.newObject("wl_callback");
        c.request(surface, "frame", callback);
        c.request(surface, "commit");
        c.awaitCallback(callback);
    }

    private static void awaitFile(Path stop) throws InterruptedException {
        if (stop == null) {
            return;
        }
        long deadline = System.nanoTime() + STOP_WAIT.toNanos();
        while (!Files.exists(stop)) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("the stop file " + stop + " did not appear within " + STOP_WAIT.toMinutes() + " min");
            }
            Thread.sleep(50);
        }
    }

    private void shrinkPool(Pattern pattern) throws Exception {
        int w = 64;
        int h = 48;
        int[] whole = {0, 0, w, h};
        try (WaylandClient innocent = connect(); WaylandClient hostile = connect()) {
            int innocentSurface = innocent.toplevel("crossway innocent client").surface();
            int hostileSurface = hostile.toplevel("crossway hostile client").surface();
            ShmBuffers theirs = new ShmBuffers(hostile, hostile.bind("wl_shm", 1), pattern).sealed(false);
            try (ShmBuffers mine = new ShmBuffers(innocent, innocent.bind("wl_shm", 1), Pattern.TWO_ROTATING)) {
                fill(innocent, innocentSurface, mine, w, h, whole, 0x336699);
                fill(hostile, hostileSurface, theirs, w, h, whole, 0x336699);

                ShmBuffers.Buffer shrunk = theirs.shrinkPool();
                hostile.request(hostileSurface, "attach", shrunk.id, 0, 0);
                hostile.request(hostileSurface, "damage", 0, 0, w, h);
                hostile.request(hostileSurface, "commit");
                hostile.flush();
                String error;
                try {
                    while (true) {
                        hostile.dispatch();
                    }
                } catch (ProtocolErrorException e) {
                    error = e.getMessage();
                }
                out.println("error=" + error);
                out.flush();
                for (int i = 0; i < 10; i++) {
                    fill(innocent, innocentSurface, mine, w, h, new int[] {i, 0, 1, 1}, 0x10000 * i);
                }
                innocent.roundtrip();
                out.println("innocent=drew 11 frames");
            } finally {
                theirs.forget(); // the hostile client's connection is gone
            }
        }
    }

    /** One frame of {@code colour} in {@code damage}: buffers catch up with what they missed in the same colour. */
    private static void fill(WaylandClient c, int surface, ShmBuffers buffers, int w, int h, int[] damage, int colour)
            throws IOException {
        ShmBuffers.Buffer b = buffers.next(w, h, damage);
        for (int[] r : b.missed) {
            for (int y = r[1]; y < r[1] + r[3]; y++) {
                for (int x = r[0]; x < r[0] + r[2]; x++) {
                    b.pixels.putInt(b.offset + y * b.stride() + x * 4, 0xff000000 | colour);
                }
            }
        }
        commit(c, surface, b, damage, false);
        buffers.committed(b);
    }

    private void keymap() throws Exception {
        try (WaylandClient c = connect()) {
            int[] keymap = {-1, 0, -1}; // fd, size, format
            c.onEvent(m -> {
                if (m.spec().qualifiedName().equals("wl_keyboard.keymap")) {
                    keymap[0] = m.intArg(1);
                    keymap[1] = m.intArg(2);
                    keymap[2] = m.intArg(0);
                }
            });
            int seat = c.bind("wl_seat", 7);
            int keyboard = c.newObject("wl_keyboard");
            c.request(seat, "get_keyboard", keyboard);
            long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            do {
                c.roundtrip();
            } while (keymap[0] < 0 && System.nanoTime() < deadline);
            if (keymap[0] < 0) {
                out.println("keymap=none");
                return;
            }
            int fd = keymap[0];
            ByteBuffer map = Fds.mapPrivate(fd, keymap[1]);
            byte[] head = new byte[10];
            map.get(0, head);
            Fds.unmap(map);
            out.println("format=" + keymap[2] + " size=" + keymap[1] + " fd_size=" + Fds.size(fd) + " seals=0x"
                    + Integer.toHexString(Fds.seals(fd)) + " head=" + new String(head, StandardCharsets.US_ASCII));
            Fds.close(fd);
        }
    }

    private void primarySelectionAlias() throws Exception {
        try (WaylandClient c = connect()) {
            WaylandClient.Global alias = null;
            WaylandClient.Global zwp = null;
            for (WaylandClient.Global g : c.globals().values()) {
                if (g.interfaceName().equals(GTK_PRIMARY)) {
                    alias = g;
                } else if (g.interfaceName().equals(ZWP_PRIMARY)) {
                    zwp = g;
                }
            }
            out.println("alias_name=" + (alias == null ? "none" : Integer.toUnsignedString(alias.name()))
                    + " alias_version=" + (alias == null ? 0 : alias.version())
                    + " zwp_name=" + (zwp == null ? "none" : Integer.toUnsignedString(zwp.name())));
            if (alias == null) {
                return;
            }
            // The host knows only zwp: a source made through the alias must reach it without a protocol error.
            int manager = c.bind(alias, 1);
            int source = c.newObject("gtk_primary_selection_source");
            c.request(manager, "create_source", source);
            c.request(source, "offer", "text/plain");
            c.request(source, "destroy");
            try {
                c.roundtrip();
                out.println("error=none");
            } catch (ProtocolErrorException e) {
                out.println("error=" + e.getMessage());
            }
        }
    }
}
