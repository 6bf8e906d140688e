package dev.crossway.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.crossway.protocol.Schema;
import dev.crossway.protocol.SchemaLoader;
import dev.crossway.testsuite.rig.Background;
import dev.crossway.testsuite.rig.Clients;
import dev.crossway.testsuite.rig.Crossway;
import dev.crossway.testsuite.rig.Display;
import dev.crossway.testsuite.rig.Distributions;
import dev.crossway.testsuite.rig.Png;
import dev.crossway.testsuite.rig.Started;
import dev.crossway.testsuite.rig.Sway;
import dev.crossway.testsuite.rig.Weston;
import dev.crossway.testsuite.rig.WlClipboard;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The privilege policy against real compositors (loopback transport): GTK 3 getting server-side decorations,
 * clipboard tools with and without the clipboard class, and weston's debug global staying hidden when its XML
 * is added. (What a guest sees of sway's and weston's globals, by grant, is the relay suite's, on every transport.)
 *
 * <p>sway here has no keyboard (no wtype): wl-copy and wl-paste work only through data-control.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PrivilegedGlobalsIT {
    private static final Duration TIMEOUT = Duration.ofSeconds(60);
    private static final String DATA_CONTROL = "zwlr_data_control_manager_v1";
    private static final String GTK_DIALOG = "Dialogs and Message Boxes";

    private Sway sway;
    private Path dir;
    private Crossway plain;
    private Crossway granted;
    private final Started started = new Started();

    @BeforeAll
    void startSwayAndTwoCrossways() throws IOException {
        List<String> missing = new ArrayList<>(Sway.missingTools());
        missing.addAll(Weston.missingTools());
        for (String tool : List.of("gtk3-demo", "grim", "swaymsg")) {
            if (!Files.isExecutable(Path.of("/usr/bin", tool))) {
                missing.add(tool);
            }
        }
        assumeTrue(missing.isEmpty(), () -> "not installed: " + missing + " (scripts/test installs them)");
        assumeTrue("root".equals(System.getProperty("user.name")), "sway must be started as uid 65534, which needs root");
        Distributions.launcher();
        sway = Sway.start();
        System.out.println("started " + sway);
        dir = Files.createTempDirectory("crossway-it-policy-", PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        plain = crossway("plain");
        granted = crossway("granted", "--grant", "clipboard");
    }

    private Crossway crossway(String socket, String... extra) {
        List<String> args = new ArrayList<>(List.of("--transport", "loopback", "--host-display", sway.socketPath().toString(),
                "--socket", dir.resolve(socket).toString()));
        args.addAll(List.of(extra));
        return started.add(Crossway.start(dir, args, Map.of()));
    }

    @AfterAll
    void stopAll() throws Exception {
        started.close();
        if (sway != null) {
            sway.close();
        }
        if (dir != null) {
            try (var walk = Files.walk(dir)) {
                walk.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    private List<Clients.Global> globals(Path runtimeDir, String display) {
        Clients.Result r = Clients.run(runtimeDir, display, TIMEOUT, "wayland-info");
        assertThat(r.exitCode()).as(r.describe()).isZero();
        return Clients.parseGlobals(r.stdout());
    }

    @Test
    void clipboardToolsWorkWhenTheClipboardClassIsGrantedAndFailWithTheReasonLoggedWhenNot() throws IOException {
        Path data = WlClipboard.randomFile(dir, 100_000, 5);
        Path out = dir.resolve("pasted");
        Display host = sway.display();
        Display guest = granted.clients();
        for (Display[] way : new Display[][] {{guest, host}, {host, guest}}) {
            Clients.Result copy = WlClipboard.copy(way[0], data, false, TIMEOUT);
            assertThat(copy.exitCode()).as(copy.describe()).isZero();
            Clients.Result paste = WlClipboard.paste(way[1], out, false, TIMEOUT);
            assertThat(paste.exitCode()).as(paste.describe()).isZero();
            assertThat(Files.readAllBytes(out)).as(way[0] + " to " + way[1]).isEqualTo(Files.readAllBytes(data));
        }

        Display notGranted = plain.clients();
        Clients.Result copy = WlClipboard.copy(notGranted, data, false, TIMEOUT);
        Clients.Result paste = WlClipboard.paste(notGranted, out, false, TIMEOUT);
        System.out.println("without --grant clipboard: wl-copy exit " + copy.exitCode() + " '" + copy.stderr().strip()
                + "', wl-paste exit " + paste.exitCode() + " '" + paste.stderr().strip() + "'");
        assertThat(copy.exitCode()).as(copy.describe()).isNotZero();
        assertThat(paste.exitCode()).as(paste.describe()).isNotZero();
        assertThat(copy.stderr()).contains("no keyboard");
        assertThat(plain.log()).containsOnlyOnce("hiding " + DATA_CONTROL + " from guest apps: privileged, class clipboard"
                + " (reads and sets the clipboard without focus); show it with --grant clipboard or --grant " + DATA_CONTROL);
        WlClipboard.clear(host, false, TIMEOUT);
    }

    @Test
    void gtk3DialogThroughCrosswayGetsSwaysTitleBarAsWhenDirect() {
        Shot direct = gtkDialog(sway.runtimeDir(), sway.socketName(), "direct");
        Shot relayed = gtkDialog(dir, plain.socketPath().toString(), "relayed");
        int differing = relayed.png().countDifferent(direct.png());
        int pixels = direct.png().width() * direct.png().height();
        System.out.println("gtk3-demo --run=dialog on sway: border direct " + direct.border() + ", through Crossway "
                + relayed.border() + "; " + differing + " of " + pixels + " pixels differ between the screenshots");
        assertThat(direct.border()).as("sway draws the title bar (server-side decorations)").isEqualTo("normal");
        assertThat(relayed.border()).as("through Crossway too: one title bar, not GTK's own ('csd') under sway's").isEqualTo("normal");
        assertThat(differing).as("pixels that differ from the direct run").isLessThanOrEqualTo(pixels / 200);
    }

    private record Shot(String border, Png png) {
    }

    private Shot gtkDialog(Path runtimeDir, String display, String label) {
        try (Background gtk = Background.start(runtimeDir, display, Map.of("GDK_BACKEND", "wayland", "NO_AT_BRIDGE", "1"),
                List.of("gtk3-demo", "--run=dialog"))) {
            gtk.await("the GTK dialog in sway's tree (" + label + ")", TIMEOUT, () -> sway.border(GTK_DIALOG).isPresent());
            Png png = sway.settledScreenshot(dir.resolve("gtk-" + label + ".png"), Duration.ofSeconds(20));
            return new Shot(sway.border(GTK_DIALOG).orElseThrow(), png);
        } finally {
            awaitNoDialog();
        }
    }

    /** The next run starts on an empty desktop: no window of gtk3-demo is left. */
    private void awaitNoDialog() {
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        while (sway.tree().contains("\"gtk3-demo\"") && System.nanoTime() < deadline) {
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    @Test
    void westonsDebugGlobalStaysHiddenWhenItsXmlIsAddedUnlessGranted() throws IOException {
        Schema table = SchemaLoader.loadBundled();
        Path xml = dir.resolve("weston-xml");
        Files.createDirectories(xml);
        Files.writeString(xml.resolve("weston-debug.xml"), ProtocolXml.of("weston_debug",
                List.of(table.require("weston_debug_v1"), table.require("weston_debug_stream_v1"))));
        try (Weston w = Weston.start("it-debug-host")) {
            assertThat(Clients.versionsByName(globals(w.runtimeDir(), w.socketName()))).containsKey("weston_debug_v1");
            String xmlArg = xml.toString();
            Map<String, Optional<Integer>> seen = new java.util.LinkedHashMap<>();
            for (List<String> extra : List.of(List.<String>of(), List.of("--grant", "compositor-debug"), List.of("--grant", "weston_debug_v1"))) {
                List<String> args = new ArrayList<>(List.of("--transport", "loopback", "--host-display", w.socketName(),
                        "--socket", "it-debug", "--protocol-dir", xmlArg));
                args.addAll(extra);
                try (Crossway c = Crossway.start(w.runtimeDir(), args, Map.of())) {
                    assertThat(c.log()).as("the XML was loaded").contains("and 1 protocol files from [" + xmlArg + "]");
                    Integer v = Clients.versionsByName(globals(w.runtimeDir(), c.socketName())).get("weston_debug_v1");
                    seen.put(String.join(" ", extra), Optional.ofNullable(v));
                    if (extra.isEmpty()) {
                        assertThat(c.log()).contains("hiding weston_debug_v1 from guest apps: privileged, class compositor-debug");
                    }
                }
            }
            System.out.println("weston_debug_v1 through Crossway with its XML added, by grant: " + seen);
            assertThat(seen).containsExactly(Map.entry("", Optional.empty()), Map.entry("--grant compositor-debug", Optional.of(1)),
                    Map.entry("--grant weston_debug_v1", Optional.of(1)));
        }
    }
}
