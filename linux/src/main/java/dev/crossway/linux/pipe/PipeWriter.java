package dev.crossway.linux.pipe;

import dev.crossway.linux.Fds;
import dev.crossway.linux.LinuxException;
import dev.crossway.linux.PollFds;
import dev.crossway.linux.WakePipe;
import dev.crossway.linux.sys.LibC;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes data offered for pipes keyed by an id into their fds without ever blocking the caller: the
 * other half of a bridge, where the data of a host pipe reaches a guest app (or the reverse). Each fd is
 * made non-blocking; {@link #offer} writes at once what the pipe takes and queues the rest, which a
 * writer thread (started when first needed) drains as {@code poll(POLLOUT)} allows.
 *
 * <p><b>Bounds.</b> Where the data comes from cannot always wait for one pipe: a cross-domain POLL or a
 * virtwl device's in-queue also carries every Wayland message. So the queue of a pipe is allowed to grow
 * past {@link #SOFT_LIMIT} (1 MiB), where {@link #awaitRoom} starts holding the source back for up to
 * {@link #GRACE_MILLIS} per chunk, up to {@link #HARD_LIMIT} (4 MiB), where {@link #hasRoom} turns false
 * and the source must stop until the {@link Listener} hears there is room again. Memory per pipe stays
 * below the hard limit plus one chunk.
 *
 * <p>A hang-up closes the fd once everything queued before it is written. A reader that went away
 * (EPIPE, or POLLERR on the fd) drops that pipe's data and closes it; nothing else is affected, and later
 * data for its id is refused. With an idle timeout, a pipe on which no data moved for that long is
 * ended likewise. Every end is reported to the {@link Listener}.
 *
 * <p>Thread safety: all state is guarded by this object's monitor, which the writer thread also holds
 * while it writes (writes never block), so no fd is closed under a concurrent write. Listener calls are
 * made under it too: they must not block.
 */
public final class PipeWriter implements Runnable, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(PipeWriter.class);

    /** Queued bytes per pipe from which {@link #awaitRoom} holds the source back, up to the grace. */
    public static final int SOFT_LIMIT = 1 << 20;
    /** Queued bytes per pipe from which the source must stop. */
    public static final int HARD_LIMIT = 4 << 20;
    /** Longest {@link #awaitRoom} waits while a pipe is between the two limits. */
    public static final long GRACE_MILLIS = 50;
    private static final int CHUNK = 64 * 1024;

    /** Hears about room and ends; called under the writer's monitor, so it must not block. */
    public interface Listener {
        /** Pipe {@code id}'s queue fell below {@link #HARD_LIMIT} again. */
        default void room(int id) {
        }

        /** Pipe {@code id} ended: hang-up written, reader gone, idle, or the writer closed. */
        default void ended(int id) {
        }
    }

    private static final class Pipe {
        final int id;
        final int fd;
        final ArrayDeque<ByteBuffer> queue = new ArrayDeque<>(); // each: position = next to write, limit = end of data
        long queued;
        boolean hangUp;
        long lastData = System.nanoTime();

        Pipe(int id, int fd) {
            this.id = id;
            this.fd = fd;
        }
    }

    private final String name;
    private final long idleTimeoutNanos;
    private final int maxWrite;
    private final Listener listener;
    private final Map<Integer, Pipe> pipes = new HashMap<>();
    private final WakePipe wake;
    private boolean closed;
    private Thread thread;

    /**
     * @param idleTimeoutMillis a pipe on which no data moved for this long is ended; 0 means never
     * @param maxWrite          most bytes one {@code write} call carries (a virtwl VFD takes a page at a time)
     */
    public PipeWriter(String name, long idleTimeoutMillis, int maxWrite, Listener listener) throws LinuxException {
        this.name = name;
        this.idleTimeoutNanos = idleTimeoutMillis * 1_000_000L;
        this.maxWrite = maxWrite;
        this.listener = listener;
        this.wake = WakePipe.open();
    }

    public PipeWriter(String name, long idleTimeoutMillis) throws LinuxException {
        this(name, idleTimeoutMillis, Integer.MAX_VALUE, new Listener() { });
    }

    /**
     * Takes ownership of {@code fd}, a writable end, for pipe {@code id}, and makes it non-blocking.
     * False, owning nothing, once closed.
     */
    public synchronized boolean add(int id, int fd) {
        if (closed) {
            return false;
        }
        try {
            Fds.setNonBlocking(fd);
        } catch (LinuxException e) {
            LOG.debug("{}: pipe {} (fd {}) stays blocking: {}", name, id, fd, e.getMessage()); // a bad fd fails at the first write
        }
        pipes.put(id, new Pipe(id, fd));
        if (idleTimeoutNanos > 0) {
            ensureThread();
            wake.wake();
        }
        return true;
    }

    /** Undoes {@link #add} for a pipe that never got data: true if the caller owns the fd again. */
    public synchronized boolean forget(int id) {
        return pipes.remove(id) != null;
    }

    /** Pipes bridged now. */
    public synchronized int size() {
        return pipes.size();
    }

    /** Bytes queued on all pipes. */
    public synchronized long queued() {
        long sum = 0;
        for (Pipe p : pipes.values()) {
            sum += p.queued;
        }
        return sum;
    }

    /** Whether pipe {@code id} may be given more data: below the hard limit, or unknown (then offers are refused anyway). */
    public synchronized boolean hasRoom(int id) {
        Pipe p = pipes.get(id);
        return p == null || p.queued < HARD_LIMIT;
    }

    /**
     * {@code data} (its remaining bytes, only valid during the call) for pipe {@code id}, then the
     * hang-up if {@code hangUp}. Never blocks. False for an id not (or no longer) known.
     */
    public synchronized boolean offer(int id, ByteBuffer data, boolean hangUp) {
        Pipe p = closed ? null : pipes.get(id);
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
            wake.wake();
        }
        return true;
    }

    /**
     * Before the source gives more: waits while the bounds ask for it (see the class comment), or until
     * closed.
     *
     * @param afterData whether the source just gave pipe data (else something else, e.g. Wayland bytes)
     */
    public synchronized void awaitRoom(boolean afterData) throws InterruptedException {
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
                if (!afterData || left <= 0) {
                    return;
                }
                wait(Math.max(1, left / 1_000_000));
            } else {
                wait();
            }
        }
    }

    /** Writes what the non-blocking pipe takes, at most {@code maxWrite} bytes a call; false if the pipe was ended (reader gone). */
    private boolean writeSome(Pipe p, ByteBuffer src) {
        int limit = src.limit();
        try {
            while (src.hasRemaining()) {
                int slice = Math.min(limit - src.position(), maxWrite);
                src.limit(src.position() + slice);
                int n = Fds.tryWrite(p.fd, src);
                src.limit(limit);
                if (n > 0) {
                    p.lastData = System.nanoTime();
                }
                if (n < slice) {
                    break; // the pipe is full
                }
            }
            return true;
        } catch (LinuxException e) {
            src.limit(limit);
            end(p, "the reader went away (" + e.getMessage() + ")");
            return false;
        }
    }

    /** Closes the fd and forgets the id; {@code why} (null for a normal end) is logged. */
    private void end(Pipe p, String why) {
        pipes.remove(p.id);
        Fds.close(p.fd);
        if (why != null) {
            LOG.debug("{}: pipe {} (fd {}) ended, {} bytes dropped: {}", name, p.id, p.fd, p.queued, why);
        }
        p.queue.clear();
        p.queued = 0;
        notifyAll();
        listener.ended(p.id);
        if (thread != null) {
            // A poll(2) in progress holds a reference to every file it polls until it returns: without the
            // wake-up the pipe would stay open, and its reader would never see end of file.
            wake.wake();
        }
    }

    private void ensureThread() {
        if (thread == null) {
            thread = new Thread(this, name);
            thread.setDaemon(true);
            thread.start();
        }
    }

    /** Stops the writer thread (waiting for it unless called from it) and closes every fd; idempotent. */
    @Override
    public void close() {
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
            wake.wake();
        }
        if (t != null && t != Thread.currentThread()) {
            try {
                t.join(5000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        wake.close();
    }

    @Override
    public void run() {
        PollFds pollFds = new PollFds(8);
        List<Pipe> polled = new ArrayList<>();
        try {
            while (true) {
                int timeout = -1;
                synchronized (this) {
                    if (closed) {
                        return;
                    }
                    polled.clear();
                    polled.addAll(pipes.values());
                    pollFds.clear().add(wake.fd(), LibC.POLLIN);
                    long now = System.nanoTime();
                    long next = Long.MAX_VALUE;
                    for (Pipe p : polled) {
                        // Events 0 still reports POLLERR once the reader is gone.
                        pollFds.add(p.fd, p.queue.isEmpty() ? 0 : LibC.POLLOUT);
                        next = Math.min(next, p.lastData + idleTimeoutNanos - now);
                    }
                    if (idleTimeoutNanos > 0 && !polled.isEmpty()) {
                        timeout = (int) Math.min(Integer.MAX_VALUE, Math.max(0, (next + 999_999) / 1_000_000));
                    }
                }
                // A pipe ended meanwhile (hang-up, EPIPE, close) may show up as anything here, its number even
                // reused: results count only for pipes still mapped to the same object, checked below.
                pollFds.poll(timeout);
                synchronized (this) {
                    if (closed) {
                        return;
                    }
                    if (pollFds.revents(0) != 0) {
                        wake.drain();
                    }
                    for (int i = 0; i < polled.size(); i++) {
                        Pipe p = polled.get(i);
                        short revents = pollFds.revents(i + 1);
                        if (revents == 0 || pipes.get(p.id) != p) {
                            continue;
                        }
                        if ((revents & LibC.POLLOUT) == 0) {
                            end(p, "the reader closed its end");
                            continue;
                        }
                        drainQueue(p);
                    }
                    if (idleTimeoutNanos > 0) {
                        long now = System.nanoTime();
                        for (Pipe p : new ArrayList<>(pipes.values())) {
                            if (now - p.lastData >= idleTimeoutNanos) {
                                LOG.info("{}: ending pipe {} (fd {}): no data for {} ms (pipe-idle-timeout); {} queued bytes dropped,"
                                        + " later data for it is ignored", name, p.id, p.fd, idleTimeoutNanos / 1_000_000, p.queued);
                                end(p, null);
                            }
                        }
                    }
                }
            }
        } catch (LinuxException | RuntimeException e) {
            LOG.warn("{}: pipe relay stopped: {}", name, e.toString());
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
        if (before >= HARD_LIMIT && p.queued < HARD_LIMIT) {
            listener.room(p.id);
        }
    }
}
