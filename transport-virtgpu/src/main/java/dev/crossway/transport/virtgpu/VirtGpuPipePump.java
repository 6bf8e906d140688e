package dev.crossway.transport.virtgpu;

import static dev.crossway.transport.virtgpu.sys.CrossDomainProtocol.CROSS_DOMAIN_MAX_WRITE_DATA;

import dev.crossway.linux.Fds;
import dev.crossway.linux.LinuxException;
import dev.crossway.linux.sys.LibC;
import dev.crossway.linux.sys.Native;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import jnr.ffi.Memory;
import jnr.ffi.Pointer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Carries guest-written pipe data to the host: for each write pipe the compositor sent (RECEIVE type 4),
 * the guest client got the write end of a local pipe; this thread reads the read ends and hands each
 * chunk (at most 4072 bytes, Sommelier's limit) to the connection as a WRITE command, and the hang-up
 * at end of file.
 *
 * <p>With an idle timeout ({@code pipe-idle-timeout}, 0 = off), a pipe that gave no data for that long
 * is ended as if at end of file: the host gets the hang-up and the local read end is closed (the guest
 * writer then sees EPIPE).
 *
 * <p>One thread per connection, started with the first pipe. Owns the read ends it was given and
 * closes them when done or when {@link #close()}d.
 */
final class VirtGpuPipePump implements Runnable {
    private static final Logger LOG = LoggerFactory.getLogger(VirtGpuPipePump.class);
    private static final LibC LIBC = Native.libc();

    /** Where the chunks go: the connection's WRITE submission. False when the connection is closed. */
    @FunctionalInterface
    interface Sink {
        boolean write(int identifier, boolean hangUp, ByteBuffer data) throws IOException;
    }

    private static final class Pipe {
        final int identifier;
        final int fd;
        long lastData = System.nanoTime();

        Pipe(int identifier, int fd) {
            this.identifier = identifier;
            this.fd = fd;
        }

        int identifier() {
            return identifier;
        }

        int fd() {
            return fd;
        }
    }

    private final Sink sink;
    private final String name;
    private final ConcurrentLinkedQueue<Pipe> added = new ConcurrentLinkedQueue<>();
    private final int[] wake;
    private final long idleTimeoutNanos;
    private volatile boolean stopped;
    private Thread thread;

    VirtGpuPipePump(Sink sink, String name) throws LinuxException {
        this(sink, name, 0);
    }

    /** @param idleTimeoutMillis a pipe without data for this long is ended; 0 means never */
    VirtGpuPipePump(Sink sink, String name, long idleTimeoutMillis) throws LinuxException {
        this.sink = sink;
        this.idleTimeoutNanos = idleTimeoutMillis * 1_000_000L;
        this.name = name;
        this.wake = Fds.pipe();
    }

    /** Takes ownership of {@code readFd}; its data goes to host write pipe {@code identifier}. */
    synchronized void add(int identifier, int readFd) {
        if (stopped) {
            Fds.close(readFd);
            return;
        }
        added.add(new Pipe(identifier, readFd));
        if (thread == null) {
            thread = new Thread(this, name);
            thread.setDaemon(true);
            thread.start();
        }
        wakeUp();
    }

    private void wakeUp() {
        ByteBuffer one = ByteBuffer.allocateDirect(1);
        try {
            Fds.write(wake[1], one);
        } catch (LinuxException e) {
            // the pipe holds 64 KiB of wake-ups; a full one wakes the thread anyway
        }
    }

    /** Stops the thread (waiting for it, unless called from it) and closes every read end. */
    void close() {
        Thread t;
        synchronized (this) {
            if (stopped) {
                return;
            }
            stopped = true;
            t = thread;
            wakeUp();
        }
        if (t == null) {
            closeFds(new ArrayList<>());
        } else if (t != Thread.currentThread()) {
            try {
                t.join(5000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    @Override
    public void run() {
        List<Pipe> active = new ArrayList<>();
        ByteBuffer chunk = ByteBuffer.allocateDirect(CROSS_DOMAIN_MAX_WRITE_DATA);
        ByteBuffer drain = ByteBuffer.allocateDirect(64);
        Pointer pollFds = null;
        int capacity = 0;
        try {
            while (!stopped) {
                for (Pipe p; (p = added.poll()) != null; ) {
                    active.add(p);
                }
                int n = active.size() + 1;
                if (n > capacity) {
                    capacity = Math.max(n, 2 * capacity);
                    pollFds = Memory.allocateDirect(Native.runtime(), 8 * capacity, true);
                }
                pollFds.putInt(0, wake[0]);
                pollFds.putShort(4, LibC.POLLIN);
                pollFds.putShort(6, (short) 0);
                for (int i = 0; i < active.size(); i++) {
                    pollFds.putInt(8L * (i + 1), active.get(i).fd());
                    pollFds.putShort(8L * (i + 1) + 4, LibC.POLLIN);
                    pollFds.putShort(8L * (i + 1) + 6, (short) 0);
                }
                int timeout = -1;
                if (idleTimeoutNanos > 0 && !active.isEmpty()) {
                    long now = System.nanoTime();
                    long next = Long.MAX_VALUE;
                    for (Pipe p : active) {
                        next = Math.min(next, p.lastData + idleTimeoutNanos - now);
                    }
                    timeout = (int) Math.min(Integer.MAX_VALUE, Math.max(0, (next + 999_999) / 1_000_000));
                }
                if (LIBC.poll(pollFds.address(), n, timeout) < 0) {
                    if (Native.errno() == LibC.EINTR) {
                        continue;
                    }
                    throw LinuxException.ofErrno("poll of guest write pipes");
                }
                if (pollFds.getShort(6) != 0) {
                    drain.clear();
                    Fds.read(wake[0], drain);
                }
                for (int i = active.size() - 1; i >= 0; i--) {
                    if (pollFds.getShort(8L * (i + 1) + 6) == 0) {
                        continue;
                    }
                    Pipe p = active.get(i);
                    chunk.clear();
                    int read;
                    try {
                        read = Fds.read(p.fd(), chunk);
                    } catch (LinuxException e) {
                        LOG.debug("reading guest pipe {} for host write pipe {}: {}", p.fd(), p.identifier(), e.getMessage());
                        read = -1;
                    }
                    chunk.flip();
                    // At end of file the host gets the hang-up and closes its end; so do we.
                    boolean hangUp = read < 0;
                    if (!sink.write(p.identifier(), hangUp, chunk)) {
                        return;
                    }
                    p.lastData = System.nanoTime();
                    if (hangUp) {
                        active.remove(i);
                        Fds.close(p.fd());
                    }
                }
                if (idleTimeoutNanos > 0) {
                    long now = System.nanoTime();
                    for (int i = active.size() - 1; i >= 0; i--) {
                        Pipe p = active.get(i);
                        if (now - p.lastData < idleTimeoutNanos) {
                            continue;
                        }
                        LOG.info("{}: ending guest-to-host pipe (host write pipe {}, guest read end fd {}): no data for {} ms"
                                + " (pipe-idle-timeout); the host gets a hang-up", name, p.identifier(), p.fd(), idleTimeoutNanos / 1_000_000);
                        active.remove(i);
                        Fds.close(p.fd());
                        if (!sink.write(p.identifier(), true, ByteBuffer.allocateDirect(0))) {
                            return;
                        }
                    }
                }
            }
        } catch (IOException | RuntimeException e) {
            LOG.warn("{}: guest-to-host pipe relay stopped: {}", name, e.toString());
        } finally {
            closeFds(active);
        }
    }

    private synchronized void closeFds(List<Pipe> active) {
        stopped = true;
        for (Pipe p : active) {
            Fds.close(p.fd());
        }
        active.clear();
        for (Pipe p; (p = added.poll()) != null; ) {
            Fds.close(p.fd());
        }
        if (wake[0] >= 0) {
            Fds.close(wake[0]);
            Fds.close(wake[1]);
            wake[0] = -1;
            wake[1] = -1;
        }
    }
}
