package dev.crossway.linux;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.crossway.spi.FdQueue;
import java.nio.ByteBuffer;
import java.nio.channels.AsynchronousCloseException;
import java.nio.channels.ClosedChannelException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(20)
class UnixServerSocketTest {
    @TempDir
    Path dir;

    @Test
    void acceptedSocketTalksToTheConnectingOne() throws Exception {
        Path path = dir.resolve("wayland-test");
        try (UnixServerSocket server = UnixServerSocket.bind(path);
             UnixSocket client = UnixSocket.connect(path);
             UnixSocket accepted = server.accept()) {
            assertThat(Files.exists(path)).isTrue();
            client.send(UnixSocketTest.direct("ping"), new FdQueue());
            ByteBuffer dst = ByteBuffer.allocateDirect(16);
            accepted.receive(dst, new FdQueue());
            assertThat(UnixSocketTest.text(dst)).isEqualTo("ping");
        }
    }

    @Test
    void closeWakesBlockedAccept() throws Exception {
        UnixServerSocket server = UnixServerSocket.bind(dir.resolve("s"));
        CompletableFuture<UnixSocket> blocked = CompletableFuture.supplyAsync(() -> {
            try {
                return server.accept();
            } catch (Exception e) {
                throw new RuntimeException(e);
            }
        });
        Thread.sleep(200);
        assertThat(blocked).isNotDone();
        long start = System.nanoTime();
        server.close();
        assertThatThrownBy(() -> blocked.get(1, TimeUnit.SECONDS))
                .isInstanceOf(ExecutionException.class)
                .hasRootCauseInstanceOf(AsynchronousCloseException.class);
        assertThat(System.nanoTime() - start).isLessThan(TimeUnit.SECONDS.toNanos(1));
        assertThatThrownBy(server::accept).isInstanceOf(ClosedChannelException.class);
    }

    @Test
    void bindingOverAnExistingFileSaysWhatToDo() throws Exception {
        Path path = dir.resolve("taken");
        try (UnixServerSocket first = UnixServerSocket.bind(path)) {
            assertThat(first.path()).isEqualTo(path);
            assertThatThrownBy(() -> UnixServerSocket.bind(path))
                    .isInstanceOf(LinuxException.class)
                    .hasMessageContaining("EADDRINUSE (98)")
                    .hasMessageContaining("remove it if no server uses it");
        }
    }

    @Test
    void closeLeavesTheSocketFileForTheDaemonToRemove() throws Exception {
        Path path = dir.resolve("kept");
        UnixServerSocket.bind(path).close();
        assertThat(Files.exists(path)).isTrue();
        assertThatThrownBy(() -> UnixSocket.connect(path)).hasMessageContaining("ECONNREFUSED (111)");
    }

    @Test
    void anAdoptedSocketServesAndItsCloseLeavesTheOtherCopyListening() throws Exception {
        Path path = dir.resolve("activated");
        try (UnixServerSocket original = UnixServerSocket.bind(path)) {
            // As systemd does: the same listening socket, held by two fds.
            UnixServerSocket adopted = UnixServerSocket.adopt(Fds.dup(original.fd()), "a test fd");
            assertThat(adopted.path()).isEqualTo(path);
            try (UnixSocket client = UnixSocket.connect(path); UnixSocket accepted = adopted.accept()) {
                client.send(UnixSocketTest.direct("hi"), new FdQueue());
                ByteBuffer dst = ByteBuffer.allocateDirect(8);
                accepted.receive(dst, new FdQueue());
                assertThat(UnixSocketTest.text(dst)).isEqualTo("hi");
            }
            CompletableFuture<UnixSocket> blocked = CompletableFuture.supplyAsync(() -> {
                try {
                    return adopted.accept();
                } catch (Exception e) {
                    throw new RuntimeException(e);
                }
            });
            Thread.sleep(200);
            adopted.close();
            assertThatThrownBy(() -> blocked.get(2, TimeUnit.SECONDS)).hasRootCauseInstanceOf(AsynchronousCloseException.class);
            // Not shut down: the other holder still accepts.
            try (UnixSocket client = UnixSocket.connect(path); UnixSocket accepted = original.accept()) {
                assertThat(accepted.fd()).isPositive();
            }
        }
    }

    @Test
    void adoptingSomethingElseSaysWhatItIs() throws Exception {
        int[] pipe = Fds.pipe();
        try {
            assertThatThrownBy(() -> UnixServerSocket.adopt(pipe[0], "fd 3 from systemd"))
                    .isInstanceOf(LinuxException.class)
                    .hasMessageContaining("fd 3 from systemd")
                    .hasMessageContaining("ENOTSOCK");
        } finally {
            Fds.close(pipe[0]);
            Fds.close(pipe[1]);
        }
        UnixSocket[] pair = UnixSocket.pair();
        try {
            assertThatThrownBy(() -> UnixServerSocket.adopt(pair[0].fd(), "fd 4"))
                    .isInstanceOf(LinuxException.class)
                    .hasMessageContaining("no address");
        } finally {
            pair[0].close();
            pair[1].close();
        }
    }
}
