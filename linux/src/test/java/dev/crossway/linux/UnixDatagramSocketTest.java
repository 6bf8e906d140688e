package dev.crossway.linux;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.crossway.linux.sys.LibC;
import dev.crossway.linux.sys.Native;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(20)
class UnixDatagramSocketTest {
    @TempDir
    Path dir;

    /** A bound SOCK_DGRAM socket, as systemd's notify socket is. */
    private static int receiver(String address) throws LinuxException {
        int fd = Native.libc().socket(LibC.AF_UNIX, LibC.SOCK_DGRAM | LibC.SOCK_CLOEXEC, 0);
        SockAddrUn addr = SockAddrUn.of(address);
        if (Native.libc().bind(fd, addr.address(), addr.length()) < 0) {
            throw LinuxException.ofErrno("bind " + address);
        }
        return fd;
    }

    private static String receive(int fd) throws LinuxException {
        ByteBuffer buf = ByteBuffer.allocateDirect(256);
        Fds.read(fd, buf);
        buf.flip();
        return StandardCharsets.UTF_8.decode(buf).toString();
    }

    @Test
    void aDatagramReachesAPathSocket() throws Exception {
        String path = dir.resolve("notify").toString();
        int fd = receiver(path);
        try {
            UnixDatagramSocket.send(path, "READY=1\nSTATUS=up".getBytes(StandardCharsets.UTF_8));
            assertThat(receive(fd)).isEqualTo("READY=1\nSTATUS=up");
        } finally {
            Fds.close(fd);
        }
    }

    @Test
    void aDatagramReachesAnAbstractSocket() throws Exception {
        String address = "@crossway-test-" + ProcessHandle.current().pid() + "-" + System.nanoTime();
        int fd = receiver(address);
        try {
            UnixDatagramSocket.send(address, "READY=1".getBytes(StandardCharsets.UTF_8));
            assertThat(receive(fd)).isEqualTo("READY=1");
        } finally {
            Fds.close(fd);
        }
    }

    @Test
    void sendingWhereNobodyListensNamesTheAddress() {
        String path = dir.resolve("gone").toString();
        assertThatThrownBy(() -> UnixDatagramSocket.send(path, new byte[] {1}))
                .isInstanceOf(LinuxException.class)
                .hasMessageContaining(path)
                .hasMessageContaining("ENOENT");
    }
}
