package dev.crossway.transport.virtwl.emulator;

import dev.crossway.linux.Fds;
import dev.crossway.linux.UnixSocket;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

/**
 * One VFD, as the guest kernel and crosvm both know it. The guest holds a real fd for it (a pipe end or a
 * memfd), so {@code poll}, {@code read}, {@code write}, {@code mmap} and {@code close} behave as the
 * driver's do; the emulator holds the other ends and the host's fds, and finds a VFD from any guest fd
 * by the file behind it ({@link #key}).
 */
final class VirtWlEmulatedVfd {
    enum Kind {
        /** A connection to a host Wayland socket. Guest fd: a pipe's read end holding one byte per queued message. */
        CONTEXT,
        /** Shared memory. Guest fd: the memfd itself. */
        MEMORY,
        /** A pipe the guest reads. Guest fd: a pipe's read end; the emulator writes {@link #kernelEnd}. */
        PIPE_TO_GUEST,
        /** A pipe the guest writes. Guest fd: a pipe's write end; the emulator reads {@link #kernelEnd}. */
        PIPE_FROM_GUEST
    }

    /** A host message waiting in a context for the guest's RECV: bytes, and the VFDs' guest fds. */
    static final class Message {
        final byte[] data;
        int offset;
        final List<Integer> guestFds = new ArrayList<>();

        Message(byte[] data) {
            this.data = data;
        }
    }

    final int id;
    final Kind kind;
    /** The guest file's identity: {@code st_dev:st_ino}. */
    final String key;
    final long size;

    // CONTEXT
    UnixSocket socket;
    /** Write end of the guest fd's pipe: one byte per queued message; closed at hang-up. */
    int notifyWrite = -1;
    final ArrayDeque<Message> incoming = new ArrayDeque<>();
    boolean hungUp;
    final Object sendLock = new Object();

    // PIPE_TO_GUEST and PIPE_FROM_GUEST
    /** The emulator's end of the guest's pipe. */
    int kernelEnd = -1;
    /** crosvm's local pipe end: read (to guest) or written (from guest). */
    int hostFd = -1;
    /** The end crosvm hands the compositor when the VFD is sent, until then; -1 for a VFD the host made. */
    int remote = -1;
    /** Data on its way: from the host not yet in the guest's pipe, or from the guest not yet in the host's. */
    final ArrayDeque<ByteBuffer> pending = new ArrayDeque<>();
    boolean hostEof;

    VirtWlEmulatedVfd(int id, Kind kind, String key, long size) {
        this.id = id;
        this.kind = kind;
        this.key = key;
        this.size = size;
    }

    static String key(Fds.Stat st) {
        return st.dev() + ":" + st.ino();
    }

    /** Closes every fd the emulator holds for this VFD; undelivered guest fds too. */
    void closeAll() {
        for (int fd : new int[] {notifyWrite, kernelEnd, hostFd, remote}) {
            if (fd >= 0) {
                Fds.close(fd);
            }
        }
        notifyWrite = kernelEnd = hostFd = remote = -1;
        if (socket != null) {
            socket.close();
            socket = null;
        }
        for (Message m : incoming) {
            m.guestFds.forEach(Fds::close);
        }
        incoming.clear();
        pending.clear();
    }

    @Override
    public String toString() {
        return "VFD 0x" + Integer.toHexString(id) + " (" + kind + ")";
    }
}
