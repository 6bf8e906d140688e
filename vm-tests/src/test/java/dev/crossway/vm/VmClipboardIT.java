package dev.crossway.vm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.crossway.it.rig.Clients;
import dev.crossway.it.rig.Sway;
import dev.crossway.it.rig.WlClipboard;
import dev.crossway.it.rig.WlClipboard.Display;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Clipboard and primary selection through the real stack, between wl-clipboard in the guest (through
 * Crossway, whose pipes cross as cross-domain pipe messages) and wl-clipboard directly on a headless
 * sway here. In the guest wl-copy and wl-paste use a surface of their own, which needs keyboard
 * focus: the class holds a virtual keyboard (wtype) on sway's seat.
 */
@ExtendWith(VmTier.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class VmClipboardIT {
    private static final Duration TIMEOUT = Duration.ofMinutes(3);
    private static final long MIB = 1 << 20;

    private VmSession session;
    private Sway sway;
    private Display host;
    private Path tmp;

    @BeforeAll
    void startSway(VmSession session) throws IOException {
        assumeTrue(Sway.missingTools().isEmpty(), () -> "not installed: " + Sway.missingTools() + " (scripts/test installs them)");
        this.session = session;
        tmp = Files.createTempDirectory("crossway-vm-clipboard-");
        sway = Sway.start();
        sway.holdKeyboard(Duration.ofMinutes(15));
        session.attach(sway.socketPath());
        host = new Display("host", sway.runtimeDir(), sway.socketName());
    }

    @AfterAll
    void stopSway() throws IOException {
        if (sway != null) {
            WlClipboard.clear(host, false, TIMEOUT);
            WlClipboard.clear(host, true, TIMEOUT);
            sway.close();
        }
        if (tmp != null) {
            Vm.deleteTree(tmp);
        }
    }

    /** {@code wl-copy} in the guest from a file of the exchange directory. */
    private void guestCopy(Path data, boolean primary) {
        Clients.Result r = session.client(TIMEOUT, "wl-copy " + (primary ? "--primary " : "") + "-t " + WlClipboard.TYPE
                + " < /vm/share/" + data.getFileName());
        assertThat(r.exitCode()).as(r.describe() + "\n  Crossway's log: " + session.crossway().logFile()).isZero();
    }

    /** {@code wl-paste} in the guest; returns {@code SHA256 SIZE} of what it read. */
    private String guestPaste(boolean primary) {
        Clients.Result r = session.client(TIMEOUT, "wl-paste " + (primary ? "--primary " : "") + "-n -t " + WlClipboard.TYPE
                + " > /tmp/paste && echo \"$(sha256sum < /tmp/paste | cut -d ' ' -f 1) $(stat -c %s /tmp/paste)\" && rm /tmp/paste");
        assertThat(r.exitCode()).as(r.describe() + "\n  Crossway's log: " + session.crossway().logFile()).isZero();
        return r.stdout().strip();
    }

    private void crossesBothWays(long size, long seed, boolean primary) throws IOException {
        String what = (primary ? "primary selection" : "clipboard") + ", " + size + " B";
        Path data = WlClipboard.randomFile(session.vm().share(), size, seed);
        String expected = WlClipboard.sha256(data) + " " + size;

        long t0 = System.nanoTime();
        guestCopy(data, primary);
        Path out = tmp.resolve("paste");
        Clients.Result paste = WlClipboard.paste(host, out, primary, TIMEOUT);
        assertThat(paste.exitCode()).as(paste.describe() + "\n  Crossway's log: " + session.crossway().logFile()).isZero();
        assertThat(WlClipboard.sha256(out) + " " + Files.size(out)).as(what + ", guest to host").isEqualTo(expected);
        long guestToHost = System.nanoTime() - t0;

        t0 = System.nanoTime();
        Clients.Result copy = WlClipboard.copy(host, data, primary, TIMEOUT);
        assertThat(copy.exitCode()).as(copy.describe()).isZero();
        assertThat(guestPaste(primary)).as(what + ", host to guest").isEqualTo(expected);
        long hostToGuest = System.nanoTime() - t0;
        System.out.printf("%s bit-exact both ways: guest to host %d ms (wl-paste %d ms), host to guest %d ms%n", what,
                guestToHost / 1_000_000, paste.elapsed().toMillis(), hostToGuest / 1_000_000);
        if (!primary) {
            Figures.record("clipboard guest → host, " + size / MIB + " MiB: host wl-paste (MiB/s)",
                    String.format(java.util.Locale.ROOT, "%.1f", size / (double) MIB / (paste.elapsed().toNanos() / 1e9)),
                    "run time of wl-paste on sway while wl-copy serves from the guest through Crossway; sha256 checked");
        }
        Files.delete(data);
        Files.delete(out);
    }

    @Test
    void sixteenMebibytesCrossBothWaysBitExact() throws IOException {
        crossesBothWays(16 * MIB, 16, false);
    }

    @Test
    void primarySelectionCrossesBothWaysBitExact() throws IOException {
        crossesBothWays(MIB + 4097, 7, true);
    }
}
