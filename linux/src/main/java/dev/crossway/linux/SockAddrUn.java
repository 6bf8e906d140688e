package dev.crossway.linux;

import dev.crossway.linux.sys.LibC;
import dev.crossway.linux.sys.Native;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import jnr.ffi.Memory;
import jnr.ffi.Pointer;

/**
 * Builds and reads a {@code struct sockaddr_un} ({@code <sys/un.h>}):
 * <pre>
 * struct sockaddr_un {
 *     sa_family_t sun_family;  // AF_UNIX, 2 bytes at offset 0
 *     char sun_path[108];      // at offset 2: a NUL-terminated path, or NUL then an abstract name
 * };
 * </pre>
 * An abstract address (Linux only, no file) is written {@code @name} here, as systemd and ss(8) print it.
 *
 * @param memory native memory holding the address, {@link LibC#SOCKADDR_UN_SIZE} bytes
 * @param length the {@code socklen_t} to pass: the whole struct for a path, exactly up to the name's end
 *               for an abstract address (its bytes after that would be part of the name)
 */
record SockAddrUn(Pointer memory, int length) {
    private static final int SUN_PATH = 2;

    /** The address of a filesystem socket. */
    static SockAddrUn of(Path path) throws LinuxException {
        byte[] bytes = path.toString().getBytes(StandardCharsets.UTF_8);
        if (bytes.length >= LibC.SUN_PATH_MAX) {
            throw new LinuxException("socket address " + path, LibC.ENAMETOOLONG,
                    "a Unix socket path holds at most " + (LibC.SUN_PATH_MAX - 1) + " bytes, this one has " + bytes.length
                            + "; use a shorter directory");
        }
        Pointer addr = Memory.allocateDirect(Native.runtime(), LibC.SOCKADDR_UN_SIZE, true); // zeroed
        addr.putShort(0, (short) LibC.AF_UNIX);
        addr.put(SUN_PATH, bytes, 0, bytes.length);
        return new SockAddrUn(addr, LibC.SOCKADDR_UN_SIZE);
    }

    /** A path, or {@code @name} for an abstract address. */
    static SockAddrUn of(String address) throws LinuxException {
        if (!address.startsWith("@")) {
            return of(Path.of(address));
        }
        byte[] name = address.substring(1).getBytes(StandardCharsets.UTF_8);
        if (name.length + 1 > LibC.SUN_PATH_MAX) {
            throw new LinuxException("socket address " + address, LibC.ENAMETOOLONG,
                    "an abstract Unix socket name holds at most " + (LibC.SUN_PATH_MAX - 1) + " bytes, this one has " + name.length);
        }
        Pointer addr = Memory.allocateDirect(Native.runtime(), LibC.SOCKADDR_UN_SIZE, true);
        addr.putShort(0, (short) LibC.AF_UNIX);
        addr.put(SUN_PATH + 1, name, 0, name.length); // sun_path[0] stays NUL
        return new SockAddrUn(addr, SUN_PATH + 1 + name.length);
    }

    /**
     * Reads what {@code getsockname} left in {@code addr}: a path, {@code @name} for an abstract address, or
     * the empty string for an unnamed socket.
     *
     * @param length the {@code socklen_t} the call returned
     */
    static String read(Pointer addr, int length) {
        int pathBytes = Math.min(length, LibC.SOCKADDR_UN_SIZE) - SUN_PATH;
        if (pathBytes <= 0) {
            return "";
        }
        byte[] raw = new byte[pathBytes];
        addr.get(SUN_PATH, raw, 0, pathBytes);
        if (raw[0] == 0) {
            return "@" + new String(raw, 1, pathBytes - 1, StandardCharsets.UTF_8);
        }
        int end = 0;
        while (end < raw.length && raw[end] != 0) {
            end++;
        }
        return new String(raw, 0, end, StandardCharsets.UTF_8);
    }

    long address() {
        return memory.address();
    }
}
