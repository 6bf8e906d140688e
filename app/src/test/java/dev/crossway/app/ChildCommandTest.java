package dev.crossway.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ChildCommandTest {
    @TempDir
    Path dir;

    @Test
    void aMissingCommandIs127AndANonExecutableOne126AsInTheShell() throws Exception {
        Path script = Files.writeString(dir.resolve("tool"), "#!/bin/sh\n");
        Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rw-r--r--"));
        String path = dir.toString();
        assertThat(ChildCommand.check("no-such-tool", path)).isEqualTo(127);
        assertThat(ChildCommand.check("tool", path)).isEqualTo(126);
        assertThat(ChildCommand.check(script.toString(), path)).isEqualTo(126);
        assertThat(ChildCommand.check(dir.resolve("absent").toString(), path)).isEqualTo(127);
        assertThat(ChildCommand.check(dir.toString(), path)).as("a directory").isEqualTo(126);
        Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwxr-xr-x"));
        assertThat(ChildCommand.check("tool", path)).isZero();
        assertThat(ChildCommand.check("sh", "/usr/bin:/bin")).isZero();
    }

    @Test
    void theChildSeesCrosswaysSocketAndNotThisProcessesOwnSetup() {
        Map<String, String> env = new HashMap<>(Map.of("WAYLAND_SOCKET", "5", "WAYLAND_DISPLAY", "wayland-0", "LISTEN_FDS", "1",
                "LISTEN_PID", "42", "LISTEN_FDNAMES", "wayland", "NOTIFY_SOCKET", "/run/systemd/notify", "HOME", "/root",
                "WAYLAND_DEBUG", "1"));
        ChildCommand.environment(env, "wayland-1", "");
        assertThat(env).containsOnly(Map.entry("WAYLAND_DISPLAY", "wayland-1"), Map.entry("HOME", "/root"), Map.entry("WAYLAND_DEBUG", "1"));
    }

    @Test
    void whatTheLauncherSetForTheJvmAloneIsNotPassedOn() {
        Map<String, String> env = new HashMap<>(Map.of("MALLOC_ARENA_MAX", "1", "MALLOC_TOP_PAD_", "0", "HOME", "/root"));
        ChildCommand.environment(env, "wayland-1", "MALLOC_ARENA_MAX");
        assertThat(env).containsOnly(Map.entry("WAYLAND_DISPLAY", "wayland-1"), Map.entry("MALLOC_TOP_PAD_", "0"), Map.entry("HOME", "/root"));
    }
}
