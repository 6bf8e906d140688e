package dev.crossway.app.systemd;

import static org.assertj.core.api.Assertions.assertThat;

import dev.crossway.linux.UnixDatagramSocket;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(20)
class NotifierTest {
    @TempDir
    Path dir;

    @Test
    void readyAndStoppingReachThePathNotifySocket() throws Exception {
        String address = dir.resolve("notify").toString();
        try (UnixDatagramSocket manager = UnixDatagramSocket.bind(address)) {
            Notifier n = Notifier.fromEnvironment(Map.of("NOTIFY_SOCKET", address));
            assertThat(n.isActive()).isTrue();
            n.ready("Serving /run/user/0/wayland-0 through loopback\nsecond line");
            assertThat(manager.receive(5000)).isEqualTo("READY=1\nSTATUS=Serving /run/user/0/wayland-0 through loopback second line");
            n.stopping("Shutting down");
            assertThat(manager.receive(5000)).isEqualTo("STOPPING=1\nSTATUS=Shutting down");
        }
    }

    @Test
    void anAbstractNotifySocketWorksToo() throws Exception {
        String address = "@crossway-notify-test-" + ProcessHandle.current().pid();
        try (UnixDatagramSocket manager = UnixDatagramSocket.bind(address)) {
            Notifier.fromEnvironment(Map.of("NOTIFY_SOCKET", address)).ready("up");
            assertThat(manager.receive(5000)).isEqualTo("READY=1\nSTATUS=up");
        }
    }

    @Test
    void withoutNotifySocketNothingIsSentAndAFailedSendIsNotFatal() {
        assertThat(Notifier.fromEnvironment(Map.of()).isActive()).isFalse();
        Notifier.fromEnvironment(Map.of()).ready("nobody listens");
        Notifier gone = Notifier.fromEnvironment(Map.of("NOTIFY_SOCKET", dir.resolve("gone").toString()));
        gone.ready("nobody listens"); // logs a warning, does not throw
        assertThat(gone.isActive()).isTrue();
    }
}
