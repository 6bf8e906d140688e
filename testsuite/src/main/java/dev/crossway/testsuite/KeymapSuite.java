package dev.crossway.testsuite;

import static org.assertj.core.api.Assertions.assertThat;

import dev.crossway.testsuite.rig.ClientCommand;
import dev.crossway.testsuite.rig.ClientRun;
import dev.crossway.testsuite.rig.Clients;
import dev.crossway.testsuite.rig.Daemon;
import dev.crossway.testsuite.rig.Display;
import dev.crossway.testsuite.rig.Procs;
import dev.crossway.testsuite.rig.Sway;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Keymaps and keys on a real headless sway 1.7, whose seat gets a virtual keyboard from wtype. The keymap
 * (a sealed, read-only memfd from sway) reaches a client as an fd it can map privately with the advertised
 * size, as wl_keyboard v7 requires; and text typed on the host reaches a terminal (foot) through Crossway,
 * which turns the key codes back into text with that keymap. Written once; every transport runs it.
 */
public abstract class KeymapSuite extends AbstractSuite {
    private static final Pattern KEYMAP = Pattern.compile("format=(\\d+) size=(\\d+) fd_size=(\\d+) seals=0x([0-9a-f]+) head=(\\S+)");
    private static final String TEXT = "Crossway: keys 123!";

    private Sway swayWithKeyboard() {
        Sway sway = sway();
        sway.holdKeyboard(Duration.ofMinutes(10));
        return sway;
    }

    @Test
    public void aClientMapsTheKeymapPrivately() {
        Sway sway = swayWithKeyboard();
        Daemon cw = crossway(sway.socketPath());
        Clients.Result r = cw.clients().runTestClient(rig().clientTimeout(), "keymap");
        System.out.println("keymap through Crossway (" + rig().name() + "): " + r.stdout().strip());
        assertThat(r.exitCode()).as(r.describe()).isZero();
        Matcher m = KEYMAP.matcher(r.stdout());
        assertThat(m.find()).as("a wl_keyboard.keymap fd arrived: " + r.describe()).isTrue();
        assertThat(m.group(1)).as("format xkb_v1").isEqualTo("1");
        assertThat(Long.parseLong(m.group(3))).as("the fd holds the advertised size").isGreaterThanOrEqualTo(Long.parseLong(m.group(2)));
        assertThat(m.group(5)).as("the keymap's first bytes, mapped privately").isEqualTo("xkb_keymap");
        if (rig().separateMemory()) {
            // Crossway's own copy: a fresh memfd, sealed against shrink, grow and write.
            assertThat(Integer.parseInt(m.group(4), 16) & 0xf).as("seals of Crossway's keymap memfd").isEqualTo(0xf);
        } else {
            System.out.println("  shared memory: the client got sway's own fd; its seals are sway's");
        }
    }

    @Test
    public void textTypedOnTheHostReachesAGuestTerminal() throws IOException {
        Sway sway = swayWithKeyboard();
        Daemon cw = crossway(sway.socketPath());
        Display guest = cw.clients();
        Path ready = guest.exchange().resolve("foot-ready");
        Path typed = guest.exchange().resolve("typed");
        Files.deleteIfExists(ready);
        Files.deleteIfExists(typed);
        // The shell in foot says when it runs, then reads one line and hands it back through the exchange directory.
        ClientRun foot = guest.start(ClientCommand.of(rig().clientTimeout().multipliedBy(2), "foot", "-e", "sh", "-c",
                "echo > " + guest.pathOf(ready) + "; read -r line; printf %s \"$line\" > " + guest.pathOf(typed) + ".tmp; mv "
                        + guest.pathOf(typed) + ".tmp " + guest.pathOf(typed)));
        long deadline = System.nanoTime() + rig().clientStart().plusSeconds(60).toNanos();
        while (!Files.exists(ready)) {
            assertThat(foot.isDone()).as("foot ended before its shell ran: " + (foot.isDone() ? foot.await().describe() : "")).isFalse();
            assertThat(System.nanoTime()).as("foot's shell started in time").isLessThan(deadline);
            Procs.sleep(Duration.ofMillis(100));
        }
        // The window maps and takes focus a little after its shell starts: type until the line arrives.
        int attempts = 0;
        while (!Files.exists(typed) && attempts < 6) {
            Procs.sleep(Duration.ofSeconds(2));
            attempts++;
            Clients.Result t = sway.run(Duration.ofSeconds(30), "wtype", TEXT);
            assertThat(t.exitCode()).as(t.describe()).isZero();
            Clients.Result enter = sway.run(Duration.ofSeconds(30), "wtype", "-k", "Return");
            assertThat(enter.exitCode()).as(enter.describe()).isZero();
            for (int i = 0; i < 50 && !Files.exists(typed); i++) {
                Procs.sleep(Duration.ofMillis(100));
            }
        }
        assertThat(typed).as("foot received no line after " + attempts + " attempts; sway's log: " + sway.logFile()
                + "; Crossway's log: " + cw.logFile()).exists();
        String line = Files.readString(typed, StandardCharsets.UTF_8);
        System.out.println("typed on the host with wtype, read by foot through Crossway (" + rig().name() + ") after " + attempts
                + " attempt(s): " + line);
        assertThat(line).isEqualTo(TEXT);
        Clients.Result r = foot.await();
        assertThat(r.exitCode()).as("foot exits with its shell: " + r.describe()).isZero();
    }
}
