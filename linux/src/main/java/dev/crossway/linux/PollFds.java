package dev.crossway.linux;

import dev.crossway.linux.sys.LibC;
import dev.crossway.linux.sys.Native;
import jnr.ffi.Memory;
import jnr.ffi.Pointer;

/**
 * A {@code struct pollfd} array in native memory, reused from one {@code poll} to the next and grown
 * when needed, so a poll loop makes no garbage. Not thread-safe: one belongs to one polling thread.
 *
 * <pre>
 * struct pollfd {      // &lt;poll.h&gt;, 8 bytes
 *     int fd;          // @0
 *     short events;    // @4
 *     short revents;   // @6
 * };
 * </pre>
 */
public final class PollFds {
    private static final int SIZE = 8;

    private Pointer memory;
    private int capacity;
    private int count;

    public PollFds(int capacity) {
        this.capacity = Math.max(1, capacity);
        this.memory = Memory.allocateDirect(Native.runtime(), (long) SIZE * this.capacity, true);
    }

    /** Forgets every entry; the memory stays. */
    public PollFds clear() {
        count = 0;
        return this;
    }

    /** Appends {@code fd} polled for {@code events}; returns its index. */
    public int add(int fd, short events) {
        if (count == capacity) {
            Pointer bigger = Memory.allocateDirect(Native.runtime(), (long) SIZE * capacity * 2, true);
            bigger.transferFrom(0, memory, 0, (long) SIZE * count);
            memory = bigger;
            capacity *= 2;
        }
        long at = (long) SIZE * count;
        memory.putInt(at, fd);
        memory.putShort(at + 4, events);
        memory.putShort(at + 6, (short) 0);
        return count++;
    }

    public int size() {
        return count;
    }

    /** What {@code poll} reported for entry {@code i}. */
    public short revents(int i) {
        return memory.getShort((long) SIZE * i + 6);
    }

    /** The array's address, for a device's own {@code poll}. */
    public long address() {
        return memory.address();
    }

    /**
     * {@code poll} over the entries, retrying on EINTR.
     *
     * @return the number of entries with events, 0 on timeout
     */
    public int poll(int timeoutMillis) throws LinuxException {
        while (true) {
            int n = Native.libc().poll(memory.address(), count, timeoutMillis);
            if (n >= 0) {
                return n;
            }
            if (Native.errno() != LibC.EINTR) {
                throw LinuxException.ofErrno("poll");
            }
        }
    }
}
