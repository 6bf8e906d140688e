package dev.crossway.linux;

import java.util.HashMap;
import java.util.Map;

/**
 * The fds a transport made and handed out to come back through its {@code send}: a host buffer's
 * duplicate, a bridged pipe. Each is recorded with what it stands for, and {@code send} looks it up:
 * the transport never has to find out what an fd is, and never sends one it did not make.
 *
 * <p>An entry also holds the identity of the file behind the number ({@code fstat}'s device and inode),
 * so a number that was closed and reused meanwhile is not taken for the fd it once was. Thread-safe.
 *
 * @param <T> what an fd stands for, e.g. a host buffer or a pipe bridge
 */
public final class IssuedFds<T> {
    private record Issued<T>(long dev, long ino, T what) {
    }

    private final Map<Integer, Issued<T>> byFd = new HashMap<>();

    /** Records {@code fd}, just made and about to be handed out, as standing for {@code what}. */
    public void put(int fd, T what) throws LinuxException {
        Fds.Stat st = Fds.stat(fd);
        synchronized (this) {
            byFd.put(fd, new Issued<>(st.dev(), st.ino(), what));
        }
    }

    /**
     * What {@code fd} stands for, forgetting it: null when this transport did not hand it out (or the
     * number now names another file).
     */
    public T take(int fd) throws LinuxException {
        Issued<T> issued;
        synchronized (this) {
            issued = byFd.remove(fd);
        }
        if (issued == null) {
            return null;
        }
        Fds.Stat st = Fds.stat(fd);
        return st.dev() == issued.dev() && st.ino() == issued.ino() ? issued.what() : null;
    }

    /** Forgets {@code fd} without looking at it, e.g. when it is closed unsent. */
    public synchronized void forget(int fd) {
        byFd.remove(fd);
    }

    /** Entries handed out and not yet taken back. */
    public synchronized int size() {
        return byFd.size();
    }
}
