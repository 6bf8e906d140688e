package dev.crossway.linux.pipe;

import dev.crossway.linux.Fds;
import dev.crossway.linux.LinuxException;
import dev.crossway.linux.PollFds;
import dev.crossway.linux.WakePipe;
import dev.crossway.linux.sys.LibC;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads pipes keyed by an id and hands each chunk to a {@link Sink}, then the hang-up at end of file:
 * one half of a bridge between a guest pipe and what the host takes (a cross-domain WRITE, a virtwl
 * pipe). One thread, started with the first pipe, polls them all.
 *
 * <p>Back-pressure: a {@link Gate} says whether a pipe may be read now; a closed one is not polled until
 * {@link #wakeUp()} says to look again. With an idle timeout ({@code pipe-idle-timeout}; 0 = off), a pipe
 * that gave no data for that long (and was not held back by its gate) is ended as at end of file: the
 * sink gets the hang-up and the fd is closed, so its writer sees EPIPE.
 *
 * <p>Owns the fds it was given and closes them when done, when {@link #end}ed, or when closed.
 */
public final class PipeReader implements Runnable, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(PipeReader.class);

    /** Where the data goes. */
    @FunctionalInterface
    public interface Sink {
        /**
         * One chunk of pipe {@code id} ({@code data}, valid only during the call), or its hang-up
         * ({@code hangUp}, data empty) at end of file. Returns false to end the pipe (its fd is then
         * closed); throws to stop the reader.
         */
        boolean accept(int id, ByteBuffer data, boolean hangUp) throws IOException;
    }

    /** Whether pipe {@code id} may be read now. */
    @FunctionalInterface
    public interface Gate {
        boolean isOpen(int id);
    }

    private static final class Pipe {
        final int id;
        final int fd;
        long lastData = System.nanoTime();

        Pipe(int id, int fd) {
            this.id = id;
            this.fd = fd;
        }
    }

    private final String name;
    private final int chunkSize;
    private final long idleTimeoutNanos;
    private final Sink sink;
    private final Gate gate;
    private final ConcurrentLinkedQueue<Pipe> added = new ConcurrentLinkedQueue<>();
    private final ConcurrentLinkedQueue<Integer> ended = new ConcurrentLinkedQueue<>();
    private final WakePipe wake;
    private volatile boolean stopped;
    private Thread thread;

    /**
     * @param chunkSize         most bytes per {@link Sink#accept}
     * @param idleTimeoutMillis a pipe without data for this long is ended; 0 means never
     */
    public PipeReader(String name, int chunkSize, long idleTimeoutMillis, Sink sink, Gate gate) throws LinuxException {
        this.name = name;
        this.chunkSize = chunkSize;
        this.idleTimeoutNanos = idleTimeoutMillis * 1_000_000L;
        this.sink = sink;
        this.gate = gate;
        this.wake = WakePipe.open();
    }

    public PipeReader(String name, int chunkSize, long idleTimeoutMillis, Sink sink) throws LinuxException {
        this(name, chunkSize, idleTimeoutMillis, sink, id -> true);
    }

    /** Takes ownership of {@code fd}, a readable end whose data goes to the sink as pipe {@code id}. */
    public synchronized void add(int id, int fd) {
        if (stopped) {
            Fds.close(fd);
            return;
        }
        added.add(new Pipe(id, fd));
        if (thread == null) {
            thread = new Thread(this, name);
            thread.setDaemon(true);
            thread.start();
        }
        wake.wake();
    }

    /** Ends pipe {@code id} without a hang-up to the sink (whoever reads its data is gone); never blocks. */
    public void end(int id) {
        ended.add(id);
        wake.wake();
    }

    /** Makes the thread ask the gates again. */
    public void wakeUp() {
        wake.wake();
    }

    /** Stops the thread (waiting for it, unless called from it) and closes every fd; idempotent. */
    @Override
    public void close() {
        Thread t;
        synchronized (this) {
            if (stopped) {
                return;
            }
            stopped = true;
            t = thread;
            wake.wake();
        }
        if (t == null) {
            closeAll(new ArrayList<>());
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
        List<Pipe> polled = new ArrayList<>();
        ByteBuffer chunk = ByteBuffer.allocateDirect(chunkSize);
        PollFds pollFds = new PollFds(8);
        try {
            while (!stopped) {
                for (Pipe p; (p = added.poll()) != null; ) {
                    active.add(p);
                }
                for (Integer id; (id = ended.poll()) != null; ) {
                    for (int i = active.size() - 1; i >= 0; i--) {
                        if (active.get(i).id == id) {
                            Fds.close(active.remove(i).fd);
                        }
                    }
                }
                pollFds.clear().add(wake.fd(), LibC.POLLIN);
                polled.clear();
                long now = System.nanoTime();
                long nextIdle = Long.MAX_VALUE;
                for (Pipe p : active) {
                    if (gate.isOpen(p.id)) {
                        pollFds.add(p.fd, LibC.POLLIN);
                        polled.add(p);
                        nextIdle = Math.min(nextIdle, p.lastData + idleTimeoutNanos - now);
                    } else {
                        p.lastData = now; // held back by us, not idle
                    }
                }
                int timeout = idleTimeoutNanos > 0 && !polled.isEmpty()
                        ? (int) Math.min(Integer.MAX_VALUE, Math.max(0, (nextIdle + 999_999) / 1_000_000)) : -1;
                pollFds.poll(timeout);
                if (pollFds.revents(0) != 0) {
                    wake.drain();
                }
                for (int i = 0; i < polled.size(); i++) {
                    if (pollFds.revents(i + 1) == 0) {
                        continue;
                    }
                    Pipe p = polled.get(i);
                    chunk.clear();
                    int read;
                    try {
                        read = Fds.read(p.fd, chunk);
                    } catch (LinuxException e) {
                        LOG.debug("{}: reading pipe {} (fd {}): {}", name, p.id, p.fd, e.getMessage());
                        read = -1;
                    }
                    chunk.flip();
                    boolean hangUp = read < 0;
                    boolean keep = sink.accept(p.id, chunk, hangUp);
                    p.lastData = System.nanoTime();
                    if (hangUp || !keep) {
                        active.remove(p);
                        Fds.close(p.fd);
                    }
                }
                if (idleTimeoutNanos > 0) {
                    endIdle(active, polled);
                }
            }
        } catch (IOException | RuntimeException e) {
            LOG.warn("{}: pipe relay stopped: {}", name, e.toString());
        } finally {
            closeAll(active);
        }
    }

    private void endIdle(List<Pipe> active, List<Pipe> polled) throws IOException {
        long now = System.nanoTime();
        for (Pipe p : polled) {
            if (now - p.lastData < idleTimeoutNanos || !active.contains(p)) {
                continue;
            }
            LOG.info("{}: ending pipe {} (fd {}): no data for {} ms (pipe-idle-timeout); the other side gets a hang-up", name, p.id,
                    p.fd, idleTimeoutNanos / 1_000_000);
            active.remove(p);
            Fds.close(p.fd);
            sink.accept(p.id, ByteBuffer.allocateDirect(0), true);
        }
    }

    private synchronized void closeAll(List<Pipe> active) {
        stopped = true;
        for (Pipe p : active) {
            Fds.close(p.fd);
        }
        active.clear();
        for (Pipe p; (p = added.poll()) != null; ) {
            Fds.close(p.fd);
        }
        ended.clear();
        wake.close();
    }
}
