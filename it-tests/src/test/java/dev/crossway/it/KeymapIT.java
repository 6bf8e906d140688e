package dev.crossway.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.crossway.bench.WaylandClient;
import dev.crossway.it.rig.Crossway;
import dev.crossway.it.rig.Sway;
import dev.crossway.linux.Fds;
import dev.crossway.protocol.Schema;
import dev.crossway.protocol.SchemaLoader;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Separate guest memory: the keymap sway sends (a sealed, read-only memfd) reaches the client as a
 * fresh sealed memfd that it can map privately with the advertised size, as wl_keyboard v7 requires.
 * Loopback with separate memory here; the VM transports run it through subclasses.
 */
class KeymapIT {
    /** The transport under test: loopback with separate memory here. */
    List<String> transportArgs() {
        return List.of("--transport", "loopback", "--memory", "separate");
    }

    /** Environment for the daemon (transport options without flags). */
    Map<String, String> transportEnv() {
        return Map.of();
    }

    /** The distribution to run. */
    Path home() {
        return Crossway.distribution();
    }

    @Test
    void aClientMapsTheKeymapPrivatelyThroughSeparateMemory() throws Exception {
        List<String> missing = Sway.missingTools();
        assumeTrue(missing.isEmpty(), () -> "not installed: " + missing + " (scripts/test installs them)");
        assumeTrue("root".equals(System.getProperty("user.name")), "sway must be started as uid 65534, which needs root");
        Path dir = Files.createTempDirectory("crossway-keymap-it-", PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        try (Sway sway = Sway.start()) {
            sway.holdKeyboard(Duration.ofMinutes(2));
            List<String> args = new java.util.ArrayList<>(transportArgs());
            args.addAll(List.of("--host-display", sway.socketPath().toString(), "--socket", dir.resolve("keymap").toString()));
            try (Crossway cw = Crossway.start(home(), dir, args, transportEnv())) {
                Schema schema = SchemaLoader.loadBundled();
                try (WaylandClient c = WaylandClient.connect(cw.socketPath(), schema)) {
                    int[] keymap = {-1, 0, -1};
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
                    c.roundtrip();
                    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
                    while (keymap[0] < 0 && System.nanoTime() < deadline) {
                        c.roundtrip();
                    }
                    assertThat(keymap[0]).as("a wl_keyboard.keymap fd arrived").isGreaterThanOrEqualTo(0);
                    int fd = keymap[0];
                    int size = keymap[1];
                    System.out.println("keymap through Crossway (separate memory): format " + keymap[2] + ", " + size
                            + " bytes, fd size " + Fds.size(fd) + ", seals 0x" + Integer.toHexString(Fds.seals(fd)));
                    assertThat(keymap[2]).as("format xkb_v1").isEqualTo(1);
                    assertThat(Fds.size(fd)).as("the fd holds the advertised size").isGreaterThanOrEqualTo(size);
                    assertThat(Fds.seals(fd) & 0xf).as("sealed against shrink, grow and write").isEqualTo(0xf);
                    ByteBuffer map = Fds.mapPrivate(fd, size);
                    byte[] head = new byte[10];
                    map.get(0, head);
                    Fds.unmap(map);
                    Fds.close(fd);
                    assertThat(new String(head, StandardCharsets.US_ASCII)).isEqualTo("xkb_keymap");
                }
                String closed = cw.awaitClosedClients(1, Duration.ofSeconds(10)).get(0);
                System.out.println(closed);
            }
        }
    }
}
