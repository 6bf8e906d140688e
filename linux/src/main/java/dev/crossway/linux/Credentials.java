package dev.crossway.linux;

import dev.crossway.linux.sys.Native;

/** Who this process runs as. */
public final class Credentials {
    private Credentials() {
    }

    /** {@code geteuid()}: the user whose files this process may own and whose sockets it may serve. */
    public static int effectiveUid() {
        return Native.libc().geteuid();
    }
}
