package dev.crossway.bench;

import dev.crossway.linux.UnixSocket;
import dev.crossway.protocol.Schema;
import dev.crossway.protocol.SchemaLoader;
import dev.crossway.spi.FdQueue;
import dev.crossway.testsuite.client.WaylandClient;
import dev.crossway.testsuite.rig.Background;
import dev.crossway.testsuite.rig.Clients;
import dev.crossway.testsuite.rig.Crossway;
import dev.crossway.testsuite.rig.Display;
import dev.crossway.testsuite.rig.Distributions;
import dev.crossway.testsuite.rig.LocalDisplay;
import dev.crossway.testsuite.rig.ProcStats;
import dev.crossway.testsuite.rig.Sway;
import dev.crossway.testsuite.rig.Weston;
import dev.crossway.testsuite.rig.WlClipboard;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Runs every workload against a direct weston connection, Crossway in its modes, and waypipe, with
 * the systems alternating within each round, and writes the medians and ratios to direct as Markdown.
 *
 * <pre>
 * Harness [--quick] [--rounds N] [--out FILE] [--before-dist HOME [--before-label TEXT]] --dist CROSSWAY_HOME
 * </pre>
 */
public final class Harness {
    private final boolean quick;
    private final int rounds;
    private final Path dist;
    private final List<Path> emulatorJars;
    /** An earlier build's distribution to compare start-up and memory with ({@code --before-dist}), or null. */
    private Path beforeDist;
    /** What the earlier build is, for the report ({@code --before-label}, e.g. a commit); default its path. */
    private String beforeLabel;
    /** Footprint measure → "before" / "now" → values over rounds. */
    private final Map<String, Map<String, List<Double>>> footprint = new LinkedHashMap<>();
    private final Path work;
    /** The weston every workload's client draws on, through each system. */
    private Path westonSocket;
    private Path emulatedDistribution;
    private final Schema schema = SchemaLoader.loadBundled();
    /** workload → system → values over rounds. */
    private final Map<String, Map<String, List<Double>>> results = new LinkedHashMap<>();
    private final List<String> notes = new ArrayList<>();
    /** The systems this run measured. */
    private final java.util.Set<String> ran = new java.util.LinkedHashSet<>();

    private Harness(boolean quick, int rounds, Path dist, List<Path> emulatorJars, Path work) {
        this.quick = quick;
        this.rounds = rounds;
        this.dist = dist;
        this.emulatorJars = List.copyOf(emulatorJars);
        this.work = work;
    }

    /**
     * The soak's and the VM tier's sections of an existing report ({@code scripts/bench --soak} and
     * {@code scripts/vm-test --update-docs} write them between their markers), kept because this harness does
     * not measure them; empty when there are none.
     */
    static String vmTierSection(Path report) throws java.io.IOException {
        return keptSection(report, Soak.BEGIN, Soak.END) + keptSection(report, "<!-- vm-tier:begin -->", "<!-- vm-tier:end -->");
    }

    /** The part of an existing report between {@code begin} and {@code end}, which another tool writes; empty when none. */
    private static String keptSection(Path report, String beginMarker, String endMarker) throws java.io.IOException {
        String old = Files.exists(report) ? Files.readString(report) : "";
        int begin = old.indexOf(beginMarker);
        int end = old.indexOf(endMarker);
        return begin < 0 || end < begin ? "" : "\n" + old.substring(begin, end + endMarker.length()) + "\n";
    }

    /** The systems whose shm goes through Crossway's copy path. */
    static final java.util.Set<String> COPYING = java.util.Set.of("crossway-separate", "crossway-virtgpu", "crossway-virtwl");
    static final List<String> SYSTEMS = List.of("direct", "crossway-shared", "crossway-separate", "crossway-virtgpu", "crossway-virtwl",
            "waypipe");
    /** The VM transports, measured over their emulated devices: system name → transport name. */
    static final Map<String, String> EMULATED = Map.of("crossway-virtgpu", "virtgpu", "crossway-virtwl", "virtwl");
    /** Device calls per relayed message, by VM transport: the figure's label, and the counters of the daemon's close line. */
    static final Map<String, String[]> DEVICE_CALLS = Map.of(
            "crossway-virtgpu", new String[] {"EXECBUFFERs per relayed message (all workloads)", "execbuffers (\\d+)"},
            "crossway-virtwl", new String[] {"virtwl SEND+RECV ioctls per relayed message (all workloads)",
                    "SEND ioctls (\\d+), RECV ioctls (\\d+)"});

    /**
     * One system under test: where clients connect, the processes that proxy (none for direct), what to stop
     * afterwards, and the Crossway daemon when it is one.
     */
    private record Sut(String name, Path socket, List<ProcessHandle> processes, List<AutoCloseable> parts, Crossway crossway)
            implements AutoCloseable {
        /** CPU time of every process of the system. */
        double cpuMillis() {
            return processes.stream().mapToDouble(ProcStats::cpuMillis).sum();
        }

        @Override
        public void close() throws Exception {
            for (AutoCloseable part : parts) {
                part.close();
            }
        }
    }

    public static void main(String[] args) throws Exception {
        boolean quick = false;
        int rounds = 5;
        Path out = Path.of("docs/BENCHMARKS.md");
        Path dist = Path.of("app/target/crossway");
        List<Path> emulatorJars = new ArrayList<>();
        Path beforeDist = null;
        String beforeLabel = null;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--quick" -> quick = true;
                case "--rounds" -> rounds = Integer.parseInt(args[++i]);
                case "--out" -> out = Path.of(args[++i]);
                case "--dist" -> dist = Path.of(args[++i]);
                case "--emulator-jar" -> emulatorJars.add(Path.of(args[++i]));
                case "--before-dist" -> beforeDist = Path.of(args[++i]).toAbsolutePath();
                case "--before-label" -> beforeLabel = args[++i];
                default -> throw new IllegalArgumentException("unknown option " + args[i]);
            }
        }
        if (quick) {
            rounds = 1;
        }
        Path work = Files.createTempDirectory("crossway-bench");
        Files.setPosixFilePermissions(work, java.nio.file.attribute.PosixFilePermissions.fromString("rwx------"));
        if (System.getProperty("crossway.it.logs") == null) {
            System.setProperty("crossway.it.logs", work.resolve("logs").toString()); // the rig's processes log there
        }
        Harness h = new Harness(quick, rounds, dist.toAbsolutePath(), emulatorJars, work);
        h.beforeDist = beforeDist;
        h.beforeLabel = beforeLabel != null ? beforeLabel : String.valueOf(beforeDist);
        String report = h.run();
        Files.createDirectories(out.toAbsolutePath().getParent());
        Files.writeString(out, report + vmTierSection(out));
        System.out.println(report);
        System.out.println("written to " + out);
        List<String> missing = h.missingResults();
        if (!missing.isEmpty()) {
            System.err.println("bench: " + missing.size() + " workload result(s) missing: " + String.join("; ", missing));
            System.exit(1);
        }
    }

    /** Every workload that did not produce a figure for a system that ran, e.g. after a failure. */
    private List<String> missingResults() {
        List<String> missing = new ArrayList<>(notes.stream().filter(n -> n.contains("failed")).toList());
        for (String measure : FOOTPRINT_ROWS) {
            if (!footprint.getOrDefault(measure, Map.of()).containsKey("now")) {
                missing.add("footprint: " + measure);
            }
        }
        for (var e : results.entrySet()) {
            for (String system : ran) {
                boolean expected = !e.getKey().startsWith("limit:") && (!e.getKey().contains("proxy") || !system.equals("direct"))
                        && (!(e.getKey().contains("RSS") || e.getKey().contains("socket-ready") || e.getKey().contains("schema")) || system.startsWith("crossway"))
                        && DEVICE_CALLS.entrySet().stream().noneMatch(d -> d.getValue()[0].equals(e.getKey()) && !d.getKey().equals(system))
                        && (!e.getKey().startsWith("clipboard") || !system.equals("waypipe"))
                        && (!(e.getKey().startsWith("copied") || e.getKey().startsWith("copy floor")) || COPYING.contains(system))
                        && (!e.getKey().startsWith("gtk3") || system.startsWith("crossway"))
                        && (!e.getKey().equals(GTK_DEVICE_CPU) || EMULATED.containsKey(system));
                if (expected && !e.getValue().containsKey(system)) {
                    missing.add(e.getKey() + " for " + system);
                }
            }
        }
        return missing;
    }

    /** The 1-minute load average when the run started: other work on the machine shares its cores. */
    private final String loadAtStart = loadAverage();

    private static String loadAverage() {
        try {
            return Files.readString(Path.of("/proc/loadavg")).split(" ")[0];
        } catch (IOException e) {
            return "?";
        }
    }

    private String run() throws Exception {
        measureLimits();
        if (!quick) {
            runJmh();
        }
        try (Weston weston = Weston.start("bench-weston", 1920, 1080, Map.of())) {
            westonSocket = weston.socketPath();
            runFootprint();
            List<String> systems = new ArrayList<>(SYSTEMS);
            for (var vm : EMULATED.entrySet()) {
                if (emulatorJars.stream().noneMatch(j -> Files.isRegularFile(j) && j.getFileName().toString().contains(vm.getValue()))) {
                    systems.remove(vm.getKey());
                    notes.add("no " + vm.getValue() + " emulator jar (--emulator-jar): the " + vm.getKey() + " column is missing.");
                }
            }
            if (!onPath("waypipe")) {
                systems.remove("waypipe");
                notes.add("waypipe is not installed: its column is missing.");
            }
            ran.addAll(systems);
            for (int round = 0; round < rounds; round++) {
                // Rotate the order each round so drift on a noisy machine does not favour one system.
                List<String> order = new ArrayList<>(systems);
                java.util.Collections.rotate(order, -round);
                for (String system : order) {
                    System.err.printf("round %d/%d: %s%n", round + 1, rounds, system);
                    try (Sut sut = start(system)) {
                        runWorkloads(sut);
                        if (DEVICE_CALLS.containsKey(system)) {
                            recordDeviceCalls(sut);
                        }
                    } catch (Exception e) {
                        notes.add("round " + (round + 1) + ", " + system + ": failed: " + e.getMessage().lines().findFirst().orElse(""));
                        System.err.println(system + " failed: " + e);
                    }
                }
            }
        }
        runClipboard();
        runGtkIdle();
        runReleasingCompositor();
        return report();
    }

    /** Timed starts in each footprint round (the start-up rows' median is over all of them). */
    private static final int STARTS_PER_ROUND = 11;

    /**
     * The footprint rows every run must fill, in the report's order; the start-up shares read from the
     * log (the schema, Guice) follow them when the daemon logs them.
     */
    private static final List<String> FOOTPRINT_ROWS = List.of("start to socket-ready (ms)", "CPU time to socket-ready (ms)",
            "idle RSS (MiB)", "idle threads", "RSS per idle client, 100 clients (KiB)");

    /**
     * When a process counts as idle: this long after start, past the launcher's first trim of the native
     * heap (every 10 s), which returns what start-up freed; 1 s for a quick run, which only checks the
     * harness works.
     */
    private long idleAfterMs() {
        return quick ? 1000 : 12_000;
    }

    /** The Guice phase of the daemon's {@code start-up: settings 96 ms, socket 69 ms, injector 40 ms, ...} line. */
    private static final java.util.regex.Pattern INJECTOR = java.util.regex.Pattern.compile("start-up: .*injector (\\d+) ms");

    /**
     * Start-up and memory at rest: Crossway (loopback, shared memory) started and stopped once per round,
     * and with {@code --before-dist} an earlier build in alternation. Measures the time from launching
     * {@code bin/crossway} to its {@code listening on} line, the RSS and threads 1 s later, then the RSS
     * added by 100 idle clients (each connected, registry listed, nothing drawn), 2 s after they connected.
     */
    private void runFootprint() throws Exception {
        List<String> variants = new ArrayList<>(List.of("now"));
        if (beforeDist != null) {
            variants.add("before");
        }
        int clients = 100; // as in FOOTPRINT_ROWS
        FOOTPRINT_ROWS.forEach(row -> footprint.put(row, new LinkedHashMap<>()));
        List<String> args = List.of("--transport", "loopback", "--host-display", westonSocket.toString(), "--socket", "bench-footprint");
        for (int round = 0; round < rounds; round++) {
            java.util.Collections.rotate(variants, 1);
            System.err.printf("footprint round %d/%d: start-up of %s%n", round + 1, rounds, variants);
            // Start-up alone, several times a round, the variants' starts alternating one by one: what this machine
            // does meanwhile (it reclaims page cache proactively) then falls on both alike; 5 starts of one build
            // in a row, then 5 of the other, differed by 40 ms from run to run. The first start of each is not
            // counted: it reads the files back into the page cache after the last round's cold starts dropped it.
            for (int start = -1; start < STARTS_PER_ROUND; start++) {
                for (String variant : variants) {
                    try {
                        long t0 = System.nanoTime();
                        try (Crossway p = Crossway.start(footprintHome(variant), work, args, Map.of())) {
                            if (start >= 0) {
                                recordFootprint(FOOTPRINT_ROWS.get(0), variant, (System.nanoTime() - t0) / 1e6);
                                recordFootprint(FOOTPRINT_ROWS.get(1), variant, ProcStats.cpuMillis(p.handle()));
                            }
                        }
                    } catch (Exception e) {
                        footprintFailed(round, variant, "a start", e);
                    }
                }
            }
            for (String variant : variants) {
                Path home = footprintHome(variant);
                System.err.printf("footprint round %d/%d: memory of %s (%s)%n", round + 1, rounds, variant, home);
                try (Crossway p = Crossway.start(home, work, args, Map.of())) {
                    java.util.regex.Matcher schemaReady = SCHEMA_MS.matcher(p.log());
                    if (schemaReady.find()) {
                        recordFootprint("start-up: the schema, from the built-in protocol table (ms)", variant,
                                Double.parseDouble(schemaReady.group(1)));
                    }
                    sleep(300); // the start-up line follows 'listening on'
                    java.util.regex.Matcher injector = INJECTOR.matcher(p.log());
                    if (injector.find()) {
                        recordFootprint("start-up: the Guice injector (ms)", variant, Double.parseDouble(injector.group(1)));
                    }
                    sleep(idleAfterMs() - 300);
                    ProcStats idle = p.stats();
                    recordFootprint(FOOTPRINT_ROWS.get(2), variant, idle.rssMiB());
                    recordFootprint(FOOTPRINT_ROWS.get(3), variant, idle.threads());
                    List<WaylandClient> idleClients = new ArrayList<>();
                    try {
                        for (int i = 0; i < clients; i++) {
                            idleClients.add(WaylandClient.connect(work.resolve("bench-footprint"), schema));
                        }
                        sleep(2000);
                        recordFootprint(FOOTPRINT_ROWS.get(4), variant, (p.stats().rssMiB() - idle.rssMiB()) * 1024 / clients);
                    } finally {
                        idleClients.forEach(WaylandClient::close);
                    }
                } catch (Exception e) {
                    footprintFailed(round, variant, "the memory start", e);
                }
                // The same start with every file read from disk, as after a boot: how much of libjvm.so's text a
                // start maps depends on how its pages came into the page cache (see the footprint section).
                if (dropPageCache()) {
                    try (Crossway p = Crossway.start(home, work, args, Map.of())) {
                        sleep(idleAfterMs());
                        recordFootprint(COLD_RSS, variant, p.stats().rssMiB());
                    } catch (Exception e) {
                        footprintFailed(round, variant, "the cold start", e);
                    }
                }
            }
            recordFootprint("idle RSS of a JVM that only sleeps, with the launcher's flags (MiB)", "now", emptyJvmRssMiB());
        }
    }

    /** The distribution a footprint variant runs: {@code now} is this build, {@code before} the earlier one. */
    private Path footprintHome(String variant) {
        return variant.equals("now") ? dist : beforeDist;
    }

    /** A footprint step that failed: a note in the report (its first line) and the whole exception on stderr. */
    private void footprintFailed(int round, String variant, String step, Exception e) {
        notes.add("footprint round " + (round + 1) + ", " + variant + ", " + step + ": failed: "
                + String.valueOf(e.getMessage()).lines().findFirst().orElse(""));
        System.err.println("footprint " + variant + ", " + step + " failed: " + e);
    }

    private static final String COLD_RSS = "idle RSS, page cache dropped before the start (MiB)";

    /** Writes back and drops the page cache (root only): later reads of a file come from disk. */
    private boolean dropPageCache() {
        if (!"root".equals(System.getProperty("user.name"))) {
            return false;
        }
        try {
            new ProcessBuilder("sync").inheritIO().start().waitFor();
            Files.writeString(Path.of("/proc/sys/vm/drop_caches"), "3\n");
            return true;
        } catch (IOException e) {
            notes.add("the cold-start RSS is not measured: cannot drop the page cache (" + e.getMessage() + ")");
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** RSS {@link #idleAfterMs()} after start of {@link EmptyJvm} run with the JVM defaults of {@code bin/crossway}. */
    private double emptyJvmRssMiB() throws IOException {
        java.util.regex.Matcher defaults = java.util.regex.Pattern.compile("(?m)^defaults=\"([^\"]*)\"")
                .matcher(Files.readString(dist.resolve("bin/crossway")));
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        if (defaults.find()) {
            cmd.addAll(Arrays.asList(defaults.group(1).split(" ")));
        }
        cmd.addAll(List.of("-cp", Path.of(System.getProperty("java.class.path").split(":")[0]).toString(), EmptyJvm.class.getName()));
        try (Background p = Background.start(work, null, Map.of(), cmd)) {
            p.await("the empty JVM's 'ready'", Duration.ofSeconds(30), () -> p.log().contains("ready"));
            sleep(idleAfterMs());
            return ProcStats.of(p.pid()).rssMiB();
        }
    }

    private void recordFootprint(String measure, String variant, double v) {
        footprint.computeIfAbsent(measure, k -> new LinkedHashMap<>()).computeIfAbsent(variant, k -> new ArrayList<>()).add(v);
    }


    /**
     * Clipboard throughput: {@code wl-copy} through each system, {@code wl-paste} directly on a headless
     * sway (run as uid 65534: it refuses root), so the data crosses the system once, guest to host.
     * Crossway is granted the clipboard class (wlr data-control) so wl-copy needs no focus.
     */
    private void runClipboard() throws Exception {
        String label = "clipboard guest → host, " + (quick ? "16" : "256") + " MiB: MiB/s";
        if (!"root".equals(System.getProperty("user.name")) || !onPath("sway") || !onPath("wl-copy") || !onPath("setpriv")) {
            notes.add("clipboard not measured: it needs root (to run sway as uid 65534), sway, wl-clipboard and setpriv.");
            return;
        }
        long size = (quick ? 16L : 256L) << 20;
        Path data = work.resolve("clipboard.bin");
        try (var out = Files.newOutputStream(data)) {
            java.util.Random random = new java.util.Random(1);
            byte[] chunk = new byte[1 << 20];
            for (long done = 0; done < size; done += chunk.length) {
                random.nextBytes(chunk);
                out.write(chunk);
            }
        }
        try (Sway sway = Sway.start()) {
            List<String> order = new ArrayList<>(ran);
            // Tried here: with wl-copy behind waypipe 0.8.4, wl-paste on sway never finished (it waited
            // past 120 s), so waypipe has no clipboard figure.
            if (order.remove("waypipe")) {
                notes.add("clipboard: waypipe 0.8.4 is left out: with wl-copy behind it, wl-paste on sway did not finish within 120 s when tried.");
            }
            for (int round = 0; round < rounds; round++) {
                java.util.Collections.rotate(order, -1);
                for (String system : order) {
                    System.err.printf("clipboard round %d/%d: %s%n", round + 1, rounds, system);
                    try (Sut sut = start(system, sway.socketPath(), List.of("--grant", "clipboard"), false)) {
                        record(label, system, clipboardOnce(sut.socket(), sway.display(), data, size));
                    } catch (Exception e) {
                        notes.add("clipboard round " + (round + 1) + ", " + system + ": failed: "
                                + String.valueOf(e.getMessage()).lines().findFirst().orElse(""));
                        System.err.println(system + " clipboard failed: " + e);
                    }
                }
            }
        }
    }

    /**
     * Crossway's CPU while an idle gtk3-widget-factory (two spinners animate on its first page) runs
     * through it on a headless sway: the case where GTK3 makes a new pool and buffer every frame. Per
     * system, the proxy's CPU over a measured span after a settling span, and on separate memory the
     * bytes copied per byte damaged from the client's close line.
     */
    private static final java.util.regex.Pattern COMMIT_REQUEST = java.util.regex.Pattern.compile("-> wl_surface@\\d+\\.commit\\(\\)");

    /** {@code wl_surface.commit} requests in a client's WAYLAND_DEBUG log. */
    static long commits(String log) {
        return COMMIT_REQUEST.matcher(log).results().count();
    }

    /**
     * Runs of gtk3-widget-factory per system and round, the systems alternating run by run: this machine's
     * CPU cost of a context switch moves by half within minutes, and one run of each compared them poorly.
     */
    private static final int GTK_RUNS_PER_ROUND = 3;

    private void runGtkIdle() throws Exception {
        String label = "gtk3-widget-factory idle on sway: proxy CPU (% of a core)";
        if (!"root".equals(System.getProperty("user.name")) || !onPath("sway") || !onPath("setpriv") || !onPath("gtk3-widget-factory")) {
            notes.add("gtk3-widget-factory idle not measured: it needs root (to run sway as uid 65534), sway, setpriv and gtk-3-examples.");
            return;
        }
        double settle = quick ? 2 : 5;
        double span = quick ? 3 : 10;
        int runs = rounds * (quick ? 1 : GTK_RUNS_PER_ROUND);
        try (Sway sway = Sway.start()) {
            List<String> order = new ArrayList<>(ran);
            order.removeIf(x -> !x.startsWith("crossway") && !x.equals("direct"));
            for (int run = 0; run < runs; run++) {
                java.util.Collections.rotate(order, -1);
                for (String system : order) {
                    System.err.printf("gtk3-widget-factory run %d/%d: %s%n", run + 1, runs, system);
                    boolean direct = system.equals("direct");
                    try (Sut sut = direct ? null : start(system, sway.socketPath(), List.of(), false)) {
                        int closedBefore = direct ? 0 : closeLines(sut).size();
                        String display = direct ? sway.socketPath().toString() : sut.socket().toString();
                        // WAYLAND_DEBUG: the app's own log of its requests, to count its commits. How often it draws
                        // depends on when its buffers come back: a proxy that releases them early lets it draw more.
                        try (Background app = Background.start(work, display, Map.of("GDK_BACKEND", "wayland", "WAYLAND_DEBUG", "1"),
                                List.of("gtk3-widget-factory"))) {
                            sleep((long) (settle * 1000));
                            if (!app.isAlive()) {
                                throw new IOException("gtk3-widget-factory exited: " + app.log());
                            }
                            double cpu0 = direct ? 0 : sut.cpuMillis();
                            double device0 = direct ? 0 : emulatedDeviceCpuMillis(sut);
                            long commits0 = commits(app.log());
                            long t0 = System.nanoTime();
                            sleep((long) (span * 1000));
                            double device = direct ? 0 : emulatedDeviceCpuMillis(sut) - device0;
                            double cpu = direct ? 0 : sut.cpuMillis() - cpu0 - device;
                            long commits = commits(app.log()) - commits0;
                            double seconds = (System.nanoTime() - t0) / 1e9;
                            record("gtk3-widget-factory idle on sway: the app's commits per second", system, commits / seconds);
                            if (!direct) {
                                record(label, system, 100 * cpu / (seconds * 1000));
                                if (commits > 0) {
                                    record("gtk3-widget-factory idle on sway: proxy CPU per commit (ms)", system, cpu / commits);
                                }
                            }
                            if (EMULATED.containsKey(system) && commits > 0) {
                                record(GTK_DEVICE_CPU, system, device / commits);
                            }
                        }
                        if (!direct && !system.equals("crossway-shared")) {
                            java.util.regex.Matcher m = SHM_COUNTERS.matcher(awaitCloseLine(sut, closedBefore));
                            if (m.find()) {
                                record("copied ÷ damaged bytes: gtk3-widget-factory idle on sway", system,
                                        Double.parseDouble(m.group(2)) / Double.parseDouble(m.group(3)));
                            }
                        }
                    } catch (Exception e) {
                        notes.add("gtk3-widget-factory run " + (run + 1) + ", " + system + ": failed: "
                                + String.valueOf(e.getMessage()).lines().findFirst().orElse(""));
                        System.err.println(system + " gtk3-widget-factory failed: " + e);
                    }
                }
            }
        }
    }

    private static final String GTK_DEVICE_CPU = "gtk3-widget-factory idle on sway: the emulated device's threads, CPU per commit (ms)";

    /**
     * CPU time of the emulated device's own threads ({@code virtgpu-emulator-...}, {@code virtwl-emulator-...})
     * in a system's daemon: the host's side of the VM, which a real VM runs in its VMM, not in the guest.
     */
    private static double emulatedDeviceCpuMillis(Sut sut) {
        if (!EMULATED.containsKey(sut.name())) {
            return 0;
        }
        return sut.processes().stream().mapToDouble(p -> ProcStats.threadCpuMillis(p.pid(), "-emulat")).sum();
    }

    /** Copies {@code data} through {@code guest}, pastes it directly on the host; MiB/s of the paste. */
    private double clipboardOnce(Path guest, Display host, Path data, long size) throws Exception {
        Display through = new LocalDisplay("guest", work, guest.toString(), work);
        Clients.Result copy = WlClipboard.copy(through, data, false, Duration.ofSeconds(60));
        if (copy.exitCode() != 0) {
            throw new IOException("wl-copy through " + guest + " failed: " + copy.describe());
        }
        Path pasted = work.resolve("pasted.bin");
        try {
            Clients.Result paste = WlClipboard.paste(host, pasted, false, Duration.ofSeconds(120));
            if (paste.exitCode() != 0) {
                throw new IOException("wl-paste on the host failed: " + paste.describe());
            }
            if (Files.size(pasted) != size || Files.mismatch(data, pasted) != -1) {
                throw new IOException("the pasted " + Files.size(pasted) + " bytes differ from the " + size + " copied");
            }
            return size / (double) (1 << 20) / (paste.elapsed().toNanos() / 1e9);
        } finally {
            WlClipboard.clear(through, false, Duration.ofSeconds(10));
        }
    }

    /**
     * Copies per byte damaged against a compositor that releases a buffer once it has read it: weston with
     * its GL renderer (Mesa's llvmpipe here), which uploads a shm buffer at the repaint and releases it
     * then, unlike pixman, which reads it until the next commit replaces it. Clients draw as toolkits do,
     * each frame after the previous one's frame callback; every buffer pattern, on every copying system.
     */
    private void runReleasingCompositor() throws Exception {
        List<String> order = new ArrayList<>(ran);
        order.retainAll(COPYING);
        if (order.isEmpty()) {
            return;
        }
        Weston weston;
        try {
            weston = Weston.start("bench-weston-gl", 1920, 1080, "--use-gl", Map.of());
        } catch (RuntimeException e) {
            notes.add("weston's GL renderer did not start (it needs Mesa's llvmpipe: libgl1-mesa-dri), so the frame-paced copy rows"
                    + " are missing: " + String.valueOf(e.getMessage()).lines().findFirst().orElse(""));
            return;
        }
        try (weston) {
            for (int round = 0; round < rounds; round++) {
                java.util.Collections.rotate(order, -1);
                for (String system : order) {
                    System.err.printf("frame-paced on weston GL, round %d/%d: %s%n", round + 1, rounds, system);
                    try (Sut sut = start(system, weston.socketPath(), List.of(), false)) {
                        for (Workloads.BufferPattern pattern : Workloads.BufferPattern.values()) {
                            int closedBefore = closeLines(sut).size();
                            capture(() -> Workloads.shm(schema, sut.socket(), 1920, 1080, quick ? 20 : 150, 1, pattern, true, true, false));
                            java.util.regex.Matcher m = SHM_COUNTERS.matcher(awaitCloseLine(sut, closedBefore));
                            if (m.find()) {
                                record("copied ÷ damaged bytes, frame-paced on weston with its GL renderer: 1 % damage, "
                                        + pattern.name().toLowerCase(java.util.Locale.ROOT).replace('_', ' '), system,
                                        Double.parseDouble(m.group(2)) / Double.parseDouble(m.group(3)));
                            }
                        }
                    } catch (Exception e) {
                        notes.add("frame-paced on weston GL, round " + (round + 1) + ", " + system + ": failed: "
                                + String.valueOf(e.getMessage()).lines().findFirst().orElse(""));
                        System.err.println(system + " frame-paced on weston GL failed: " + e);
                    }
                }
            }
        }
    }

    private Sut start(String system) throws Exception {
        return start(system, westonSocket, List.of(), true);
    }

    /**
     * Starts {@code system} in front of the compositor socket {@code weston} (any compositor), with extra
     * Crossway arguments; {@code measure}: record start-up time and idle RSS.
     */
    private Sut start(String system, Path weston, List<String> crosswayArgs, boolean measure) throws Exception {
        switch (system) {
            case "direct" -> {
                return new Sut(system, weston, List.of(), List.of(), null);
            }
            case "crossway-shared", "crossway-separate", "crossway-virtgpu", "crossway-virtwl" -> {
                String name = "bench-" + system;
                List<String> args = new ArrayList<>();
                Map<String, String> env = new java.util.HashMap<>();
                String vm = EMULATED.get(system);
                if (vm != null) {
                    args.addAll(List.of("--transport", vm));
                    env.put("CROSSWAY_TRANSPORTS__" + vm.toUpperCase(java.util.Locale.ROOT) + "__DEVICE_PROVIDER", "emulator");
                } else {
                    args.addAll(List.of("--transport", "loopback", "--memory", system.substring("crossway-".length())));
                }
                args.addAll(List.of("--host-display", weston.toString(), "--socket", name));
                args.addAll(crosswayArgs);
                long t0 = System.nanoTime();
                Crossway p = Crossway.start(vm != null ? emulatedDistribution() : dist, work, args, env);
                if (measure) {
                    recordStartup(results, system, p, t0);
                }
                return new Sut(system, work.resolve(name), List.of(p.handle()), List.of(p), p);
            }
            case "waypipe" -> {
                Path control = work.resolve("waypipe.sock");
                Files.deleteIfExists(control);
                Background client = Background.start(work, weston.toString(), Map.of(),
                        List.of("waypipe", "--socket", control.toString(), "client"));
                client.await("waypipe client's socket", Duration.ofSeconds(10), () -> Files.exists(control));
                Path socket = work.resolve("bench-waypipe");
                Files.deleteIfExists(socket); // left by the previous round's server
                Background server = Background.start(work, null, Map.of(), List.of("waypipe", "--socket", control.toString(), "--display",
                        "bench-waypipe", "server", "--", "sleep", "100000"));
                server.await("waypipe server's socket", Duration.ofSeconds(10), () -> Files.exists(socket));
                // Both waypipe processes do the proxying; the client side talks to weston.
                return new Sut(system, socket, List.of(server.handle(), client.handle()), List.of(server, client), null);
            }
            default -> throw new IllegalArgumentException(system);
        }
    }

    private static final java.util.regex.Pattern SCHEMA_MS =
            java.util.regex.Pattern.compile("(?:schema ready|loaded \\d+ interfaces).* in (\\d+) ms");

    /**
     * Start-up to the socket, the CPU time that took (less sensitive than the wall clock to other load on the
     * machine), the schema's share (from the daemon's own log line) and idle RSS {@link #idleAfterMs()} later, of the
     * Crossway {@code p} launched at {@code t0}.
     */
    private void recordStartup(Map<String, Map<String, List<Double>>> into, String system, Crossway p, long t0) {
        double ms = (System.nanoTime() - t0) / 1e6;
        double cpu = ProcStats.cpuMillis(p.handle());
        into.computeIfAbsent("startup to socket-ready (ms)", k -> new TreeMap<>()).computeIfAbsent(system, k -> new ArrayList<>()).add(ms);
        into.computeIfAbsent("CPU time to socket-ready (ms)", k -> new TreeMap<>()).computeIfAbsent(system, k -> new ArrayList<>()).add(cpu);
        java.util.regex.Matcher m = SCHEMA_MS.matcher(p.log());
        if (m.find()) {
            into.computeIfAbsent("schema ready at start (ms)", k -> new TreeMap<>()).computeIfAbsent(system, k -> new ArrayList<>())
                    .add(Double.parseDouble(m.group(1)));
        }
        sleep(idleAfterMs());
        into.computeIfAbsent("idle RSS (MiB)", k -> new TreeMap<>()).computeIfAbsent(system, k -> new ArrayList<>()).add(p.stats().rssMiB());
    }

    private void runWorkloads(Sut sut) throws Exception {
        String s = sut.name();
        int count = quick ? 500 : 20000;
        String line = capture(() -> Workloads.roundtrip(schema, sut.socket(), count));
        record("round trip p50 (µs)", s, value(line, "p50_us"));
        record("round trip p99 (µs)", s, value(line, "p99_us"));
        for (int clients : quick ? new int[] {1, 10} : new int[] {1, 10, 100}) {
            line = capture(() -> Workloads.clients(schema, sut.socket(), clients, quick ? 0.5 : 3));
            record(clients + " clients: round trips/s", s, value(line, "roundtrips_per_s"));
        }
        for (double pct : new double[] {100, 1}) {
            int frames = quick ? 20 : 1000;
            String label = pct >= 100 ? "1920×1080 full damage" : "1920×1080 1 % damage";
            shmWorkload(sut, label, frames, pct, Workloads.BufferPattern.ROTATING);
            if (s.equals("direct")) {
                // The floor of every copy path here: the client copies as a copying proxy must, and no proxy relays.
                String copying = capture(() -> Workloads.shm(schema, sut.socket(), 1920, 1080, frames, pct, Workloads.BufferPattern.ROTATING,
                        true, false, true));
                record("limit: " + label + ", the client copying what a proxy must copy (no proxy): frames/s", s, value(copying, "fps"));
            }
        }
        shmWorkload(sut, "1920×1080 1 % damage, unsealed pools (read with process_vm_readv)", quick ? 20 : 1000, 1, Workloads.BufferPattern.ROTATING,
                false);
        shmWorkload(sut, "1920×1080 1 % damage, new pool and buffer every frame", quick ? 20 : 300, 1, Workloads.BufferPattern.NEW_POOL);
        if (COPYING.contains(s)) {
            // Only the copy counters matter here: what each buffer pattern costs in copies.
            shmWorkload(sut, "1920×1080 1 % damage, new wl_buffer every frame", quick ? 20 : 300, 1, Workloads.BufferPattern.NEW_BUFFER);
            shmWorkload(sut, "1920×1080 ⇄ 1600×900 every 50 frames, 1 % damage", quick ? 60 : 300, 1, Workloads.BufferPattern.RESIZE);
        }
        if (sut.crossway() != null) {
            List<WaylandClient> many = new ArrayList<>();
            try {
                for (int i = 0; i < 100; i++) {
                    many.add(WaylandClient.connect(sut.socket(), schema));
                }
                record("RSS with 100 clients (MiB)", s, sut.crossway().stats().rssMiB());
            } finally {
                many.forEach(WaylandClient::close);
            }
        }
    }

    /**
     * Runs one shm workload on {@code sut}: frames per second, the proxy's CPU per frame, and for Crossway
     * with separate memory the bytes it copied per byte damaged, from the client's close line.
     */
    private void shmWorkload(Sut sut, String label, int frames, double pct, Workloads.BufferPattern pattern) throws Exception {
        shmWorkload(sut, label, frames, pct, pattern, true);
    }

    private void shmWorkload(Sut sut, String label, int frames, double pct, Workloads.BufferPattern pattern, boolean sealed)
            throws Exception {
        String s = sut.name();
        double cpu0 = sut.cpuMillis();
        int closedBefore = sut.crossway() == null ? 0 : closeLines(sut).size();
        String line = capture(() -> Workloads.shm(schema, sut.socket(), 1920, 1080, frames, pct, pattern, sealed));
        if (pattern != Workloads.BufferPattern.NEW_BUFFER && pattern != Workloads.BufferPattern.RESIZE) {
            record(label + ": frames/s", s, value(line, "fps"));
            if (!sut.processes().isEmpty()) {
                // Includes the 20 warm-up frames, hence frames + 20.
                record(label + ": proxy CPU per frame (ms)", s, (sut.cpuMillis() - cpu0) / (frames + 20));
            }
        }
        if (COPYING.contains(s)) {
            java.util.regex.Matcher m = SHM_COUNTERS.matcher(awaitCloseLine(sut, closedBefore));
            if (m.find()) {
                record("copied ÷ damaged bytes: " + label.replace("1920×1080 ", ""), s,
                        Double.parseDouble(m.group(2)) / Double.parseDouble(m.group(3)));
            }
            record("copy floor ÷ damaged bytes: " + label.replace("1920×1080 ", ""), s,
                    value(line, "floor_bytes") / value(line, "damaged_bytes"));
        }
    }

    private static final java.util.regex.Pattern SHM_COUNTERS =
            java.util.regex.Pattern.compile("shm (\\d+) commits, (\\d+) B copied of (\\d+) B damaged");

    private static List<String> closeLines(Sut sut) {
        return sut.crossway() == null ? List.of() : sut.crossway().log().lines().filter(l -> l.contains(" closed: ")).toList();
    }

    /** The first close line after the first {@code before} of a client that committed (others may close late). */
    private static String awaitCloseLine(Sut sut, int before) {
        java.util.function.Supplier<String> find = () -> {
            List<String> lines = closeLines(sut);
            for (String l : lines.subList(Math.min(before, lines.size()), lines.size())) {
                java.util.regex.Matcher m = SHM_COUNTERS.matcher(l);
                if (m.find() && !m.group(1).equals("0")) {
                    return l;
                }
            }
            return null;
        };
        sut.crossway().await("the workload client's close line", Duration.ofSeconds(10), () -> find.get() != null);
        return find.get();
    }

    /**
     * Device calls (EXECBUFFERs, or virtwl's SEND and RECV ioctls) per relayed Wayland message over every
     * client of this round, from the daemon's close lines ({@code requests N msgs/..., events M msgs/...,
     * ..., execbuffers E}).
     */
    private void recordDeviceCalls(Sut sut) {
        sleep(500); // the last clients' close lines
        String[] figure = DEVICE_CALLS.get(sut.name());
        java.util.regex.Pattern line = java.util.regex.Pattern.compile("requests (\\d+) msgs/\\d+ B, events (\\d+) msgs/.*" + figure[1]);
        long messages = 0;
        long calls = 0;
        for (String l : sut.crossway().log().lines().toList()) {
            java.util.regex.Matcher m = line.matcher(l);
            if (m.find()) {
                messages += Long.parseLong(m.group(1)) + Long.parseLong(m.group(2));
                for (int g = 3; g <= m.groupCount(); g++) {
                    calls += Long.parseLong(m.group(g));
                }
            }
        }
        if (messages > 0) {
            record(figure[0], sut.name(), (double) calls / messages);
        }
    }

    /** A copy of the distribution with the emulator jars in lib/ (test-only devices, used only when named). */
    private Path emulatedDistribution() {
        if (emulatedDistribution == null) {
            emulatedDistribution = Distributions.withJars(dist, emulatorJars, work.resolve("crossway-emulated"));
        }
        return emulatedDistribution;
    }

    static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** JMH micro-benchmarks of the hot paths, in a forked JVM each: name → (score, error, unit, allocation per op). */
    private final Map<String, String[]> jmh = new LinkedHashMap<>();

    private void runJmh() throws Exception {
        System.err.println("JMH micro-benchmarks (dev.crossway.bench.jmh)");
        var options = new org.openjdk.jmh.runner.options.OptionsBuilder()
                .include("dev\\.crossway\\.bench\\.jmh\\..*")
                .addProfiler(org.openjdk.jmh.profile.GCProfiler.class)
                .jvmArgsAppend("-Dorg.slf4j.simpleLogger.defaultLogLevel=warn")
                .build();
        Map<String, Double> alloc = new java.util.HashMap<>();
        for (var r : new org.openjdk.jmh.runner.Runner(options).run()) {
            var primary = r.getPrimaryResult();
            String name = r.getParams().getBenchmark().replace("dev.crossway.bench.jmh.", "");
            java.util.List<String> params = new java.util.ArrayList<>();
            for (String key : r.getParams().getParamsKeys()) {
                params.add(key + "=" + r.getParams().getParam(key));
            }
            if (!params.isEmpty()) {
                name += " (" + String.join(", ", params) + ")";
            }
            var norm = r.getSecondaryResults().get("gc.alloc.rate.norm");
            jmh.put(name, new String[] {String.format("%.3f", primary.getScore()), String.format("%.3f", primary.getScoreError()),
                    primary.getScoreUnit(), norm == null ? "n/a" : String.format("%.1f", norm.getScore())});
        }
    }

    /** The physical limits the figures are compared with. */
    private void measureLimits() throws Exception {
        int frame = 1920 * 1080 * 4;
        ByteBuffer src = ByteBuffer.allocateDirect(frame);
        ByteBuffer dst = ByteBuffer.allocateDirect(frame);
        long[] ns = new long[quick ? 20 : 200];
        for (int i = -10; i < ns.length; i++) {
            long t0 = System.nanoTime();
            dst.put(0, src, 0, frame);
            if (i >= 0) {
                ns[i] = System.nanoTime() - t0;
            }
        }
        Arrays.sort(ns);
        double ms = ns[ns.length / 2] / 1e6;
        record("limit: copy of one 1920×1080×4 frame (ms)", "direct", ms);
        record("limit: memcpy bandwidth (GB/s)", "direct", frame / (ms / 1e3) / 1e9);
        // As a proxy copies: a frame another core has just painted, by one thread or split over two.
        ByteBuffer paint = ByteBuffer.allocateDirect(frame);
        var painter = java.util.concurrent.Executors.newSingleThreadExecutor();
        var helper = java.util.concurrent.Executors.newSingleThreadExecutor();
        try {
            for (int threads = 1; threads <= 2; threads++) {
                for (int i = -10; i < ns.length; i++) {
                    painter.submit(() -> src.put(0, paint, 0, frame)).get();
                    long t0 = System.nanoTime();
                    if (threads == 1) {
                        dst.put(0, src, 0, frame);
                    } else {
                        var half = helper.submit(() -> dst.put(frame / 2, src, frame / 2, frame / 2));
                        dst.put(0, src, 0, frame / 2);
                        half.get();
                    }
                    if (i >= 0) {
                        ns[i] = System.nanoTime() - t0;
                    }
                }
                Arrays.sort(ns);
                record(threads == 1 ? "limit: copy of a frame another thread has just painted (ms)"
                        : "limit: the same copy split over two threads (ms)", "direct", ns[ns.length / 2] / 1e6);
            }
        } finally {
            painter.shutdown();
            helper.shutdown();
        }

        UnixSocket[] pair = UnixSocket.pair();
        Thread echo = new Thread(() -> {
            ByteBuffer b = ByteBuffer.allocateDirect(64);
            FdQueue fds = new FdQueue();
            try {
                while (true) {
                    b.clear();
                    if (pair[1].receive(b, fds) < 0) {
                        return;
                    }
                    b.flip();
                    pair[1].send(b, fds);
                }
            } catch (IOException e) {
                // closed
            }
        });
        echo.start();
        ByteBuffer b = ByteBuffer.allocateDirect(64);
        FdQueue fds = new FdQueue();
        long[] rt = new long[quick ? 1000 : 20000];
        for (int i = -1000; i < rt.length; i++) {
            b.clear().putLong(i).flip();
            long t0 = System.nanoTime();
            pair[0].send(b, fds);
            b.clear();
            pair[0].receive(b, fds);
            if (i >= 0) {
                rt[i] = System.nanoTime() - t0;
            }
        }
        pair[0].close();
        pair[1].close();
        echo.join();
        Arrays.sort(rt);
        record("limit: Unix socket round trip between two threads, p50 (µs)", "direct", rt[rt.length / 2] / 1e3);
    }

    private interface Body {
        void run() throws Exception;
    }

    /** Runs a workload and returns the line it printed. */
    private static String capture(Body body) throws Exception {
        PrintStream old = System.out;
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        System.setOut(new PrintStream(buf, true, java.nio.charset.StandardCharsets.UTF_8));
        try {
            body.run();
        } finally {
            System.setOut(old);
        }
        String line = buf.toString(java.nio.charset.StandardCharsets.UTF_8).trim();
        System.err.println("  " + line);
        return line;
    }

    private static double value(String line, String key) {
        for (String kv : line.split(" ")) {
            if (kv.startsWith(key + "=")) {
                return Double.parseDouble(kv.substring(key.length() + 1));
            }
        }
        throw new IllegalStateException("no " + key + " in: " + line);
    }

    private void record(String workload, String system, double v) {
        results.computeIfAbsent(workload, k -> new TreeMap<>()).computeIfAbsent(system, k -> new ArrayList<>()).add(v);
    }

    private static double median(List<Double> values) {
        double[] v = values.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        return v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
    }

    private static boolean onPath(String cmd) {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(":")) {
            if (Files.isExecutable(Path.of(dir, cmd))) {
                return true;
            }
        }
        return false;
    }

    private String report() throws IOException {
        List<String> systems = SYSTEMS;
        StringBuilder md = new StringBuilder();
        md.append("# Benchmarks\n\n");
        md.append("Generated by `scripts/bench").append(quick ? " --quick" : "").append("` on ").append(LocalDate.now())
                .append(". Do not edit by hand: run the harness again.\n\n");
        md.append("## Machine\n\n");
        md.append("- CPU: ").append(cpuModel()).append(", ").append(Runtime.getRuntime().availableProcessors()).append(" cores\n");
        md.append("- Kernel: ").append(firstLine("uname", "-r")).append("\n");
        md.append("- Load average (1 min) when the run started and ended: ").append(loadAtStart).append(" and ").append(loadAverage())
                .append(" (anything above 0 is other work sharing the cores; timings then spread more)\n");
        md.append("- Java: ").append(System.getProperty("java.vm.name")).append(' ').append(System.getProperty("java.version")).append("\n");
        md.append("- Compositor: ").append(firstLine("weston", "--version")).append(", headless backend, pixman renderer, 1920×1080\n");
        md.append("- Reference proxy: ").append(onPath("waypipe") ? firstLine("waypipe", "--version") : "waypipe not installed")
                .append(" (`waypipe client` next to weston, `waypipe server` for the app, one machine, default lz4 compression)\n\n");
        md.append("## Method\n\n");
        md.append("- Every workload is a real Wayland client written with Crossway's own codec (`bench/.../Workloads.java`), run in the harness's JVM against each system's socket.\n");
        md.append("- Systems: `direct` (weston's socket), `crossway-shared` (loopback transport, fds and memory pass as-is), ")
                .append("`crossway-separate` (loopback with separate memory: the copy path the VM transports take), ")
                .append("`crossway-virtgpu` (the virtgpu transport over the emulated virtio-gpu device of the test-jar, whose emulated crosvm host talks to the same weston; it measures the transport's own work, not a VM's), `crossway-virtwl` (the virtwl transport over its emulated /dev/wl0 and crosvm wl device, likewise), `waypipe`.\n");
        md.append("- ").append(rounds).append(" round(s); within each round every system runs every workload, and the order of systems rotates from round to round. Tables show medians over rounds and, in brackets, the ratio to direct.\n");
        md.append("- Round trip: `wl_display.sync` and wait for `done`, one client, ").append(quick ? 500 : 20000).append(" round trips after warm-up.\n");
        md.append("- Clients: N clients connect, then each does round trips for ").append(quick ? "0.5" : "3").append(" s; aggregate round trips per second.\n");
        md.append("- shm frames: a 1920×1080 XRGB8888 toplevel; each frame paints the damaged area, attaches, damages (`damage_buffer`), commits and waits for a round trip. 1 % damage is a 144×144 square that moves by (37, 23) pixels a frame; the first two frames are damaged whole. Buffers: two rotating in one pool (a buffer is drawn only once released); `new pool and buffer every frame` makes a new memfd, `wl_shm_pool` and `wl_buffer` per frame, as GTK3 does, drawn whole (GTK3 copies its last frame in) but damaged only where the frame changed, and destroys the previous one once released; `new wl_buffer every frame` the same over one pool; the resize workload switches between 1920×1080 and 1600×900 every 50 frames. Pools are memfds sealed against shrinking, as weston's, foot's and libwayland-cursor's are, except in the `unsealed pools` row. Proxy CPU is user+system time of the proxy process(es) from /proc, divided by frames (10 ms tick resolution).\n");
        md.append("- copied ÷ damaged bytes: from the daemon's close line for the workload's client (`shm N commits, X B copied of Y B damaged`): bytes copied from client pools into host memory per byte the commits declared damaged.\n");
        md.append("- copy floor ÷ damaged bytes: the least any proxy that copies into host buffers must copy for the workload's damage against a compositor that reads the buffer it shows until the next commit replaces it (weston and sway with pixman). The host buffer a commit fills was then last filled two commits before, so it lacks this frame's damage and the previous frame's (the union of the two rectangles), and one of a new size lacks everything. The workload computes it from its own rectangles.\n");
        md.append("- frame-paced on weston with its GL renderer: a second headless weston, `--use-gl` (Mesa's llvmpipe), 1920×1080; the client draws each frame after the previous frame's `wl_surface.frame` callback, as toolkits do, ").append(quick ? 20 : 150).append(" frames of 1 % damage per buffer pattern; copied ÷ damaged from the close line.\n");
        md.append("- gtk3-widget-factory idle: the app runs on a headless sway 1.7 (pixman), directly and through each Crossway system; after ").append(quick ? 2 : 5).append(" s of settling, the proxy's CPU over ").append(quick ? 3 : 10).append(" s, as % of one core, in ").append(quick ? 1 : GTK_RUNS_PER_ROUND).append(" run(s) of each system a round, the systems alternating run by run (medians over all runs). Its first page animates two spinners, drawn as often as the app gets its buffers back: the app runs with `WAYLAND_DEBUG=1` and its `wl_surface.commit` lines in that span give its commits per second, and the proxy's CPU per commit. Through separate memory Crossway releases each buffer once copied and GTK3 reuses it instead of making a new pool; on the harness's sway the app drew about 60 times a second every way, but on a sway started by hand with only an output mode configured it drew 24 commits/s directly, 28 through shared memory and 62 through separate memory, so the CPU per commit is the figure to compare.\n");
        md.append("- Start-up is the time from launching `bin/crossway` to its `listening on` line; RSS from /proc/PID/status.\n\n");
        md.append("## Results\n\n");
        md.append("| workload |");
        for (String s : systems) {
            md.append(' ').append(s).append(" |");
        }
        md.append("\n|---|");
        for (int i = 0; i < systems.size(); i++) {
            md.append("---|");
        }
        md.append('\n');
        for (var e : results.entrySet()) {
            md.append("| ").append(e.getKey()).append(" |");
            Double base = e.getValue().containsKey("direct") ? median(e.getValue().get("direct")) : null;
            for (String s : systems) {
                List<Double> v = e.getValue().get(s);
                if (v == null) {
                    md.append(" – |");
                    continue;
                }
                double m = median(v);
                md.append(' ').append(format(m));
                if (base != null && !s.equals("direct") && base != 0) {
                    md.append(" (×").append(String.format("%.2f", m / base)).append(')');
                }
                md.append(" |");
            }
            md.append('\n');
        }
        if (!footprint.isEmpty()) {
            md.append("\n## Footprint: start-up and memory at rest\n\n");
            md.append("Crossway with the loopback transport (shared memory) in front of the same weston, started and stopped ")
                    .append(STARTS_PER_ROUND).append(" times per round for the start-up rows (after one start not counted, which brings the files into the page cache) and once more for the rest")
                    .append(beforeDist == null ? "" : ", alternating with an earlier build start by start (before: " + beforeLabel + ")")
                    .append(". Start-up runs from launching `bin/crossway` (the launcher's JVM flags included) to its `listening on` line, ")
                    .append("as a client sees the socket become usable; the schema's and the Guice injector's shares are read from the daemon's own log ")
                    .append("(the schema loader's time and the `start-up:` line). CPU time (user and system, from /proc) at the `listening on` line is less sensitive than the wall clock to other work on the machine. RSS and threads come from /proc ").append(idleAfterMs() / 1000).append(" s after start, past the launcher's first trim of the native heap; the ")
                    .append("per-client figure is the RSS 100 idle clients add (connected, registry listed), 2 s after they connected, ")
                    .append("divided by 100. Medians over rounds (for the start-up rows, over every start). The cold-start row is one more ")
                    .append("start per round after `sync` and `echo 3 > /proc/sys/vm/drop_caches` (as root), so every file is read from disk, as ")
                    .append("after a boot: how many pages of a file's text a start maps depends on how they came into the page cache. ")
                    .append("With the linked runtime just written by jlink, libjvm.so alone was 18.3 MB of RSS; read from disk, or copied, 13.3 MB.\n\n");
            md.append(beforeDist == null ? "| measure | now |\n|---|---|\n" : "| measure | before | now |\n|---|---|---|\n");
            for (var e : footprint.entrySet()) {
                md.append("| ").append(e.getKey()).append(" |");
                for (String variant : beforeDist == null ? List.of("now") : List.of("before", "now")) {
                    List<Double> v = e.getValue().get(variant);
                    md.append(' ').append(v == null ? "–" : format(median(v))).append(" |");
                }
                md.append('\n');
            }
        }
        if (!jmh.isEmpty()) {
            md.append("\n## Micro-benchmarks (JMH)\n\n");
            md.append("JMH 1.37 defaults of each class (3×1 s warm-up, 5×1 s measurement, one fork), with the GC profiler. ")
                    .append("Framing and decoding are per message; forwarding is per message through a real session on socketpairs, ")
                    .append("system calls of both hops included; damage copies are per commit, as is a commit with its round trip through a session.\n\n");
            md.append("| benchmark | score | ± error | unit | allocated per op (B) |\n|---|---|---|---|---|\n");
            jmh.forEach((name, v) -> md.append("| ").append(name).append(" | ").append(v[0]).append(" | ").append(v[1])
                    .append(" | ").append(v[2]).append(" | ").append(v[3]).append(" |\n"));
        }
        md.append("\n## What limits each figure\n\n");
        md.append("- Round trips: every proxy adds two socket hops each way; the `limit:` row gives one Unix-socket round trip between two threads on this machine, the floor for each added hop pair.\n");
        md.append("- Full-damage frames: weston (pixman) composites only when it repaints, so a direct frame is the client's paint and a round trip. A copying proxy adds one frame copy to every frame, in its critical path (a commit must not reach the compositor before its pixels are in host memory): the `limit:` rows, the copy of a frame another thread has just painted being the one a proxy pays. So frames/s through separate memory stay below direct ÷ (1 + copy ÷ direct frame). The `the client copying what a proxy must copy` rows measure that bound with the memory traffic included: the client paints into canvases of its own and copies each frame's damage and the previous frame's into the buffer it attaches, as a proxy must against weston, straight to weston with no relay. Their ratio to direct is the least any copy path can cost on this machine, and the figure to hold `crossway-separate` against. The copy does not only add its own time: it doubles the buffers a frame touches (2 client and 2 host buffers of 8 MB), so the client's next paint misses the cache more (perf over all CPUs, 3 s of each: the client's own painting took about 0.87 ms a frame direct and 1.23 ms through separate memory). Splitting the copy over two threads is the `split over two threads` row; on its own it is faster, but end to end it was not (2026-12-01: a helper thread taking chunks of copies of 1 MB or more, 8 interleaved runs of 1,500 full-damage frames each: medians 1.876 ms alone, 1.887 ms split), nor was glibc's `memcpy` with non-temporal stores (`GLIBC_TUNABLES=glibc.cpu.x86_non_temporal_threshold=0x100000`: 2.011 against 1.897 ms): memory bandwidth, not one core, bounds the copy, so Crossway copies on the relay's thread. Huge pages are not available to host buffers: shmem memfds get none here (`shmem_enabled` is `never`), and virtgpu's host memory is the host's.\n");
        md.append("- Proxy CPU per frame below the 10 ms tick resolution reads as 0 for short runs; use the full run's figures.\n");
        md.append("- crossway-virtgpu, crossway-virtwl: the emulator runs in the daemon's process and does the host's work too: its CPU is in the shm workloads' proxy CPU figures. The gtk3-widget-factory rows leave its own threads (`virtgpu-emulator-*`, `virtwl-emulator-*`: the host's side, which a real VM runs in its VMM) out of the proxy's CPU and give them a row of their own; its handling of the daemon's ioctls runs in the daemon's threads, where a guest kernel would, and stays in. A real VM adds virtqueue and VM-exit costs that no figure here shows.\n");
        md.append("- Start-up: the launcher runs the distribution's linked runtime, `runtime/`: jlink's image of the JDK modules Crossway needs, Crossway and its libraries (the automatic modules given a module-info by jdeps). The module graph is resolved when it is linked, so the JVM's module system starts in 14-16 ms (`-Xlog:startuptime`, Initialize module system) instead of 117-127 ms resolving `lib/` as a module path, which is what the footprint table's before column does. `lib/crossway.jsa`, a static class-data sharing archive the build makes from one training start, holds every class a start loads. What is left before `main` is mostly reading that archive in while relocating it to a random address (40-87 ms, JDK 17.0.15's default). Mapping it at its fixed address instead (`-XX:ArchiveRelocationMode=0`) cut that to 4 ms but made whole starts slower here (462 against 398 ms, 11 interleaved starts each; again 493 against 406 ms, 15 each, with 50 % more CPU): its pages then fault in one by one later, and it gives up the randomisation. Page faults are dear on this machine's paravirtualized kernel (a start takes about 9,400, 40 % of them relocating the archive; `pvm_irq_enable` is the top kernel symbol in perf). This machine runs DAMON's proactive reclaim (kdamond, scheme `pageout`), which pages out memory left unused, the page cache included, so a start after a pause may read its files from disk again: one build's start-up varied from about 370 to 500 ms within an hour here. Then the daemon's phases, in its `start-up:` log line: building the command line stays the largest (picocli's first run: its model classes, and each `CommandLine` registering its built-in converters), then the settings (typesafe-config parsing the defaults, the log's time zone). Binding libc with jnr-ffi runs on a warm-up thread meanwhile; it was on the critical path, the daemon waiting for it before binding its socket in about half the starts. Kept, each measured in interleaved starts: libc bound without jnr-ffi's type annotations (`@intptr_t long` and the like became plain `long`, C strings bytes: reading the annotations parsed every method's and made the JDK generate a proxy class per annotation type; binding alone went from 114-123 to 75-81 ms, the start from 373 to 342 ms together with a launcher that runs no `dirname` or `uname`, 15 starts each), one C1 compiler thread (a second competed with the start for the 2 cores: 392 to 365 ms), Guice without generated classes (386 to 371 ms), the command line declared with picocli's programmatic API instead of annotations, for which the JDK generated a proxy class per annotation type and parsed every annotated member (391 to 360 ms; in a test program with 10 options and its own archive, 70-97 against 53-67 ms), and the defaults read as a stream, not through a jar URL (which parsed the JDK's MIME table). Tried and not kept: javac's inline string concatenation (no change), parsing the defaults on the warm-up thread (no gain), finding the transports through the module layer instead of a class loader, which skips reading every module's META-INF/services (344 against 340 ms), no `CommandLine`s for the subcommands unless asked for (310 against 314 ms), log timestamps without the time-zone database (333 against 329 ms), jnr-ffi without its x86 call stubs (binding about 5 ms faster, every call slower), and JDK 25's AOT cache (a runtime linked from Temurin 25 with `-XX:AOTCacheOutput` started in 390-414 ms, as JDK 17 with the archive did).\n");
        md.append("- Idle RSS: the footprint table's empty JVM (the launcher's flags, none of Crossway's classes, on the system's JDK) is the floor. Above it: the class-data sharing archive, which a start touches whole and relocation writes (18 MB, 15 MB of it anonymous, for the 2,760 or so classes a start loads, about 6.5 KB a class: Guice and Guava about 430, jnr-ffi and jffi 270, typesafe-config 140), libjvm.so's text (13.3 MB read from disk; 18.3 MB when the file was just written, by jlink or an install, and its pages sit in the page cache in large folios that a fault maps whole, hence the cold-start row), and about 10 MB anonymous: the Java heap (about 4 MB resident, 2.8 MB of it live: the protocol table, the reflection data of Guice, picocli and jnr-ffi), C1's code (about 1 MB resident), glibc's heap, class metadata outside the archive, symbols and thread stacks. Two launcher defaults took about 1.8 MB off (by hand): one glibc malloc arena instead of one per JVM thread (`MALLOC_ARENA_MAX=1`, set for the JVM alone: a command after `--` gets the user's environment; 0.9 MB), and string and symbol tables that start at 4,096 and 8,192 buckets instead of 64 Ki and 32 Ki and grow as needed (0.9 MB). Compile thresholds three times the default saved 0.6 MB more (code run only while starting stayed interpreted) but were not kept: an app committing 60 times a second then ran the daemon's per-commit code interpreted for its first 10-20 s (gtk3-widget-factory through separate memory: 2.70 against 3.90 and 4.50 against 5.45 % of a core). The launcher trims the native heap every 10 s where the runtime has `-XX:TrimNativeHeapInterval`: start-up frees up to 14 MB of the JVM's arena chunks (NMT) that glibc otherwise keeps resident.\n");
        md.append("- Clipboard: wl-copy through the system, wl-paste directly on a headless sway 1.7 (pixman), one transfer of random data per round, checked byte for byte; MiB/s of the paste's run time. The data-control protocol carries it (Crossway is run with --grant clipboard); on loopback the pipe passes as-is, on virtgpu every 4 KiB crosses as one cross-domain message, on virtwl as one write to a pipe VFD.\n");
        md.append("- Copies with separate memory: host buffers belong to each surface; a commit fills a free host buffer with what it lacks and attaches it. When a compositor releases a shm buffer depends on its renderer (`wl_buffer.release` timestamped by a client): weston 10 with pixman reads the shown buffer until the next commit replaces it and releases it right at that commit; weston with its GL renderer releases it at the repaint that uploads it (6-45 ms after the commit when tried), or at the replacing commit if that comes first; sway 1.7 with pixman released a replaced buffer only later (0.9 and 48 ms after the replacing commit when tried). Against a compositor that holds the shown buffer, every commit fills the other host buffer, which lacks the previous frame's damage too, and Crossway copies exactly the `copy floor` (the same byte counts; `ShmSessionTest` asserts it commit by commit). No scheme copies less there: each host buffer that is shown must get every damaged pixel, more host buffers each lack more, and filling one from the shown host buffer instead of the client's pool copies the same bytes. So a resize costs two whole fills, one per host buffer of the new size. Where the compositor releases what it has read and the client draws after its frame callback, one host buffer serves every commit and Crossway copies exactly what was damaged, for every buffer pattern and resizes (the frame-paced weston GL rows); the round-trip-paced workloads reach weston between its repaints, so there too they would meet the floor, not the damage.\n");
        md.append("- Per-commit cost beyond the copy, with separate memory (`ShmCommitBenchmark`, `shared` vs `separate`: a 1 % commit and round trip through a real session, the copy of the square included): `attach`, `damage*` and `commit` are decoded (into one message the relay reuses, integers unboxed, and objects of one interface and version share one immutable object-table entry, so the round trip's `wl_callback` costs none: no garbage per commit, as the JMH table's allocation shows; before, decoding boxed every argument and each object had its own entry, 429 B per commit), Crossway's own `attach` is encoded, every message's object ids are rewritten in place (`RelayBenchmark` `translated` vs `same`), and the client's early `wl_buffer.release` is one more event per commit. When the client's batch ends with a `wl_display.sync`, as a round trip does, the release waits for the host's answer and leaves in the same send, ahead of it, so the client wakes once per round trip as it does with no proxy (strace of the daemon over 1,000 frames of the 1 % workload: 3,069 `sendmsg` before, 2,049 after); otherwise it leaves before the batch reaches the host. Every sender to the client takes the client socket's lock first and holds the collected events' lock only to copy them, so the relays never wait for each other: with the release sent by the request relay while the event relay sent the host's answer, they did on most frames (JFR: 964 contended monitor enters in 3,000 frames; strace: 1.15 `futex` calls per frame, 0.1 since, as with shared memory). A new pool costs `fstat`, `F_GET_SEALS` and `fstatfs`, nothing on the host; it is mapped from its second copy on.\n");
        md.append("- Reading client memory: a pool sealed against shrinking is mapped and copied, a block of whole rows with one `ByteBuffer.put`, rows of a narrower rectangle each with glibc's `memcpy` (through jnr-ffi): under C1, `put` between direct buffers is a native call of its own (`Unsafe.copyMemory0`, 13 % of the daemon's samples at 1 % damage in the call alone, perf) and copies 8 bytes at a time; with `memcpy` 1 % damage through separate memory went from 5,310 to 5,660 frames/s and 25 % from 834 to 911 (medians of 3 and 2 interleaved runs by hand, faster in each pair), about 5 and 14 % less daemon CPU a frame. Any other is mapped but read with `process_vm_readv`, one call for all of a commit's rectangles (up to 1,024 rows a call), which returns EFAULT where a client shrank its file instead of raising SIGBUS; pools past a client's mapping bound are read with `pread` per row. `DamageCopyBenchmark` measures the three ways (`sealed`, `unsealed`, `unmapped`): the kernel pins each row's pages, so an unsealed pool costs per damaged row, and this is most of what gtk3-widget-factory costs through separate memory beyond shared (perf: 21 % of the daemon's samples in `process_vm_readv`, half of that pinning pages, two fifths copying). It was one call per rectangle before, three a commit for gtk3-widget-factory's spinners: batching them took the daemon from 3.88 to 3.20 % of a core (medians of 6 interleaved 20-s runs by hand, the app at 61 commits/s; lower in 5 of the 6 pairs). GTK3's pools are memfds made without `MFD_ALLOW_SEALING` (`F_GET_SEALS` reads `F_SEAL_SEAL`), so no one can seal them; Crossway does not add `F_SEAL_SHRINK` to the clients' files that would allow it either, since the seal outlives the pool and a client's later `ftruncate` of its own file would fail with EPERM.\n");
        if (!notes.isEmpty()) {
            md.append("\n## Notes from this run\n\n");
            notes.forEach(n -> md.append("- ").append(n).append('\n'));
        }
        return md.toString();
    }

    private static String format(double v) {
        if (Double.isNaN(v)) {
            return "n/a";
        }
        return v >= 100 ? String.format("%.0f", v) : v >= 1 ? String.format("%.2f", v) : String.format("%.3f", v);
    }

    private static String cpuModel() throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
            if (line.startsWith("model name")) {
                return line.substring(line.indexOf(':') + 1).trim();
            }
        }
        return "unknown";
    }

    private static String firstLine(String... cmd) {
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
            p.waitFor();
            return out.lines().findFirst().orElse("?").trim();
        } catch (IOException | InterruptedException e) {
            return "?";
        }
    }
}
