package dev.crossway.linux;

import dev.crossway.linux.testing.OpenFds;
import java.time.Duration;
import java.util.Map;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.crossway.spi.FdQueue;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(20)
class UnixSocketTest {
    private UnixSocket a;
    private UnixSocket b;
    private final FdQueue noFds = new FdQueue();

    @BeforeEach
    void pair() throws Exception {
        UnixSocket[] pair = UnixSocket.pair();
        a = pair[0];
        b = pair[1];
    }

    @AfterEach
    void close() {
        a.close();
        b.close();
    }

    @Test
    void bytesSentOnOneEndArriveOnTheOther() throws Exception {
        a.send(direct("hello, compositor"), noFds);
        ByteBuffer dst = ByteBuffer.allocateDirect(64);
        int n = b.receive(dst, noFds);
        assertThat(n).isEqualTo(17);
        assertThat(dst.position()).isEqualTo(17);
        assertThat(text(dst)).isEqualTo("hello, compositor");
    }

    @Test
    void receiveAppendsAtTheBufferPosition() throws Exception {
        ByteBuffer dst = ByteBuffer.allocateDirect(64);
        dst.put("ab".getBytes(UTF_8));
        a.send(direct("cd"), noFds);
        b.receive(dst, noFds);
        assertThat(text(dst)).isEqualTo("abcd");
    }

    @Test
    void heapBuffersWorkThroughACopy() throws Exception {
        byte[] payload = new byte[200_000];
        new Random(1).nextBytes(payload);
        CompletableFuture<byte[]> read = CompletableFuture.supplyAsync(() -> readFully(b, payload.length, false));
        a.send(ByteBuffer.wrap(payload), noFds);
        assertThat(read.get(10, TimeUnit.SECONDS)).isEqualTo(payload);
    }

    @Test
    void passedPipeEndIsUsableOnTheOtherSide() throws Exception {
        int[] pipe = Fds.pipe();
        FdQueue fds = new FdQueue();
        fds.add(pipe[1]);
        a.send(direct("x"), fds);
        FdQueue got = new FdQueue();
        b.receive(ByteBuffer.allocateDirect(16), got);
        assertThat(got.size()).isEqualTo(1);
        int writeEnd = got.take();
        try (OutputStream w = Files.newOutputStream(procFd(writeEnd))) {
            w.write("through the pipe".getBytes(UTF_8));
        }
        Fds.close(writeEnd);
        try (InputStream r = Files.newInputStream(procFd(pipe[0]))) {
            assertThat(new String(r.readAllBytes(), UTF_8)).isEqualTo("through the pipe");
        }
        Fds.close(pipe[0]);
    }

    @Test
    void passedMemfdSharesItsMemoryWithTheSender() throws Exception {
        int memfd = Fds.memfd("test", 4096);
        ByteBuffer mine = Fds.map(memfd, 4096, true);
        FdQueue fds = new FdQueue();
        fds.add(Fds.dup(memfd));
        a.send(direct("x"), fds);
        FdQueue got = new FdQueue();
        b.receive(ByteBuffer.allocateDirect(16), got);
        int theirs = got.take();
        ByteBuffer view = Fds.map(theirs, 4096, true);
        view.putInt(100, 0xC0FFEE);
        assertThat(mine.getInt(100)).isEqualTo(0xC0FFEE);
        Fds.unmap(view);
        Fds.unmap(mine);
        Fds.close(theirs);
        Fds.close(memfd);
    }

    @Test
    void hundredFdsOverSeveralSendsArriveInOrder() throws Exception {
        // memfd i has size i + 1, so each received fd shows where it came from.
        FdQueue fds = new FdQueue();
        for (int i = 0; i < 100; i++) {
            fds.add(Fds.memfd("fd" + i, i + 1));
            if (fds.size() == 28 || i == 99) {
                a.send(direct("m"), fds);
            }
        }
        FdQueue got = new FdQueue();
        ByteBuffer dst = ByteBuffer.allocateDirect(16);
        while (got.size() < 100) {
            assertThat(b.receive(dst, got)).isPositive();
            dst.clear();
        }
        for (int i = 0; i < 100; i++) {
            int fd = got.take();
            assertThat(Fds.size(fd)).as("fd #%d", i).isEqualTo(i + 1);
            Fds.close(fd);
        }
    }

    @Test
    void largeSendLoopsOverPartialWritesWhileThePeerReads() throws Exception {
        byte[] payload = new byte[1 << 20];
        new Random(2).nextBytes(payload);
        ByteBuffer src = ByteBuffer.allocateDirect(payload.length).put(payload).flip();
        int memfd = Fds.memfd("big", 1);
        FdQueue fds = new FdQueue();
        fds.add(memfd);
        CompletableFuture<byte[]> read = CompletableFuture.supplyAsync(() -> readFully(b, payload.length, true));
        a.send(src, fds);
        assertThat(src.hasRemaining()).isFalse();
        assertThat(read.get(10, TimeUnit.SECONDS)).isEqualTo(payload);
    }

    @Test
    void sendClosesTheFdsItCarried() throws Exception {
        int[] pipe = Fds.pipe();
        Fds.Stat pipeFile = Fds.stat(pipe[0]);
        FdQueue fds = new FdQueue();
        fds.add(pipe[0]);
        fds.add(pipe[1]);
        a.send(direct("x"), fds);
        assertThat(fds.isEmpty()).isTrue();
        assertThat(Fds.isOpenOn(pipe[0], pipeFile)).isFalse();
        assertThat(Fds.isOpenOn(pipe[1], pipeFile)).isFalse();
        FdQueue got = new FdQueue();
        b.receive(ByteBuffer.allocateDirect(16), got);
        got.closeAll(Fds.CLOSER);
    }

    @Test
    void fdCountReturnsToBaselineAfterPassingFds() throws Exception {
        ByteBuffer dst = ByteBuffer.allocateDirect(16);
        Map<Integer, String> before = OpenFds.snapshot();
        for (int i = 0; i < 10; i++) {
            FdQueue fds = new FdQueue();
            int[] pipe = Fds.pipe();
            fds.add(pipe[0]);
            fds.add(pipe[1]);
            a.send(direct("x"), fds);
            FdQueue got = new FdQueue();
            dst.clear();
            b.receive(dst, got);
            assertThat(got.size()).isEqualTo(2);
            got.closeAll(Fds.CLOSER);
        }
        OpenFds.assertNoneOpenedSince(before, Duration.ofSeconds(2));
    }

    @Test
    void sendClosesTheFdsEvenWhenItFails() throws Exception {
        b.close();
        int[] pipe = Fds.pipe();
        Fds.Stat pipeFile = Fds.stat(pipe[0]);
        FdQueue fds = new FdQueue();
        fds.add(pipe[0]);
        fds.add(pipe[1]);
        assertThatThrownBy(() -> a.send(direct("x"), fds))
                .isInstanceOf(LinuxException.class)
                .hasMessageStartingWith("sendmsg failed: EPIPE (32): Broken pipe");
        assertThat(fds.isEmpty()).isTrue();
        assertThat(Fds.isOpenOn(pipe[0], pipeFile)).isFalse();
        assertThat(Fds.isOpenOn(pipe[1], pipeFile)).isFalse();
    }

    @Test
    void sendAfterCloseFailsAndClosesTheFds() throws Exception {
        a.close();
        int[] pipe = Fds.pipe();
        Fds.Stat pipeFile = Fds.stat(pipe[0]);
        FdQueue fds = new FdQueue();
        fds.add(pipe[1]);
        assertThatThrownBy(() -> a.send(direct("x"), fds)).isInstanceOf(ClosedChannelException.class);
        assertThat(Fds.isOpenOn(pipe[1], pipeFile)).isFalse();
        Fds.close(pipe[0]);
    }

    @Test
    void fdsNeedAtLeastOneByteToTravelWith() throws Exception {
        int[] pipe = Fds.pipe();
        Fds.Stat pipeFile = Fds.stat(pipe[0]);
        FdQueue fds = new FdQueue();
        fds.add(pipe[0]);
        fds.add(pipe[1]);
        assertThatThrownBy(() -> a.send(ByteBuffer.allocateDirect(0), fds)).isInstanceOf(IllegalArgumentException.class);
        assertThat(Fds.isOpenOn(pipe[0], pipeFile)).isFalse();
    }

    @Test
    void receiveReturnsMinusOneAtEof() throws Exception {
        a.close();
        assertThat(b.receive(ByteBuffer.allocateDirect(16), noFds)).isEqualTo(-1);
    }

    @Test
    void closeWakesBlockedReceive() throws Exception {
        CompletableFuture<Integer> blocked = CompletableFuture.supplyAsync(() -> {
            try {
                return b.receive(ByteBuffer.allocateDirect(16), new FdQueue());
            } catch (Exception e) {
                throw new RuntimeException(e);
            }
        });
        Thread.sleep(200);
        assertThat(blocked).isNotDone();
        b.close();
        assertThat(blocked.get(1, TimeUnit.SECONDS)).isEqualTo(-1);
        assertThat(b.receive(ByteBuffer.allocateDirect(16), noFds)).isEqualTo(-1);
    }

    @Test
    void closeIsIdempotentAndReleasesTheFd() {
        int fd = a.fd();
        String socket = OpenFds.snapshot().get(fd);
        assertThat(socket).startsWith("socket:");
        a.close();
        a.close();
        // The number may be reused at once by another thread's open, but not for this socket.
        assertThat(OpenFds.snapshot().get(fd)).isNotEqualTo(socket);
    }

    @Test
    void connectToAMissingSocketSaysWhatToCheck(@TempDir Path dir) {
        Path missing = dir.resolve("wayland-9");
        assertThatThrownBy(() -> UnixSocket.connect(missing))
                .isInstanceOf(LinuxException.class)
                .hasMessage("connect to " + missing + " failed: ENOENT (2): No such file or directory; "
                        + "is the compositor running? check WAYLAND_DISPLAY / --host-display");
    }

    @Test
    void socketPathsLongerThanSunPathAreRejected(@TempDir Path dir) {
        Path tooLong = dir.resolve("x".repeat(120));
        assertThatThrownBy(() -> UnixSocket.connect(tooLong)).hasMessageContaining("ENAMETOOLONG").hasMessageContaining("at most 107 bytes");
    }

    @Test
    void steadyStateSendAndReceiveAllocateNothing() throws Throwable {
        MethodHandle allocated = allocatedBytesOfThisThread();
        ByteBuffer src = ByteBuffer.allocateDirect(64);
        ByteBuffer dst = ByteBuffer.allocateDirect(64);
        FdQueue out = new FdQueue();
        FdQueue in = new FdQueue();
        int memfd = Fds.memfd("steady", 1);
        Runnable round = () -> {
            try {
                src.clear().putLong(1).putLong(2).flip();
                out.add(Fds.dup(memfd));
                a.send(src, out);
                dst.clear();
                b.receive(dst, in);
                in.closeAll(Fds.CLOSER);
            } catch (Exception e) {
                throw new RuntimeException(e);
            }
        };
        for (int i = 0; i < 20_000; i++) {
            round.run();
        }
        long start = (long) allocated.invoke();
        for (int i = 0; i < 10_000; i++) {
            round.run();
        }
        long bytes = (long) allocated.invoke() - start;
        Fds.close(memfd);
        // One object per round would be at least 160,000 bytes; allow under one byte per round for
        // one-off allocations (JIT deoptimisation, class init), which vary from run to run.
        assertThat(bytes).as("bytes allocated by 10,000 send+receive rounds").isLessThan(10_000);
    }

    /**
     * {@code com.sun.management.ThreadMXBean#getCurrentThreadAllocatedBytes}, reached reflectively: the
     * tests run inside dev.crossway.linux, which does not read java.management or jdk.management.
     */
    private static MethodHandle allocatedBytesOfThisThread() throws Exception {
        Object threads = Class.forName("java.lang.management.ManagementFactory").getMethod("getThreadMXBean").invoke(null);
        Class<?> bean = Class.forName("com.sun.management.ThreadMXBean");
        MethodHandle h = MethodHandles.publicLookup().findVirtual(bean, "getCurrentThreadAllocatedBytes", MethodType.methodType(long.class));
        return h.bindTo(threads);
    }

    private static byte[] readFully(UnixSocket from, int size, boolean direct) {
        byte[] out = new byte[size];
        ByteBuffer dst = direct ? ByteBuffer.allocateDirect(8192) : ByteBuffer.allocate(8192);
        FdQueue fds = new FdQueue();
        int got = 0;
        try {
            while (got < size) {
                dst.clear();
                int n = from.receive(dst, fds);
                if (n < 0) {
                    break;
                }
                dst.flip().get(out, got, n);
                got += n;
            }
        } catch (Exception e) {
            throw new RuntimeException(e);
        }
        fds.closeAll(Fds.CLOSER);
        return got == size ? out : Arrays.copyOf(out, got);
    }

    static ByteBuffer direct(String s) {
        byte[] bytes = s.getBytes(UTF_8);
        return ByteBuffer.allocateDirect(bytes.length).put(bytes).flip();
    }

    static String text(ByteBuffer written) {
        ByteBuffer b = written.duplicate().flip();
        byte[] bytes = new byte[b.remaining()];
        b.get(bytes);
        return new String(bytes, UTF_8);
    }

    static Path procFd(int fd) {
        return Path.of("/proc/self/fd/" + fd);
    }
}
