package dev.crossway.transport.virtgpu;

import dev.crossway.linux.Fds;
import dev.crossway.linux.LinuxException;
import dev.crossway.linux.sys.LibC;
import dev.crossway.linux.sys.Native;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import jnr.ffi.Memory;
import jnr.ffi.Pointer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Carries host data to guest pipes: the write ends guest clients gave (e.g. {@code wl_data_offer.receive}),
 * sent to the host as READ_PIPE ids, whose data comes back as READ messages in the channel ring (spec
 * A.4.4). The connection's receive thread never blocks on such a pipe: each guest write end is made
 * non-blocking, a READ's payload is written at once as far as the pipe takes it, and the rest is copied
 * into that pipe's queue, which a writer thread (one per connection, started with the first pipe)
 * drains as {@code poll(POLLOUT)} allows.
 *
 * <p><b>Back-pressure.</b> Cross-domain has no per-pipe flow control: the only lever is the POLL, and
 * that one POLL also carries the connection's Wayland events. Withholding it whenever some pipe is full
 * would let one guest app that stops reading a paste freeze its own Wayland connection (what Sommelier
 * and wayland-proxy-virtwl do, as they write pipes synchronously). So the bound is in two steps:
 * <ul>
 * <li>Below {@link #SOFT_LIMIT} (1 MiB) queued on every pipe, the next POLL goes in at once.</li>
 * <li>From {@link #SOFT_LIMIT} on, after a READ the next POLL waits until every pipe is below the
 *     limit again, but at most {@link #GRACE_MILLIS}; after a RECEIVE (Wayland bytes) it goes in at
 *     once. While no POLL is out the host leaves the data in its pipe, so the source app is held back;
 *     Wayland events keep flowing, late by at most the grace per READ, and the stalled pipe grows by at
 *     most one READ (≤ 4072 bytes) per POLL.</li>
 * <li>At {@link #HARD_LIMIT} (4 MiB) queued on a pipe no POLL goes in until it is below that again: the
 *     connection stalls, as it would with a blocking write, but only after the reader has stalled for
 *     thousands of READs; memory stays bounded at 4 MiB + one READ per pipe. With
 *     {@code pipe-idle-timeout} set, such a pipe (no data moving) is ended after the timeout, which
 *     lets the connection go on.</li>
 * </ul>
 *
 * <p>A READ with hang-up closes the guest fd once everything queued before it is written. A guest reader
 * that went away (EPIPE, or POLLERR on the write end) drops that pipe's data and closes it; nothing else
 * is affected, and later READs for its id are ignored. With an idle timeout, a pipe on which no data
 * moved (no READ data arrived and nothing was written to the guest) for that long is closed and its id
 * forgotten; the host's later READs for it are ignored.
 *
 * <p>Thread safety: all state is guarded by this object's monitor, which the writer thread also holds
 * while it writes (writes never block), so no fd is closed under a concurrent write.
 */
final class VirtGpuReadPipes implements Runnable {
    private static final Logger LOG = LoggerFactory.getLogger(VirtGpuReadPipes.class);
    private static final LibC LIBC = Native.libc();
    private static final int F_SETFL = 4;

    /** Queued bytes per pipe from which the next POLL after a READ waits (up to the grace) for room. */
    static final int SOFT_LIMIT = 1 << 20;
    /** Queued bytes per pipe from which no POLL goes in until there is room. */
    static final int HARD_LIMIT = 4 << 20;
    /** Longest a POLL waits for room while a pipe is between the two limits. */
    static final long GRACE_MILLIS = 50;
    private static final int CHUNK = 64 * 1024;

    private static final class Pipe {
        final int identifier;
        final int fd;
        final ArrayDeque<ByteBuffer> queue = new ArrayDeque<>(); // each: position = next to write, limit = end of data
        long queued;
        boolean hangUp;
        long lastData = System.nanoTime();

        Pipe(int identifier, int fd) {
            this.identifier = identifier;
            this.fd = fd;
        }
    }

    private final String name;
    private final long idleTimeoutNanos;
    private final Map<Integer, Pipe> pipes = new HashMap<>();
    private final int[] wake;
    private boolean closed;
    private Thread thread;

    /** @param idleTimeoutMillis a pipe without data for this long is ended; 0 means never */
    VirtGpuReadPipes(String name, long idleTimeoutMillis) throws LinuxException {
        this.name = name;
        this.idleTimeoutNanos = idleTimeoutMillis * 1_000_000L;
        this.wake = Fds.pipe();
    }

    /**
     * Takes ownership of {@code fd} (a guest pipe write end) for READ_PIPE {@code identifier}, and makes
     * it non-blocking. False, owning nothing, once closed.
     */
    synchronized boolean add(int identifier, int fd) {
        if (closed) {
            return false;
        }
        int flags = LIBC.fcntl(fd, LibC.F_GETFL, 0);
        if (flags >= 0 && (flags & LibC.O_NONBLOCK) == 0) {
            LIBC.fcntl(fd, F_SETFL, flags | LibC.O_NONBLOCK);
        }
        pipes.put(identifier, new Pipe(identifier, fd));
        if (idleTimeoutNanos > 0) {
            ensureThread();
            wakeUp();
        }
        return true;
    }

    /** Undoes {@link #add} for a submission that failed: true if the caller owns the fd again. */
    synchronized boolean forget(int identifier) {
        return pipes.remove(identifier) != null;
    }

    /** Number of pipes bridged now (for tests). */
    synchronized int size() {
        return pipes.size();
    }

    /** Bytes queued for the guest on all pipes (for tests). */
    synchronized long queued() {
        long sum = 0;
        for (Pipe p : pipes.values()) {
            sum += p.queued;
        }
        return sum;
    }

    /**
     * A READ: {@code data} (its remaining bytes, only valid during the call) for READ_PIPE {@code
     * identifier}, then the hang-up if {@code hangUp}. Never blocks. False for an id not (or no longer) known.
     */
    synchronized boolean onRead(int identifier, ByteBuffer data, boolean hangUp) {
        Pipe p = closed ? null : pipes.get(identifier);
        if (p == null) {
            return false;
        }
        if (data.hasRemaining()) {
            p.lastData = System.nanoTime();
            if (p.queue.isEmpty() && !writeSome(p, data)) {
                return true;
            }
            while (data.hasRemaining()) {
                ByteBuffer tail = p.queue.peekLast();
                if (tail == null || tail.limit() == tail.capacity()) {
                    tail = ByteBuffer.allocateDirect(Math.max(CHUNK, data.remaining())).limit(0);
                    p.queue.addLast(tail);
                }
                int n = Math.min(data.remaining(), tail.capacity() - tail.limit());
                int at = tail.limit();
                tail.limit(at + n); // absolute puts stay below the limit
                tail.put(at, data, data.position(), n);
                data.position(data.position() + n);
                p.queued += n;
            }
        }
        if (hangUp) {
            p.hangUp = true;
            if (p.queue.isEmpty()) {
                end(p, null);
            }
        }
        if (!p.queue.isEmpty()) {
            ensureThread();
            wakeUp();
        }
        return true;
    }

    /**
     * Before the next POLL: waits while the bound asks for it (see the class comment), or until closed.
     *
     * @param afterRead whether the ring just held a READ (else a RECEIVE)
     */
    synchronized void awaitRoom(boolean afterRead) throws InterruptedException {
        long deadline = System.nanoTime() + GRACE_MILLIS * 1_000_000L;
        while (!closed) {
            long most = 0;
            for (Pipe p : pipes.values()) {
                most = Math.max(most, p.queued);
            }
            if (most < SOFT_LIMIT) {
                return;
            }
            if (most < HARD_LIMIT) {
                long left = deadline - System.nanoTime();
                if (!afterRead || left <= 0) {
                    return;
                }
                wait(Math.max(1, left / 1_000_000));
            } else {
                wait();
            }
        }
    }

    /** Writes what the non-blocking pipe takes; false if the pipe was ended (reader gone). */
    private boolean writeSome(Pipe p, ByteBuffer src) {
        long base = Native.address(src);
        while (src.hasRemaining()) {
            long n = LIBC.write(p.fd, base + src.position(), src.remaining());
            if (n < 0) {
                int errno = Native.errno();
                if (errno == LibC.EINTR) {
                    continue;
                }
                if (errno == LibC.EAGAIN) {
                    return true;
                }
                end(p, "the guest reader went away (" + new LinuxException("write(" + p.fd + ")", errno).getMessage() + ")");
                return false;
            }
            src.position(src.position() + (int) n);
            p.lastData = System.nanoTime();
        }
        return true;
    }

    /** Closes the guest fd and forgets the id; {@code why} (null for a normal hang-up) is logged. */
    private void end(Pipe p, String why) {
        pipes.remove(p.identifier);
        Fds.close(p.fd);
        if (why != null) {
            LOG.debug("{}: host-to-guest pipe 0x{} (guest fd {}) ended, {} bytes dropped: {}", name,
                    Integer.toHexString(p.identifier), p.fd, p.queued, why);
        }
        p.queue.clear();
        p.queued = 0;
        notifyAll();
        if (thread != null) {
            // A poll(2) in progress holds a reference to every file it polls until it returns: without the
            // wake-up the pipe would stay open, and its reader would never see end of file.
            wakeUp();
        }
    }

    private void ensureThread() {
        if (thread == null) {
            thread = new Thread(this, name);
            thread.setDaemon(true);
            thread.start();
        }
    }

    private void wakeUp() {
        try {
            Fds.write(wake[1], ByteBuffer.allocateDirect(1));
        } catch (LinuxException e) {
            // the pipe holds 64 KiB of wake-ups; a full one wakes the thread anyway
        }
    }

    /** Stops the writer thread (waiting for it unless called from it) and closes every guest fd; idempotent. */
    void close() {
        Thread t;
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            for (Pipe p : new ArrayList<>(pipes.values())) {
                Fds.close(p.fd);
            }
            pipes.clear();
            notifyAll();
            t = thread;
            if (t != null) {
                wakeUp();
            }
        }
        if (t != null && t != Thread.currentThread()) {
            try {
                t.join(5000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        synchronized (this) {
            if (wake[0] >= 0) {
                Fds.close(wake[0]);
                Fds.close(wake[1]);
                wake[0] = -1;
                wake[1] = -1;
            }
        }
    }

    @Override
    public void run() {
        ByteBuffer drain = ByteBuffer.allocateDirect(64);
        Pointer pollFds = null;
        int capacity = 0;
        List<Pipe> polled = new ArrayList<>();
        try {
            while (true) {
                int timeout = -1;
                int wakeFd;
                synchronized (this) {
                    if (closed) {
                        return;
                    }
                    wakeFd = wake[0];
                    polled.clear();
                    polled.addAll(pipes.values());
                    int n = polled.size() + 1;
                    if (n > capacity) {
                        capacity = Math.max(n, 2 * capacity);
                        pollFds = Memory.allocateDirect(Native.runtime(), 8L * capacity, true);
                    }
                    long now = System.nanoTime();
                    long next = Long.MAX_VALUE;
                    for (int i = 0; i < polled.size(); i++) {
                        Pipe p = polled.get(i);
                        pollFds.putInt(8L * (i + 1), p.fd);
                        // Events 0 still reports POLLERR once the reader is gone.
                        pollFds.putShort(8L * (i + 1) + 4, p.queue.isEmpty() ? 0 : LibC.POLLOUT);
                        pollFds.putShort(8L * (i + 1) + 6, (short) 0);
                        next = Math.min(next, p.lastData + idleTimeoutNanos - now);
                    }
                    if (idleTimeoutNanos > 0 && !polled.isEmpty()) {
                        timeout = (int) Math.min(Integer.MAX_VALUE, Math.max(0, (next + 999_999) / 1_000_000));
                    }
                }
                pollFds.putInt(0, wakeFd);
                pollFds.putShort(4, LibC.POLLIN);
                pollFds.putShort(6, (short) 0);
                // A pipe ended meanwhile (hang-up, EPIPE, close) may show up as anything here, its number even
                // reused: results count only for pipes still mapped to the same object, checked below.
                if (LIBC.poll(pollFds.address(), polled.size() + 1, timeout) < 0) {
                    if (Native.errno() == LibC.EINTR) {
                        continue;
                    }
                    throw LinuxException.ofErrno("poll of guest read pipes");
                }
                synchronized (this) {
                    if (closed) {
                        return;
                    }
                    if (pollFds.getShort(6) != 0) {
                        drain.clear();
                        Fds.read(wake[0], drain);
                    }
                    for (int i = 0; i < polled.size(); i++) {
                        Pipe p = polled.get(i);
                        short revents = pollFds.getShort(8L * (i + 1) + 6);
                        if (revents == 0 || pipes.get(p.identifier) != p) {
                            continue;
                        }
                        if ((revents & LibC.POLLOUT) == 0) {
                            end(p, "the guest reader closed its end");
                            continue;
                        }
                        drainQueue(p);
                    }
                    if (idleTimeoutNanos > 0) {
                        long now = System.nanoTime();
                        for (Pipe p : new ArrayList<>(pipes.values())) {
                            if (now - p.lastData >= idleTimeoutNanos) {
                                LOG.info("{}: ending host-to-guest pipe 0x{} (guest fd {}): no data for {} ms (pipe-idle-timeout);"
                                        + " {} queued bytes dropped, the host's later data for it is ignored", name,
                                        Integer.toHexString(p.identifier), p.fd, idleTimeoutNanos / 1_000_000, p.queued);
                                end(p, null);
                            }
                        }
                    }
                }
            }
        } catch (LinuxException | RuntimeException e) {
            LOG.warn("{}: host-to-guest pipe relay stopped: {}", name, e.toString());
            synchronized (this) {
                for (Pipe p : new ArrayList<>(pipes.values())) {
                    end(p, "the relay stopped");
                }
            }
        }
    }

    private void drainQueue(Pipe p) {
        long before = p.queued;
        while (!p.queue.isEmpty()) {
            ByteBuffer head = p.queue.peekFirst();
            int start = head.position();
            if (!writeSome(p, head)) {
                return; // ended
            }
            p.queued -= head.position() - start;
            if (head.hasRemaining()) {
                break; // the pipe is full
            }
            p.queue.pollFirst();
        }
        if (p.queue.isEmpty() && p.hangUp) {
            end(p, null);
            return;
        }
        if (before >= SOFT_LIMIT && p.queued < SOFT_LIMIT || before >= HARD_LIMIT && p.queued < HARD_LIMIT) {
            notifyAll();
        }
    }
}
