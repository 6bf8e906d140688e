package dev.crossway.it.rig;

import java.io.EOFException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A minimal Wayland client on the JDK's own AF_UNIX channel that does {@code wl_display.sync} round
 * trips back to back, the way a client that renders every frame waits for its compositor, and records
 * each one's time. No fds, no libwayland: just the 12-byte request and the {@code wl_callback.done}
 * and {@code wl_display.delete_id} events, with callback id 2 reused after each delete_id (as
 * libwayland-client reuses ids).
 */
public final class RoundTripClient implements AutoCloseable {
    private static final int DISPLAY = 1;
    private static final int CALLBACK = 2;
    private static final int SYNC = 0;
    private static final int DONE = 0;
    private static final int DELETE_ID = 1;
    private static final int ERROR = 0;

    private final SocketChannel channel;
    private final ByteBuffer out = ByteBuffer.allocate(12).order(ByteOrder.nativeOrder());
    private final ByteBuffer in = ByteBuffer.allocate(64 * 1024).order(ByteOrder.nativeOrder());
    private final AtomicBoolean stop = new AtomicBoolean();
    private long[] samples = new long[1 << 14];
    private int count;
    private Thread thread;
    private volatile Throwable failure;

    private RoundTripClient(SocketChannel channel) {
        this.channel = channel;
    }

    /** Connects to the compositor (or Crossway) socket at {@code socket}. */
    public static RoundTripClient connect(Path socket) {
        try {
            SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX);
            ch.connect(UnixDomainSocketAddress.of(socket));
            return new RoundTripClient(ch);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot connect to " + socket, e);
        }
    }

    /** One round trip; returns its time in nanoseconds. */
    public long roundTrip() throws IOException {
        long start = System.nanoTime();
        out.clear();
        out.putInt(DISPLAY).putInt(12 << 16 | SYNC).putInt(CALLBACK).flip();
        while (out.hasRemaining()) {
            channel.write(out);
        }
        boolean done = false;
        boolean deleted = false;
        while (!done || !deleted) {
            in.flip();
            while (in.remaining() >= 8) {
                int pos = in.position();
                int id = in.getInt(pos);
                int word = in.getInt(pos + 4);
                int size = word >>> 16;
                int opcode = word & 0xffff;
                if (size < 8 || in.remaining() < size) {
                    break;
                }
                if (id == CALLBACK && opcode == DONE) {
                    done = true;
                } else if (id == DISPLAY && opcode == DELETE_ID && in.getInt(pos + 8) == CALLBACK) {
                    deleted = true;
                } else if (id == DISPLAY && opcode == ERROR) {
                    throw new IOException("wl_display.error from the compositor (code " + in.getInt(pos + 12) + ")");
                }
                in.position(pos + size);
            }
            in.compact();
            if (!done || !deleted) {
                if (channel.read(in) < 0) {
                    throw new EOFException("the compositor closed the connection");
                }
            }
        }
        return System.nanoTime() - start;
    }

    /** Starts round trips back to back on a thread of its own, until {@link #stopLoop()}. */
    public void startLoop() {
        thread = new Thread(() -> {
            try {
                while (!stop.get()) {
                    long t = roundTrip();
                    synchronized (this) {
                        if (count == samples.length) {
                            samples = Arrays.copyOf(samples, count * 2);
                        }
                        samples[count++] = t;
                    }
                }
            } catch (Throwable e) {
                failure = e;
            }
        }, "round-trip-client");
        thread.setDaemon(true);
        thread.start();
    }

    /** Stops the loop; returns the statistics of every round trip since {@link #startLoop()}. */
    public Stats stopLoop() {
        stop.set(true);
        try {
            thread.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (failure != null) {
            throw new IllegalStateException("the round-trip client failed", failure);
        }
        if (thread.isAlive()) {
            throw new IllegalStateException("a round trip did not finish within 10 s of being asked to stop");
        }
        synchronized (this) {
            return Stats.of(Arrays.copyOf(samples, count));
        }
    }

    /** Round-trip times in microseconds. */
    public record Stats(int count, double p50, double p99, double max) {
        static Stats of(long[] nanos) {
            if (nanos.length == 0) {
                return new Stats(0, 0, 0, 0);
            }
            long[] s = nanos.clone();
            Arrays.sort(s);
            return new Stats(s.length, s[s.length / 2] / 1e3, s[(int) Math.min(s.length - 1, (long) (s.length * 0.99))] / 1e3,
                    s[s.length - 1] / 1e3);
        }

        @Override
        public String toString() {
            return String.format("%d round trips, p50 %.0f us, p99 %.0f us, max %.1f ms", count, p50, p99, max / 1e3);
        }
    }

    @Override
    public void close() {
        stop.set(true);
        try {
            channel.close();
        } catch (IOException ignored) {
            // nothing to do
        }
    }
}
