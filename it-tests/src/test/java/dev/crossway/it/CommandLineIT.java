package dev.crossway.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.crossway.testsuite.rig.Clients;
import dev.crossway.testsuite.rig.Crossway;
import dev.crossway.testsuite.rig.Distributions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The built distribution's command-line conventions, checked as a shell user meets them (no compositor needed). */
class CommandLineIT {
    private static final Duration TIMEOUT = Duration.ofSeconds(60);

    @TempDir
    Path tmp;

    @BeforeAll
    static void needsTheDistribution() {
        Distributions.launcher();
    }

    private Path runtimeDir() throws Exception {
        return Files.createDirectory(tmp.resolve("run"), PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
    }

    private Clients.Result crossway(Path runtimeDir, String... args) {
        Clients.Result r = Crossway.run(runtimeDir, List.of(args), Map.of(), TIMEOUT);
        System.out.println("crossway " + String.join(" ", args) + ": exit " + r.exitCode() + ", says: " + r.stderr().strip());
        return r;
    }

    @Test
    void aMissingCommandExits127AndANonExecutableOne126BeforeAnythingStarts() throws Exception {
        Path rt = runtimeDir();
        Clients.Result missing = crossway(rt, "--transport", "loopback", "--", "no-such-command-for-crossway");
        assertThat(missing.exitCode()).isEqualTo(127);
        assertThat(missing.stderr()).contains("no-such-command-for-crossway: command not found");
        Path script = Files.writeString(tmp.resolve("not-executable"), "#!/bin/sh\n");
        Clients.Result notExecutable = crossway(rt, "--transport", "loopback", "--", script.toString());
        assertThat(notExecutable.exitCode()).isEqualTo(126);
        assertThat(notExecutable.stderr()).contains("permission denied");
        assertThat(rt).as("nothing was bound").isEmptyDirectory();
    }

    @Test
    void aBadFlagGetsOneUsageLineAndExit2() throws Exception {
        Clients.Result r = crossway(runtimeDir(), "--tarce", "all");
        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.stderr()).contains("Unknown option: '--tarce'").contains("Possible solutions: ")
                .contains("Usage: crossway [OPTIONS]").contains("Try 'crossway --help'");
        assertThat(r.stderr().lines().count()).as(r.stderr()).isLessThan(8);
    }

    @Test
    void anEmptySocketNameAndAWorldWritableRuntimeDirAreRefused() throws Exception {
        Path rt = runtimeDir();
        Clients.Result empty = crossway(rt, "--transport", "loopback", "--socket", "");
        assertThat(empty.exitCode()).isEqualTo(2);
        assertThat(empty.stderr()).contains("--socket is empty");
        Files.setPosixFilePermissions(rt, PosixFilePermissions.fromString("rwxrwxrwx"));
        Clients.Result open = crossway(rt, "--transport", "loopback");
        assertThat(open.exitCode()).isEqualTo(2);
        assertThat(open.stderr()).contains("is writable by everyone");
        assertThat(rt).isEmptyDirectory();
    }

    @Test
    void versionNamesTheBuildAndTheTransports() throws Exception {
        Clients.Result r = Crossway.run(runtimeDir(), List.of("--version"), Map.of(), TIMEOUT);
        assertThat(r.exitCode()).isZero();
        assertThat(r.stdout()).startsWith("crossway 0.").contains("transports: virtgpu (priority 200)").contains("loopback (priority 0)");
    }
}
