package dev.crossway.vm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.crossway.it.rig.Clients;
import dev.crossway.it.rig.Sway;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Keymap and keys through the real stack: sway's seat with wtype's virtual keyboard here, foot in
 * the guest. wtype uploads a keymap of its own for the text it types, so the keymap fd (sealed memfd
 * from sway) crosses as a host blob, and foot can only turn the key codes back into text with it.
 */
@ExtendWith(VmTier.class)
class VmKeysIT {
    private static final String TEXT = "Crossway VM: keys 123!";

    @Test
    void textTypedOnTheHostReachesAGuestTerminal(VmSession session) throws Exception {
        assumeTrue(Sway.missingTools().isEmpty(), () -> "not installed: " + Sway.missingTools() + " (scripts/test installs them)");
        Path share = session.vm().share();
        try (Sway sway = Sway.start()) {
            sway.holdKeyboard(Duration.ofMinutes(5));
            session.attach(sway.socketPath());
            // The shell in foot says when it runs, then reads one line and hands it back through the exchange directory.
            GuestShell.Running foot = session.startClient(Duration.ofMinutes(4),
                    "foot -e sh -c 'echo > /vm/share/foot-ready; read -r line; printf %s \"$line\" > /vm/share/typed.tmp;"
                            + " mv /vm/share/typed.tmp /vm/share/typed'");
            Path ready = share.resolve("foot-ready");
            Path typed = share.resolve("typed");
            long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
            while (!Files.exists(ready)) {
                assertThat(foot.isDone()).as("foot ended before its shell ran: " + (foot.isDone() ? foot.await().describe() : ""))
                        .isFalse();
                assertThat(System.nanoTime()).as("foot's shell did not start within 2 min").isLessThan(deadline);
                Thread.sleep(100);
            }
            // The window maps and takes focus a little after its shell starts: type until the line arrives.
            int attempts = 0;
            while (!Files.exists(typed) && attempts < 6) {
                Thread.sleep(2000);
                attempts++;
                Clients.Result t = sway.run(Duration.ofSeconds(30), "wtype", TEXT);
                assertThat(t.exitCode()).as(t.describe()).isZero();
                Clients.Result enter = sway.run(Duration.ofSeconds(30), "wtype", "-k", "Return");
                assertThat(enter.exitCode()).as(enter.describe()).isZero();
                for (int i = 0; i < 50 && !Files.exists(typed); i++) {
                    Thread.sleep(100);
                }
            }
            assertThat(typed).as("foot in the guest received no line after " + attempts + " attempts; sway's log: "
                    + sway.logFile() + "; Crossway's log: " + session.crossway().logFile()).exists();
            String line = Files.readString(typed, StandardCharsets.UTF_8);
            System.out.println("typed on the host with wtype, read in the guest's foot after " + attempts + " attempt(s): " + line);
            assertThat(line).isEqualTo(TEXT);
            Clients.Result r = foot.await();
            assertThat(r.exitCode()).as("foot exits with its shell: " + r.describe()).isZero();
        }
    }
}
