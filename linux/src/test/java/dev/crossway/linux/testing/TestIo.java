package dev.crossway.linux.testing;

import static java.nio.charset.StandardCharsets.UTF_8;

import dev.crossway.linux.Fds;
import dev.crossway.spi.Connection;
import dev.crossway.spi.FdQueue;
import dev.crossway.spi.HostConnection;
import dev.crossway.spi.PipeDirection;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/** Bytes, pipes and connections as the transport tests handle them: direct buffers in, whole reads out. */
public final class TestIo {
    private TestIo() {
    }

    /** A direct buffer holding {@code data}, ready to read. */
    public static ByteBuffer direct(byte[] data) {
        ByteBuffer b = ByteBuffer.allocateDirect(data.length);
        b.put(data).flip();
        return b;
    }

    public static ByteBuffer bytes(String s) {
        return direct(s.getBytes(UTF_8));
    }

    /** What was put into {@code b} (flips it). */
    public static String text(ByteBuffer b) {
        b.flip();
        byte[] out = new byte[b.remaining()];
        b.get(out);
        return new String(out, UTF_8);
    }

    /** A memfd holding {@code text}, as a compositor's keymap. */
    public static int memfdWith(String name, String text) throws IOException {
        byte[] bytes = text.getBytes(UTF_8);
        int fd = Fds.memfd(name, bytes.length);
        ByteBuffer m = Fds.map(fd, bytes.length, true);
        m.put(bytes);
        Fds.unmap(m);
        return fd;
    }

    /** The first {@code length} bytes of the file behind {@code fd}, as seen through a shared mapping. */
    public static String mappedText(int fd, int length) throws IOException {
        ByteBuffer seen = Fds.map(fd, length, false);
        byte[] content = new byte[length];
        seen.get(0, content);
        Fds.unmap(seen);
        return new String(content, UTF_8);
    }

    /** Reads {@code fd} to end of file. */
    public static byte[] readAll(int fd) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteBuffer buf = ByteBuffer.allocateDirect(64 * 1024);
        byte[] tmp = new byte[buf.capacity()];
        while (true) {
            buf.clear();
            if (Fds.read(fd, buf) < 0) {
                return out.toByteArray();
            }
            buf.flip();
            int n = buf.remaining();
            buf.get(tmp, 0, n);
            out.write(tmp, 0, n);
        }
    }

    public static String readText(int fd) throws IOException {
        return new String(readAll(fd), UTF_8);
    }

    /** Receives from {@code c} until {@code n} bytes arrived (a stream may split them), with their fds. */
    public static String receive(Connection c, int n, FdQueue fds) throws IOException {
        ByteBuffer dst = ByteBuffer.allocateDirect(n);
        while (dst.hasRemaining()) {
            if (c.receive(dst, fds) < 0) {
                throw new IOException("end of stream after " + dst.position() + " of " + n + " bytes");
            }
        }
        return text(dst);
    }

    /** A guest app's pipe write end made sendable, as the core does for {@code wl_data_offer.receive}; the app's fd is closed. */
    public static int bridged(HostConnection host, int guestWriteEnd) throws IOException {
        int fd = host.bridgePipe(guestWriteEnd, PipeDirection.HOST_TO_GUEST);
        Fds.close(guestWriteEnd);
        return fd;
    }

    /**
     * A guest app's pipe write end bridged and sent to the compositor with {@code marker}, as a
     * {@code wl_data_offer.receive} travels: returns the fd the compositor got, its end to write into.
     */
    public static int sendPipe(HostConnection host, Connection compositorSide, int guestWriteEnd, String marker) throws IOException {
        FdQueue out = new FdQueue();
        out.add(bridged(host, guestWriteEnd));
        host.send(bytes(marker), out);
        FdQueue in = new FdQueue();
        String got = receive(compositorSide, marker.length(), in);
        if (!got.equals(marker) || in.size() != 1) {
            in.closeAll(Fds.CLOSER);
            throw new IOException("the compositor got '" + got + "' with " + in.size() + " fds, not '" + marker + "' with one");
        }
        return in.take();
    }

    /** Runs a receive loop on {@code c}, as a relay would, collecting bytes and fds. */
    public static final class Receiver {
        private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        public final LinkedBlockingQueue<Integer> fds = new LinkedBlockingQueue<>();
        /** -1 once the stream ended, or the failure. */
        public final CompletableFuture<Integer> done = new CompletableFuture<>();

        public Receiver(Connection c) {
            Thread t = new Thread(() -> {
                try {
                    while (true) {
                        ByteBuffer b = ByteBuffer.allocateDirect(4096);
                        FdQueue f = new FdQueue();
                        int n = c.receive(b, f);
                        if (n < 0) {
                            done.complete(n);
                            return;
                        }
                        b.flip();
                        byte[] got = new byte[b.remaining()];
                        b.get(got);
                        synchronized (bytes) {
                            bytes.write(got, 0, got.length);
                        }
                        while (!f.isEmpty()) {
                            fds.add(f.take());
                        }
                    }
                } catch (IOException | RuntimeException e) {
                    done.completeExceptionally(e);
                }
            }, "test-receiver");
            t.setDaemon(true);
            t.start();
        }

        /** The bytes received so far, once there are at least {@code n}, or null after {@code millis}. */
        public String awaitBytes(int n, long millis) throws InterruptedException {
            long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
            while (System.nanoTime() < deadline) {
                synchronized (bytes) {
                    if (bytes.size() >= n) {
                        return bytes.toString(UTF_8);
                    }
                }
                Thread.sleep(5);
            }
            return null;
        }
    }
}
