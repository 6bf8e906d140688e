package dev.crossway.linux;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(20)
class UnixDatagramSocketTest {
    @TempDir
    Path dir;

    @Test
    void aDatagramReachesAPathSocket() throws Exception {
        String path = dir.resolve("notify").toString();
        try (UnixDatagramSocket receiver = UnixDatagramSocket.bind(path)) {
            UnixDatagramSocket.send(path, "READY=1\nSTATUS=up".getBytes(StandardCharsets.UTF_8));
            assertThat(receiver.receive(5000)).isEqualTo("READY=1\nSTATUS=up");
        }
    }

    @Test
    void aDatagramReachesAnAbstractSocket() throws Exception {
        String address = "@crossway-test-" + ProcessHandle.current().pid() + "-" + System.nanoTime();
        try (UnixDatagramSocket receiver = UnixDatagramSocket.bind(address)) {
            UnixDatagramSocket.send(address, "READY=1".getBytes(StandardCharsets.UTF_8));
            assertThat(receiver.receive(5000)).isEqualTo("READY=1");
            assertThat(receiver.receive(50)).as("nothing else was sent").isNull();
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
