package dev.crossway.transport.virtwl;

import static dev.crossway.transport.virtwl.sys.VirtWlUapi.*;
import static org.assertj.core.api.Assertions.assertThat;

import dev.crossway.linux.Fds;
import dev.crossway.linux.UnixServerSocket;
import dev.crossway.linux.sys.LibC;
import dev.crossway.linux.sys.Native;
import dev.crossway.transport.virtwl.emulator.VirtWlEmulator;
import dev.crossway.transport.virtwl.emulator.VirtWlEmulatorConfig;
import dev.crossway.transport.virtwl.sys.VirtWlIoctlNew;
import dev.crossway.transport.virtwl.sys.VirtWlIoctlTxn;
import java.nio.file.Path;
import jnr.ffi.Memory;
import jnr.ffi.Pointer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The emulated device refuses, with the driver's errno, the struct bytes the real driver refuses. */
class VirtWlEmulatorTest {
    @TempDir
    Path dir;

    private UnixServerSocket compositor;
    private VirtWlEmulator emulator;
    private int node;

    @BeforeEach
    void open() throws Exception {
        compositor = UnixServerSocket.bind(dir.resolve("wayland-0"));
        emulator = new VirtWlEmulator(VirtWlEmulatorConfig.of(dir.resolve("wayland-0")));
        node = emulator.open(VirtWlEmulator.NODE);
        assertThat(node).isNotNegative();
    }

    @AfterEach
    void close() {
        emulator.close(node);
        emulator.close();
        compositor.close();
    }

    private static Pointer newStruct(int type, int flags, int size) {
        Pointer p = Memory.allocateDirect(Native.runtime(), VirtWlIoctlNew.SIZEOF, true);
        p.putInt(VirtWlIoctlNew.TYPE, type);
        p.putInt(VirtWlIoctlNew.FD, -1);
        p.putInt(VirtWlIoctlNew.FLAGS, flags);
        p.putInt(VirtWlIoctlNew.SIZE, size);
        return p;
    }

    private static Pointer txn(int len, int... fds) {
        Pointer p = Memory.allocateDirect(Native.runtime(), VirtWlIoctlTxn.SIZEOF + Math.max(len, 1), true);
        for (int i = 0; i < VIRTWL_SEND_MAX_ALLOCS; i++) {
            p.putInt(VirtWlIoctlTxn.FDS + 4L * i, i < fds.length ? fds[i] : -1);
        }
        p.putInt(VirtWlIoctlTxn.LEN, len);
        return p;
    }

    private int newVfd(int type) {
        Pointer p = newStruct(type, 0, 4096);
        assertThat(emulator.ioctl(node, VIRTWL_IOCTL_NEW, p.address())).isZero();
        return p.getInt(VirtWlIoctlNew.FD);
    }

    @Test
    void theNodeAnswersOnlyNew() {
        assertThat(emulator.ioctl(node, VIRTWL_IOCTL_SEND, txn(1).address())).isEqualTo(-LibC.ENOTTY);
        assertThat(emulator.ioctl(node, 0xC0307709L, newStruct(VIRTWL_IOCTL_NEW_ALLOC, 0, 4096).address())).isEqualTo(-LibC.ENOTTY);
    }

    @Test
    void newRefusesUnknownTypesFlagsAndDmabufsWithoutGbm() {
        assertThat(emulator.ioctl(node, VIRTWL_IOCTL_NEW, newStruct(9, 0, 0).address())).as("invalid type").isEqualTo(-LibC.EINVAL);
        assertThat(emulator.ioctl(node, VIRTWL_IOCTL_NEW, newStruct(VIRTWL_IOCTL_NEW_ALLOC, 1, 4096).address()))
                .as("invalid flags").isEqualTo(-LibC.EPERM);
        assertThat(emulator.ioctl(node, VIRTWL_IOCTL_NEW, newStruct(VIRTWL_IOCTL_NEW_DMABUF, 0, 0).address()))
                .as("invalid command").isEqualTo(-LibC.ENOTTY);
        compositor.close();
        assertThat(emulator.ioctl(node, VIRTWL_IOCTL_NEW, newStruct(VIRTWL_IOCTL_NEW_CTX, 0, 0).address()))
                .as("no compositor to connect to: crosvm's generic error").isEqualTo(-LibC.ENODEV);
    }

    @Test
    void theOldSixteenByteNewStillMakesMemory() throws Exception {
        Pointer p = newStruct(VIRTWL_IOCTL_NEW_ALLOC, 0, 5000);
        assertThat(emulator.ioctl(node, 0xC0107700L, p.address())).isZero();
        int vfd = p.getInt(VirtWlIoctlNew.FD);
        assertThat(Fds.size(vfd)).as("rounded up to pages").isEqualTo(8192);
        Fds.close(vfd);
    }

    @Test
    void sendTakesOnlyThisDevicesVfdsAndOnlyOnAContext() throws Exception {
        int ctx = newVfd(VIRTWL_IOCTL_NEW_CTX);
        int memfd = Fds.memfd("not-a-vfd", 4096);
        assertThat(emulator.ioctl(ctx, VIRTWL_IOCTL_SEND, txn(1, memfd).address())).isEqualTo(-LibC.EBADFD);
        int alloc = newVfd(VIRTWL_IOCTL_NEW_ALLOC);
        assertThat(emulator.ioctl(ctx, VIRTWL_IOCTL_SEND, txn(1, alloc).address())).isZero();
        int pipe = newVfd(VIRTWL_IOCTL_NEW_PIPE_READ);
        assertThat(emulator.ioctl(pipe, VIRTWL_IOCTL_SEND, txn(1).address())).as("SEND on a pipe VFD").isEqualTo(-LibC.EINVAL);
        assertThat(emulator.ioctl(memfd, VIRTWL_IOCTL_SEND, txn(1).address())).as("SEND on no VFD at all").isEqualTo(-LibC.ENOTTY);
        for (int fd : new int[] {memfd, alloc, pipe, ctx}) {
            Fds.close(fd);
        }
    }

    @Test
    void recvNeedsRoomAndDoesNotBlockANonBlockingContext() throws Exception {
        int ctx = newVfd(VIRTWL_IOCTL_NEW_CTX);
        assertThat(emulator.ioctl(ctx, VIRTWL_IOCTL_RECV, txn(0).address())).as("len 0").isEqualTo(-LibC.EINVAL);
        Fds.setNonBlocking(ctx);
        assertThat(emulator.ioctl(ctx, VIRTWL_IOCTL_RECV, txn(64).address())).as("nothing queued").isEqualTo(-LibC.EAGAIN);
        Fds.close(ctx);
        assertThat(emulator.hostErrors()).isEmpty();
    }
}
