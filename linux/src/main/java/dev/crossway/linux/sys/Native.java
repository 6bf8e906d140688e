package dev.crossway.linux.sys;

import com.kenai.jffi.MemoryIO;
import java.nio.Buffer;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import jnr.ffi.LibraryLoader;
import jnr.ffi.Platform;
import jnr.ffi.Runtime;

/**
 * The one place that loads native code: libc through jnr-ffi, plus the two jffi primitives that turn
 * native memory into {@link ByteBuffer}s and back.
 *
 * <p>ByteBuffer views of native memory come from jffi's {@code MemoryIO.newDirectByteBuffer}, which
 * is JNI's {@code NewDirectByteBuffer}: it works on JDK 17 and 25 without {@code --add-opens}, and the
 * buffer has no cleaner, so the memory is released only when its owner says so (never by the GC).
 */
public final class Native {
    private static final LibC LIBC;
    private static final Runtime RUNTIME;
    private static final MemoryIO MEMORY_IO;

    static {
        Platform platform = Platform.getNativePlatform();
        if (platform.getOS() != Platform.OS.LINUX || platform.getCPU() != Platform.CPU.X86_64) {
            // LibC's constants and struct offsets are x86_64 Linux values.
            throw new UnsupportedOperationException("Crossway's native layer supports x86_64 Linux only, not "
                    + platform.getOS() + "/" + platform.getCPU());
        }
        LIBC = LibraryLoader.create(LibC.class).failImmediately().load(platform.getStandardCLibraryName());
        RUNTIME = Runtime.getRuntime(LIBC);
        MEMORY_IO = MemoryIO.getInstance();
    }

    private Native() {
    }

    public static LibC libc() {
        return LIBC;
    }

    /** The jnr-ffi runtime libc was loaded with, for {@code jnr.ffi.Memory} allocations. */
    public static Runtime runtime() {
        return RUNTIME;
    }

    /** errno saved by the calling thread's last libc call. */
    public static int errno() {
        return RUNTIME.getLastError();
    }

    /** {@code s} as a C string for {@link LibC}: its UTF-8 bytes and a NUL. */
    public static byte[] cString(String s) {
        byte[] utf8 = s.getBytes(StandardCharsets.UTF_8);
        return Arrays.copyOf(utf8, utf8.length + 1);
    }

    /** The NUL-terminated C string at {@code address} (UTF-8), or null for a null pointer. */
    public static String cString(long address) {
        return address == 0 ? null : new String(MEMORY_IO.getZeroTerminatedByteArray(address), StandardCharsets.UTF_8);
    }

    /** Address of element 0 of a direct buffer; no allocation. */
    public static long address(Buffer direct) {
        if (!direct.isDirect()) {
            throw new IllegalArgumentException("not a direct buffer: " + direct);
        }
        return MEMORY_IO.getDirectBufferAddress(direct);
    }

    /**
     * A direct buffer over {@code size} bytes of native memory at {@code address}, which the caller owns
     * and must keep valid while the buffer is used. The buffer never frees it.
     */
    public static ByteBuffer newDirectByteBuffer(long address, int size) {
        return MEMORY_IO.newDirectByteBuffer(address, size);
    }
}
