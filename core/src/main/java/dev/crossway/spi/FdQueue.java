package dev.crossway.spi;

import java.util.Arrays;

/**
 * A first-in first-out queue of file descriptors, travelling beside a byte stream.
 *
 * <p>Wayland sends fds out of band (SCM_RIGHTS, transport identifiers); a receiver queues them in
 * arrival order and each message with {@code fd} arguments takes its fds from the front. Primitive
 * ints, so the hot path makes no garbage. Not thread-safe: one queue belongs to one direction.
 *
 * <p>Ownership: fds in a queue are owned by the queue's holder; {@link #closeAll(FdCloser)} releases them.
 */
public final class FdQueue {
    private int[] fds = new int[32];
    private int head;
    private int size;

    public int size() {
        return size;
    }

    public boolean isEmpty() {
        return size == 0;
    }

    public void add(int fd) {
        if (size == fds.length) {
            int[] bigger = new int[fds.length * 2];
            for (int i = 0; i < size; i++) {
                bigger[i] = fds[(head + i) % fds.length];
            }
            fds = bigger;
            head = 0;
        }
        fds[(head + size) % fds.length] = fd;
        size++;
    }

    /** The i-th fd from the front, without removing it. */
    public int peek(int i) {
        if (i < 0 || i >= size) {
            throw new IndexOutOfBoundsException("fd index " + i + " of " + size);
        }
        return fds[(head + i) % fds.length];
    }

    public int take() {
        if (size == 0) {
            throw new IllegalStateException("no fd queued");
        }
        int fd = fds[head];
        head = (head + 1) % fds.length;
        size--;
        return fd;
    }

    /** Moves the first {@code n} fds of this queue to the back of {@code to}. */
    public void moveTo(FdQueue to, int n) {
        for (int i = 0; i < n; i++) {
            to.add(take());
        }
    }

    public void clear() {
        head = 0;
        size = 0;
    }

    /** Closes and removes the first {@code n} fds (fewer if fewer are queued). */
    public void closeSome(FdCloser closer, int n) {
        for (int i = 0; i < n && size > 0; i++) {
            closer.close(take());
        }
    }

    /** Closes and removes every queued fd. */
    public void closeAll(FdCloser closer) {
        while (size > 0) {
            closer.close(take());
        }
    }

    /** Closes one fd; how depends on who owns the native layer. */
    @FunctionalInterface
    public interface FdCloser {
        void close(int fd);
    }

    @Override
    public String toString() {
        int[] out = new int[size];
        for (int i = 0; i < size; i++) {
            out[i] = peek(i);
        }
        return "FdQueue" + Arrays.toString(out);
    }
}
