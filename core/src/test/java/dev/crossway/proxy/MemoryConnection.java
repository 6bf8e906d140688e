package dev.crossway.proxy;

import dev.crossway.spi.Capabilities;
import dev.crossway.spi.FdQueue;
import dev.crossway.spi.HostBuffer;
import dev.crossway.spi.HostConnection;
import dev.crossway.spi.PipeDirection;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * An in-memory connection pair: what one end sends, the other receives, chunk by chunk with fds (plain
 * numbers; nothing native). Tests play app and compositor on the far ends of a session.
 */
final class MemoryConnection implements HostConnection {
    record Chunk(byte[] bytes, int[] fds) {
    }

    private static final Chunk EOF = new Chunk(new byte[0], new int[0]);

    private final BlockingQueue<Chunk> inbox = new LinkedBlockingQueue<>();
    private final Capabilities caps;
    private MemoryConnection peer;
    private Chunk partial;
    private int partialOffset;
    private volatile boolean closed;
    final List<Chunk> sent = new ArrayList<>();

    private MemoryConnection(Capabilities caps) {
        this.caps = caps;
    }

    static MemoryConnection[] pair(Capabilities caps) {
        MemoryConnection a = new MemoryConnection(caps);
        MemoryConnection b = new MemoryConnection(caps);
        a.peer = b;
        b.peer = a;
        return new MemoryConnection[] {a, b};
    }

    /** Closes fds as a kernel would: those a failed send carried, and those left unreceived (see {@link #dropUnreceived}). */
    private volatile FdQueue.FdCloser closer;

    /** Closes the fds of failed sends with {@code closer} from now on, instead of forgetting them. */
    void closeFdsWith(FdQueue.FdCloser closer) {
        this.closer = closer;
    }

    /**
     * Closes the fds of chunks sent to this end and never received, as the kernel does when a socket with
     * unread SCM_RIGHTS goes; for when no one will receive any more.
     */
    void dropUnreceived(FdQueue.FdCloser closer) {
        Chunk c;
        while ((c = inbox.poll()) != null) {
            for (int fd : c.fds) {
                closer.close(fd);
            }
        }
        if (c == null) {
            inbox.add(EOF);
        }
    }

    @Override
    public synchronized void send(ByteBuffer src, FdQueue fds) throws IOException {
        if (closed || peer.closed) {
            if (closer != null) {
                fds.closeAll(closer);
            }
            fds.clear();
            throw new IOException("connection closed");
        }
        byte[] bytes = new byte[src.remaining()];
        src.get(bytes);
        int[] f = new int[fds.size()];
        for (int i = 0; i < f.length; i++) {
            f[i] = fds.take();
        }
        Chunk c = new Chunk(bytes, f);
        sent.add(c);
        peer.inbox.add(c);
    }

    @Override
    public int receive(ByteBuffer dst, FdQueue fds) throws IOException {
        try {
            if (partial == null) {
                partial = inbox.take();
                partialOffset = 0;
                for (int fd : partial.fds) {
                    fds.add(fd);
                }
            }
        } catch (InterruptedException e) {
            throw new IOException(e);
        }
        if (partial == EOF) {
            inbox.add(EOF);
            partial = null;
            return -1;
        }
        int n = Math.min(dst.remaining(), partial.bytes.length - partialOffset);
        dst.put(partial.bytes, partialOffset, n);
        partialOffset += n;
        if (partialOffset == partial.bytes.length) {
            partial = null;
        }
        return n;
    }

    /** Whether a {@link #receive} now returns without waiting (bytes, or the end). */
    boolean hasPending() {
        return partial != null || !inbox.isEmpty();
    }

    /** The next chunk the far end sent, or null after {@code ms}. */
    Chunk next(long ms) throws InterruptedException {
        Chunk c = inbox.poll(ms, TimeUnit.MILLISECONDS);
        if (c == EOF) {
            inbox.add(EOF);
            return EOF;
        }
        return c;
    }

    static boolean isEof(Chunk c) {
        return c == EOF;
    }

    @Override
    public void close() {
        if (!closed) {
            closed = true;
            inbox.add(EOF);
            peer.inbox.add(EOF);
        }
    }

    @Override
    public Capabilities capabilities() {
        return caps;
    }

    @Override
    public HostBuffer allocate(long size) {
        throw new UnsupportedOperationException("not needed by these tests");
    }

    @Override
    public int bridgePipe(int guestFd, PipeDirection direction) {
        return guestFd;
    }
}
