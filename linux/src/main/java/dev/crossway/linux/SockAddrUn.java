package dev.crossway.linux;

import dev.crossway.linux.sys.LibC;
import dev.crossway.linux.sys.Native;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import jnr.ffi.Memory;
import jnr.ffi.Pointer;

/**
 * Builds a {@code struct sockaddr_un} ({@code <sys/un.h>}) for a filesystem path:
 * <pre>
 * struct sockaddr_un {
 *     sa_family_t sun_family;  // AF_UNIX, 2 bytes at offset 0
 *     char sun_path[108];      // NUL-terminated path at offset 2
 * };
 * </pre>
 */
final class SockAddrUn {
    private SockAddrUn() {
    }

    /** Native memory holding the address; {@link LibC#SOCKADDR_UN_SIZE} bytes. */
    static Pointer of(Path path) throws LinuxException {
        byte[] bytes = path.toString().getBytes(StandardCharsets.UTF_8);
        if (bytes.length >= LibC.SUN_PATH_MAX) {
            throw new LinuxException("socket address " + path, LibC.ENAMETOOLONG,
                    "a Unix socket path holds at most " + (LibC.SUN_PATH_MAX - 1) + " bytes, this one has " + bytes.length
                            + "; use a shorter directory");
        }
        Pointer addr = Memory.allocateDirect(Native.runtime(), LibC.SOCKADDR_UN_SIZE, true); // zeroed
        addr.putShort(0, (short) LibC.AF_UNIX);
        addr.put(2, bytes, 0, bytes.length);
        return addr;
    }
}
