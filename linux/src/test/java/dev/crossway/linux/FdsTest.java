package dev.crossway.linux;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.crossway.linux.sys.LibC;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ReadOnlyBufferException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FdsTest {

    @Test
    void memfdMappingIsSharedBetweenMappings() throws Exception {
        int fd = Fds.memfd("fds-test", 8192);
        ByteBuffer writer = Fds.map(fd, 8192, true);
        ByteBuffer reader = Fds.map(fd, 8192, false);
        assertThat(writer.capacity()).isEqualTo(8192);
        assertThat(writer.position()).isZero();
        writer.put(4000, (byte) 42).putLong(8, 0x1122334455667788L);
        assertThat(reader.get(4000)).isEqualTo((byte) 42);
        assertThat(reader.getLong(8)).isEqualTo(0x1122334455667788L);
        assertThatThrownBy(() -> reader.put(0, (byte) 1)).isInstanceOf(ReadOnlyBufferException.class);
        Fds.unmap(writer);
        Fds.unmap(reader);
        Fds.close(fd);
    }

    @Test
    void memfdHasTheRequestedSizeAndStartsZeroed() throws Exception {
        int fd = Fds.memfd("sized", 12345);
        assertThat(Fds.size(fd)).isEqualTo(12345);
        ByteBuffer m = Fds.map(fd, 12345, false);
        for (int i = 0; i < m.capacity(); i++) {
            assertThat(m.get(i)).isZero();
        }
        Fds.unmap(m);
        Fds.close(fd);
    }

    @Test
    void mapRejectsSizesOneByteBufferCannotReach() throws Exception {
        int fd = Fds.memfd("huge", 1);
        assertThatThrownBy(() -> Fds.map(fd, 1L << 31, false)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Fds.map(fd, 0, false)).isInstanceOf(IllegalArgumentException.class);
        Fds.close(fd);
    }

    @Test
    void pipeCarriesBytesFromWriteEndToReadEnd() throws Exception {
        int[] p = Fds.pipe();
        try (OutputStream w = Files.newOutputStream(UnixSocketTest.procFd(p[1]))) {
            w.write("abc".getBytes(UTF_8));
        }
        Fds.close(p[1]);
        try (InputStream r = Files.newInputStream(UnixSocketTest.procFd(p[0]))) {
            assertThat(new String(r.readAllBytes(), UTF_8)).isEqualTo("abc");
        }
        Fds.close(p[0]);
    }

    @Test
    void dupOutlivesTheOriginal() throws Exception {
        int fd = Fds.memfd("dup", 100);
        int copy = Fds.dup(fd);
        assertThat(copy).isNotEqualTo(fd);
        Fds.close(fd);
        assertThat(Fds.isOpen(copy)).isTrue();
        assertThat(Fds.size(copy)).isEqualTo(100);
        Fds.close(copy);
    }

    @Test
    void closeReportsEbadfForAnFdThatIsNotOpen() throws Exception {
        int fd = Fds.memfd("twice", 1);
        assertThat(Fds.close(fd)).isZero();
        assertThat(Fds.close(fd)).isEqualTo(LibC.EBADF);
    }

    @Test
    void onlyOneOpenOfALockFileHoldsTheLock(@TempDir Path dir) throws Exception {
        Path lock = dir.resolve("wayland-1.lock");
        int first = Fds.openLock(lock);
        int second = Fds.openLock(lock);
        assertThat(Fds.tryLock(first)).isTrue();
        assertThat(Fds.tryLock(second)).isFalse();
        Fds.close(first);
        assertThat(Fds.tryLock(second)).isTrue();
        Fds.close(second);
    }

    @Test
    void aSymbolicLinkAtTheLockPathIsRefusedAndNotFollowed(@TempDir Path dir) throws Exception {
        Path target = dir.resolve("elsewhere");
        Path lock = dir.resolve("wayland-0.lock");
        Files.createSymbolicLink(lock, target);
        assertThatThrownBy(() -> Fds.openLock(lock))
                .isInstanceOf(LinuxException.class)
                .hasMessageContaining("ELOOP (40)")
                .hasMessageContaining("symbolic link");
        assertThat(target).doesNotExist();
    }

    @Test
    void aLockPathThatIsNotARegularFileIsRefused(@TempDir Path dir) throws Exception {
        Path lock = dir.resolve("wayland-0.lock");
        Files.createDirectory(lock);
        assertThatThrownBy(() -> Fds.openLock(lock)).isInstanceOf(LinuxException.class).hasMessageContaining(lock.toString());
    }

    @Test
    void countOpenFdsSeesNewFds() throws Exception {
        // The count is process-wide, and earlier tests' threads may still be closing fds: a few tries.
        boolean exact = false;
        for (int attempt = 0; attempt < 5 && !exact; attempt++) {
            int before = Fds.countOpenFds();
            int[] p = Fds.pipe();
            int during = Fds.countOpenFds();
            Fds.close(p[0]);
            Fds.close(p[1]);
            exact = during == before + 2 && Fds.countOpenFds() == before;
        }
        assertThat(exact).as("a pipe's two fds counted while open, and not after").isTrue();
    }

    @Test
    void failuresNameTheCallTheErrnoAndStrerror() {
        assertThat(new LinuxException("sendmsg", 32).getMessage()).isEqualTo("sendmsg failed: EPIPE (32): Broken pipe");
        assertThat(new LinuxException("bind", 98, "remove it").getMessage())
                .isEqualTo("bind failed: EADDRINUSE (98): Address already in use; remove it");
        assertThat(LinuxException.errnoName(11)).isEqualTo("EAGAIN");
        assertThat(LinuxException.errnoName(41)).isEqualTo("errno 41");
        assertThatThrownBy(() -> Fds.dup(-1)).hasMessage("fcntl(-1, F_DUPFD_CLOEXEC) failed: EBADF (9): Bad file descriptor");
    }

    @Test
    void theOpenFileLimitIsRaisedToTheHardLimit() throws Exception {
        int soft = Fds.raiseOpenFileLimit();
        String line = Files.readAllLines(Path.of("/proc/self/limits")).stream().filter(l -> l.startsWith("Max open files"))
                .findFirst().orElseThrow();
        String[] fields = line.substring("Max open files".length()).trim().split("\\s+");
        assertThat(fields[0]).as("soft limit now").isEqualTo(fields[1].equals("unlimited") ? fields[0] : fields[1]);
        assertThat(String.valueOf(soft)).isEqualTo(fields[0]);
    }

    @Test
    void anonymousMemoryIsZeroedWritableAndGoneFromTheMapsOnceUnmapped() throws Exception {
        ByteBuffer m = Fds.mapAnonymous(65536);
        assertThat(m.isDirect()).isTrue();
        assertThat(m.capacity()).isEqualTo(65536);
        assertThat(m.getLong(0)).isZero();
        assertThat(m.getLong(65528)).isZero();
        m.putLong(65528, 0x1122334455667788L);
        assertThat(m.getLong(65528)).isEqualTo(0x1122334455667788L);
        long address = dev.crossway.linux.sys.Native.address(m);
        assertThat(mapped(address)).as("the mapping in /proc/self/maps").isTrue();
        Fds.unmap(m);
        assertThat(mapped(address)).as("after munmap").isFalse();
        assertThatThrownBy(() -> Fds.mapAnonymous(0)).hasMessage("mapping size must be at least 1 byte, was 0");
    }

    /** Whether a line of /proc/self/maps covers {@code address} (the kernel may merge neighbouring mappings). */
    private static boolean mapped(long address) throws Exception {
        for (String line : Files.readAllLines(Path.of("/proc/self/maps"))) {
            String[] range = line.substring(0, line.indexOf(' ')).split("-");
            if (Long.compareUnsigned(Long.parseUnsignedLong(range[0], 16), address) <= 0
                    && Long.compareUnsigned(address, Long.parseUnsignedLong(range[1], 16)) < 0) {
                return true;
            }
        }
        return false;
    }
}
