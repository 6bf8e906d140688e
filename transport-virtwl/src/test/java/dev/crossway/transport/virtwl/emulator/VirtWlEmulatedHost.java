package dev.crossway.transport.virtwl.emulator;

import static dev.crossway.transport.virtwl.sys.VirtWlUapi.VIRTWL_HOST_MAX_DATA;
import static dev.crossway.transport.virtwl.sys.VirtWlUapi.VIRTWL_SEND_MAX_ALLOCS;

import dev.crossway.linux.Fds;
import dev.crossway.linux.LinuxException;
import dev.crossway.linux.PollFds;
import dev.crossway.linux.UnixSocket;
import dev.crossway.linux.WakePipe;
import dev.crossway.linux.sys.LibC;
import dev.crossway.linux.sys.Native;
import dev.crossway.spi.FdQueue;
import dev.crossway.transport.virtwl.emulator.VirtWlEmulatedVfd.Kind;
import dev.crossway.transport.virtwl.emulator.VirtWlEmulatedVfd.Message;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * crosvm's wl device worker ({@code devices/src/virtio/wl.rs}), with the guest driver's in-queue: one
 * thread that moves data between the host's fds and the guest's VFDs.
 *
 * <p>Contexts: each readable compositor socket gives one message of at most
 * {@value dev.crossway.transport.virtwl.sys.VirtWlUapi#VIRTWL_HOST_MAX_DATA} bytes and 28 fds, each fd
 * becoming a VFD as crosvm classifies it (seekable: memory; else a pipe, read or write by its access
 * mode); its end of file is the hang-up. Pipes: host data for a guest pipe in chunks of the same size,
 * guest data for a host pipe as it comes, each end's hang-up passed on. A VFD whose guest fds are all
 * closed is closed on the host too.
 *
 * <p>The in-queue: every message and chunk waiting for the guest holds one of
 * {@link VirtWlEmulatorConfig#inQueuePages} pages until the guest takes it; with none left the worker
 * reads no host fd at all, so one guest that does not read stalls the whole device, as on crosvm.
 */
final class VirtWlEmulatedHost implements Runnable {
    private final VirtWlEmulator kernel;
    private final WakePipe wake;
    private Thread thread;
    private volatile boolean stopped;
    private int nextHostId = 0x40000000; // crosvm's NEXT_VFD_ID_BASE: host-made VFDs have this bit

    VirtWlEmulatedHost(VirtWlEmulator kernel) {
        this.kernel = kernel;
        try {
            this.wake = WakePipe.open();
        } catch (LinuxException e) {
            throw new IllegalStateException(e);
        }
    }

    void wakeUp() {
        wake.wake();
    }

    private synchronized void ensureStarted() {
        if (thread == null && !stopped) {
            thread = new Thread(this, "virtwl-emulator-worker");
            thread.setDaemon(true);
            thread.start();
        }
    }

    void stop() {
        Thread t;
        synchronized (this) {
            stopped = true;
            t = thread;
        }
        wake.wake();
        if (t != null) {
            try {
                t.join(5000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        wake.close();
    }

    // ---------------------------------------------------------------- NEW

    /** NEW_CTX: connects to {@code socket} (crosvm's generic error if there is none); returns the guest fd. */
    int newContext(int id, Path socket) throws IOException {
        if (socket == null) {
            throw new IOException("no --wayland-sock for this context");
        }
        UnixSocket connection = UnixSocket.connect(socket);
        int[] notify;
        try {
            notify = Fds.pipe();
        } catch (LinuxException e) {
            connection.close();
            throw e;
        }
        synchronized (kernel) {
            VirtWlEmulatedVfd vfd = kernel.add(id, Kind.CONTEXT, notify[0], 0);
            vfd.socket = connection;
            vfd.notifyWrite = notify[1];
            Fds.setNonBlocking(notify[1]);
        }
        ensureStarted();
        wake.wake();
        return notify[0];
    }

    /** NEW_PIPE_READ or NEW_PIPE_WRITE: the guest's pipe and crosvm's local pipe; returns the guest fd. */
    int newPipe(int id, Kind kind) throws IOException {
        int[] guest = Fds.pipe();
        int[] local = Fds.pipe();
        boolean toGuest = kind == Kind.PIPE_TO_GUEST;
        int guestFd = toGuest ? guest[0] : guest[1];
        synchronized (kernel) {
            VirtWlEmulatedVfd vfd = kernel.add(id, kind, guestFd, 0);
            vfd.kernelEnd = toGuest ? guest[1] : guest[0];
            // crosvm's pipe_remote_write_local_read / pipe_remote_read_local_write.
            vfd.hostFd = toGuest ? local[0] : local[1];
            vfd.remote = toGuest ? local[1] : local[0];
            Fds.setNonBlocking(vfd.kernelEnd);
            Fds.setNonBlocking(vfd.hostFd);
        }
        ensureStarted();
        wake.wake();
        return guestFd;
    }

    // ---------------------------------------------------------------- the worker

    private record Polled(VirtWlEmulatedVfd vfd, boolean host) {
    }

    @Override
    public void run() {
        PollFds pollFds = new PollFds(16);
        List<Polled> polled = new ArrayList<>();
        ByteBuffer chunk = ByteBuffer.allocateDirect(VIRTWL_HOST_MAX_DATA);
        while (!stopped) {
            polled.clear();
            pollFds.clear().add(wake.fd(), LibC.POLLIN);
            synchronized (kernel) {
                boolean pagesLeft = kernel.inQueueUsed < kernel.config.inQueuePages;
                for (VirtWlEmulatedVfd v : kernel.vfds()) {
                    switch (v.kind) {
                        case CONTEXT -> {
                            if (v.hungUp) {
                                continue;
                            }
                            pollFds.add(v.notifyWrite, (short) 0); // POLLERR once the guest closed it
                            polled.add(new Polled(v, false));
                            if (pagesLeft) {
                                pollFds.add(v.socket.fd(), LibC.POLLIN);
                                polled.add(new Polled(v, true));
                            }
                        }
                        case PIPE_TO_GUEST -> {
                            pollFds.add(v.kernelEnd, v.pending.isEmpty() ? 0 : LibC.POLLOUT);
                            polled.add(new Polled(v, false));
                            if (pagesLeft && v.hostFd >= 0) {
                                pollFds.add(v.hostFd, LibC.POLLIN);
                                polled.add(new Polled(v, true));
                            }
                        }
                        case PIPE_FROM_GUEST -> {
                            // The guest's next bytes (or its end of file) only once the host took the last ones.
                            if (v.pending.isEmpty()) {
                                pollFds.add(v.kernelEnd, LibC.POLLIN);
                                polled.add(new Polled(v, false));
                            }
                            pollFds.add(v.hostFd, v.pending.isEmpty() ? 0 : LibC.POLLOUT);
                            polled.add(new Polled(v, true));
                        }
                        default -> {
                        }
                    }
                }
            }
            try {
                pollFds.poll(-1);
            } catch (LinuxException e) {
                kernel.hostError("worker poll: " + e.getMessage());
                return;
            }
            if (pollFds.revents(0) != 0) {
                wake.drain();
            }
            synchronized (kernel) {
                for (int i = 0; i < polled.size(); i++) {
                    short revents = pollFds.revents(i + 1);
                    Polled p = polled.get(i);
                    if (revents == 0 || !kernel.isLive(p.vfd())) {
                        continue;
                    }
                    try {
                        handle(p.vfd(), p.host(), revents, chunk);
                    } catch (IOException | RuntimeException e) {
                        kernel.hostError(p.vfd() + ": " + e);
                        release(p.vfd());
                    }
                }
                kernel.notifyAll();
            }
        }
    }

    /** One ready fd of {@code v}: its host side ({@code host}) or the guest's. Caller holds the kernel's lock. */
    private void handle(VirtWlEmulatedVfd v, boolean host, short revents, ByteBuffer chunk) throws IOException {
        switch (v.kind) {
            case CONTEXT -> {
                if (!host) {
                    release(v); // the guest closed its last fd: crosvm closes the socket
                } else {
                    receive(v);
                }
            }
            case PIPE_TO_GUEST -> {
                if (!host) {
                    if ((revents & LibC.POLLERR) != 0) {
                        release(v); // the guest reader is gone
                    } else {
                        deliver(v);
                    }
                } else {
                    chunk.clear();
                    int n = Fds.tryRead(v.hostFd, chunk);
                    if (n > 0) {
                        chunk.flip();
                        v.pending.add(ByteBuffer.allocateDirect(n).put(chunk).flip());
                        kernel.inQueueUsed++;
                        deliver(v);
                    } else if (n < 0) {
                        v.hostEof = true; // the compositor's writer hung up
                        Fds.close(v.hostFd);
                        v.hostFd = -1;
                        deliver(v);
                    }
                }
            }
            case PIPE_FROM_GUEST -> {
                if (!host) {
                    chunk.clear();
                    int n = Fds.tryRead(v.kernelEnd, chunk);
                    if (n > 0) {
                        chunk.flip();
                        v.pending.add(ByteBuffer.allocateDirect(n).put(chunk).flip());
                        forward(v);
                    } else if (n < 0) {
                        release(v); // the guest closed its writer: the compositor's reader sees end of file
                    }
                } else if ((revents & LibC.POLLERR) != 0) {
                    release(v); // the compositor's reader is gone: the guest's writes now fail
                } else {
                    forward(v);
                }
            }
            default -> {
            }
        }
    }

    /** Reads one message from a context's socket into its queue (its VFDs made now); EOF is the hang-up. */
    private void receive(VirtWlEmulatedVfd ctx) throws IOException {
        ByteBuffer data = ByteBuffer.allocateDirect(VIRTWL_HOST_MAX_DATA);
        FdQueue fds = new FdQueue();
        int n;
        try {
            n = ctx.socket.receive(data, fds);
        } catch (LinuxException e) {
            if (e.errno() != LibC.ECONNRESET) {
                throw e;
            }
            n = -1;
        }
        if (n < 0) {
            ctx.hungUp = true;
            ctx.socket.close();
            ctx.socket = null;
            Fds.close(ctx.notifyWrite); // the guest's fd polls POLLHUP once drained
            ctx.notifyWrite = -1;
            return;
        }
        if (fds.size() > VIRTWL_SEND_MAX_ALLOCS) {
            kernel.hostError("the compositor sent " + fds.size() + " fds in one message; crosvm takes " + VIRTWL_SEND_MAX_ALLOCS);
            fds.closeAll(Fds.CLOSER);
        }
        data.flip();
        byte[] bytes = new byte[data.remaining()];
        data.get(bytes);
        Message m = new Message(bytes);
        try {
            while (!fds.isEmpty()) {
                m.guestFds.add(hostVfd(fds.take()));
            }
        } catch (IOException e) {
            fds.closeAll(Fds.CLOSER);
            m.guestFds.forEach(Fds::close);
            throw e;
        }
        ctx.incoming.add(m);
        kernel.inQueueUsed++;
        Fds.write(ctx.notifyWrite, ByteBuffer.allocateDirect(1));
    }

    /** A compositor fd as a new VFD, classified as crosvm does; returns the guest's fd for it. */
    private int hostVfd(int fd) throws IOException {
        int id = nextHostId++;
        long end = Native.libc().lseek(fd, 0, LibC.SEEK_END);
        if (end >= 0) {
            // Seekable: shared memory. The guest maps the same memfd.
            kernel.add(id, Kind.MEMORY, fd, end);
            return fd;
        }
        int access = Fds.statusFlags(fd) & LibC.O_ACCMODE;
        if (access == LibC.O_RDWR) {
            Fds.close(fd);
            throw new IOException("the compositor sent an fd that is neither memory nor a pipe end (a socket?); crosvm cannot carry it");
        }
        boolean toGuest = access == LibC.O_RDONLY; // the compositor's read end: the guest reads
        int[] guest = Fds.pipe();
        int guestFd = toGuest ? guest[0] : guest[1];
        VirtWlEmulatedVfd v = kernel.add(id, toGuest ? Kind.PIPE_TO_GUEST : Kind.PIPE_FROM_GUEST, guestFd, 0);
        v.kernelEnd = toGuest ? guest[1] : guest[0];
        v.hostFd = fd;
        Fds.setNonBlocking(v.kernelEnd);
        Fds.setNonBlocking(fd);
        return guestFd;
    }

    /** Writes pending host data into the guest's pipe; closes it after the host's hang-up once all is in. */
    private void deliver(VirtWlEmulatedVfd v) throws LinuxException {
        while (!v.pending.isEmpty()) {
            ByteBuffer head = v.pending.peek();
            try {
                Fds.tryWrite(v.kernelEnd, head);
            } catch (LinuxException e) {
                if (e.errno() != LibC.EPIPE) {
                    throw e;
                }
                // The guest closed its reader between the poll and this write: the guest kernel drops
                // what arrives for a VFD it closed, so the host only lets the VFD go.
                release(v);
                return;
            }
            if (head.hasRemaining()) {
                return;
            }
            v.pending.poll();
            kernel.inQueueUsed--;
        }
        if (v.hostEof) {
            release(v);
        }
    }

    /** Writes pending guest data into the host's pipe. */
    private void forward(VirtWlEmulatedVfd v) throws LinuxException {
        while (!v.pending.isEmpty()) {
            ByteBuffer head = v.pending.peek();
            Fds.tryWrite(v.hostFd, head);
            if (head.hasRemaining()) {
                return;
            }
            v.pending.poll();
        }
    }

    /** The VFD is gone on both sides: its pages are freed and every fd held for it closed. */
    private void release(VirtWlEmulatedVfd v) {
        if (v.kind == Kind.PIPE_TO_GUEST) {
            kernel.inQueueUsed -= v.pending.size();
        }
        if (v.kind == Kind.CONTEXT) {
            kernel.inQueueUsed -= v.incoming.size();
        }
        v.closeAll();
        kernel.forget(v);
    }
}
