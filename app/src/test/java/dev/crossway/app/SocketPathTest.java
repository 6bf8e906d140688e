package dev.crossway.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class SocketPathTest {
    @Test
    void aNameLivesUnderXdgRuntimeDir() {
        Daemon.SocketPath p = Daemon.SocketPath.resolve("wayland-1", "/run/user/1000");
        assertThat(p.path()).isEqualTo(Path.of("/run/user/1000/wayland-1"));
        assertThat(p.displayName()).isEqualTo("wayland-1");
    }

    @Test
    void anAbsolutePathIsTakenAsIs() {
        assertThat(Daemon.SocketPath.resolve("/tmp/x/sock", null).path()).isEqualTo(Path.of("/tmp/x/sock"));
    }

    @Test
    void aNameWithoutXdgRuntimeDirSaysHowToFixIt() {
        assertThatThrownBy(() -> Daemon.SocketPath.resolve("wayland-1", null))
                .hasMessageContaining("XDG_RUNTIME_DIR is not set").hasMessageContaining("absolute path");
    }

    @Test
    void aRelativePathIsRefused() {
        assertThatThrownBy(() -> Daemon.SocketPath.resolve("a/b", "/run")).hasMessageContaining("plain name");
    }
}
