package dev.crossway.app.socket;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.crossway.linux.Credentials;
import dev.crossway.linux.Fds;
import dev.crossway.linux.UnixServerSocket;
import dev.crossway.linux.UnixSocket;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(20)
class GuestSocketTest {
    @TempDir
    Path tmp;
    Path runtimeDir;
    final int uid = Credentials.effectiveUid();

    @BeforeEach
    void privateRuntimeDir() throws IOException {
        runtimeDir = Files.createDirectory(tmp.resolve("run"), PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
    }

    private GuestSocket bind(String socket) throws IOException {
        return GuestSocket.bind(socket, "--socket", runtimeDir.toString(), uid);
    }

    @Test
    void aNameLivesUnderXdgRuntimeDirWithItsLockAndCloseRemovesBoth() throws IOException {
        GuestSocket s = bind("wayland-5");
        assertThat(s.path()).isEqualTo(runtimeDir.resolve("wayland-5"));
        assertThat(s.displayName()).isEqualTo("wayland-5");
        assertThat(runtimeDir.resolve("wayland-5.lock")).exists();
        s.close();
        assertThat(runtimeDir.resolve("wayland-5")).doesNotExist();
        assertThat(runtimeDir.resolve("wayland-5.lock")).doesNotExist();
    }

    @Test
    void autoTakesWayland0WhenFree() throws IOException {
        try (GuestSocket s = bind("auto")) {
            assertThat(s.displayName()).isEqualTo("wayland-0");
        }
    }

    @Test
    void autoMovesOnWhenAnotherServerHoldsWayland0() throws IOException {
        try (UnixServerSocket other = UnixServerSocket.bind(runtimeDir.resolve("wayland-0"));
             GuestSocket s = bind("auto")) {
            assertThat(other.path()).exists();
            assertThat(s.displayName()).isEqualTo("wayland-1");
        }
        int lock = Fds.openLock(runtimeDir.resolve("wayland-1.lock"));
        try {
            assertThat(Fds.tryLock(lock)).isTrue();
            try (GuestSocket s = bind("auto")) {
                assertThat(s.displayName()).as("wayland-1's lock is held, wayland-0 is free again").isEqualTo("wayland-0");
            }
        } finally {
            Fds.close(lock);
        }
    }

    @Test
    void anExplicitNameThatAnotherServerAnswersOnIsRefused() throws IOException {
        try (UnixServerSocket other = UnixServerSocket.bind(runtimeDir.resolve("wayland-0"))) {
            assertThat(other.path()).exists();
            assertThatThrownBy(() -> bind("wayland-0")).hasMessageContaining("something already answers on")
                    .hasMessageContaining("choose another socket (--socket)");
        }
    }

    @Test
    void aStaleSocketIsReplaced() throws IOException {
        UnixServerSocket.bind(runtimeDir.resolve("wayland-3")).close(); // leaves the file, nobody listens
        try (GuestSocket s = bind("wayland-3"); UnixSocket client = UnixSocket.connect(s.path())) {
            assertThat(client.fd()).isPositive();
        }
    }

    @Test
    void anEmptySocketNameIsRefused() {
        assertThatThrownBy(() -> bind("")).isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("--socket is empty");
        assertThat(runtimeDir).isEmptyDirectory();
    }

    @Test
    void aRegularFileAtTheSocketPathIsRefusedAndKept() throws IOException {
        Path file = Files.writeString(runtimeDir.resolve("wayland-0"), "precious");
        assertThatThrownBy(() -> bind("wayland-0")).hasMessageContaining("is a regular file, not a socket")
                .hasMessageContaining("replaces only a stale socket");
        assertThat(file).hasContent("precious");
        assertThat(runtimeDir.resolve("wayland-0.lock")).as("no lock left behind").doesNotExist();
    }

    @Test
    void aDirectoryAtTheSocketPathIsRefusedAndKept() throws IOException {
        Path dir = Files.createDirectory(runtimeDir.resolve("wayland-0"));
        assertThatThrownBy(() -> bind("auto")).hasMessageContaining("is a directory, not a socket");
        assertThat(dir).isDirectory();
    }

    @Test
    void aSymbolicLinkAtTheLockPathIsRefusedAndNotFollowed() throws IOException {
        Path target = tmp.resolve("target-of-link");
        Files.createSymbolicLink(runtimeDir.resolve("wayland-0.lock"), target);
        assertThatThrownBy(() -> bind("wayland-0")).hasMessageContaining("symbolic link");
        assertThat(target).doesNotExist();
        assertThat(runtimeDir.resolve("wayland-0")).doesNotExist();
    }

    @Test
    void aWorldWritableRuntimeDirIsRefused() throws IOException {
        Files.setPosixFilePermissions(runtimeDir, PosixFilePermissions.fromString("rwxrwxrwx"));
        assertThatThrownBy(() -> bind("wayland-0")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("XDG_RUNTIME_DIR=" + runtimeDir + " is writable by everyone (mode 0777)")
                .hasMessageContaining("chmod 0700");
        assertThat(runtimeDir.resolve("wayland-0")).doesNotExist();
    }

    @Test
    void aRuntimeDirOfAnotherUserIsRefused() throws IOException {
        assumeTrue(uid == 0, "needs root to give the directory to another user");
        Files.setAttribute(runtimeDir, "unix:uid", 65534);
        assertThatThrownBy(() -> bind("wayland-0")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("belongs to uid 65534, not to you (uid 0)");
    }

    @Test
    void aMissingRuntimeDirIsNotCreated() {
        Path missing = tmp.resolve("no-such-dir");
        assertThatThrownBy(() -> GuestSocket.bind("wayland-0", "--socket", missing.toString(), uid))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("does not exist")
                .hasMessageContaining("install -d -m 0700 " + missing);
        assertThat(missing).doesNotExist();
    }

    @Test
    void withoutXdgRuntimeDirANameSaysHowToFixIt() {
        assertThatThrownBy(() -> GuestSocket.bind("wayland-1", "--socket", null, uid))
                .hasMessageContaining("XDG_RUNTIME_DIR is not set").hasMessageContaining("absolute path");
    }

    @Test
    void anAbsolutePathIsTakenAsIsAndARelativeOneIsRefused() throws IOException {
        try (GuestSocket s = GuestSocket.bind(tmp.resolve("guest.sock").toString(), "--socket", null, uid)) {
            assertThat(s.path()).isEqualTo(tmp.resolve("guest.sock"));
            assertThat(s.displayName()).isEqualTo(tmp.resolve("guest.sock").toString());
        }
        assertThatThrownBy(() -> bind("a/b")).hasMessageContaining("plain name");
        assertThatThrownBy(() -> GuestSocket.bind(tmp.resolve("nodir/guest.sock").toString(), "--socket", null, uid))
                .hasMessageContaining("does not exist");
    }

    @Test
    void anAdoptedSocketKeepsItsFileButTakesAndReleasesTheLock() throws IOException {
        try (UnixServerSocket systemd = UnixServerSocket.bind(runtimeDir.resolve("wayland-0"))) {
            GuestSocket s = GuestSocket.adopt(UnixServerSocket.adopt(Fds.dup(systemd.fd()), "fd 3"), runtimeDir.toString());
            assertThat(s.displayName()).isEqualTo("wayland-0");
            int other = Fds.openLock(runtimeDir.resolve("wayland-0.lock"));
            assertThat(Fds.tryLock(other)).as("the lock is held while serving").isFalse();
            Fds.close(other);
            s.close();
            assertThat(runtimeDir.resolve("wayland-0")).as("systemd's socket file stays").exists();
            assertThat(runtimeDir.resolve("wayland-0.lock")).doesNotExist();
        }
    }
}
