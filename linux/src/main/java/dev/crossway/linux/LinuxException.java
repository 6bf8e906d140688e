package dev.crossway.linux;

import dev.crossway.linux.sys.Native;
import java.io.IOException;

/**
 * A failed system call: carries the errno, and its message names the call, the errno name, its number
 * and strerror, e.g. {@code sendmsg failed: EPIPE (32): Broken pipe}, followed by what a person can
 * do about it when there is something.
 */
public final class LinuxException extends IOException {
    private static final long serialVersionUID = 1L;

    /** errno names by number, x86_64 Linux ({@code <asm-generic/errno-base.h>}, {@code <asm-generic/errno.h>}). */
    private static final String[] ERRNO_NAMES = {
            null, "EPERM", "ENOENT", "ESRCH", "EINTR", "EIO", "ENXIO", "E2BIG", "ENOEXEC", "EBADF", "ECHILD",
            "EAGAIN", "ENOMEM", "EACCES", "EFAULT", "ENOTBLK", "EBUSY", "EEXIST", "EXDEV", "ENODEV", "ENOTDIR",
            "EISDIR", "EINVAL", "ENFILE", "EMFILE", "ENOTTY", "ETXTBSY", "EFBIG", "ENOSPC", "ESPIPE", "EROFS",
            "EMLINK", "EPIPE", "EDOM", "ERANGE", "EDEADLK", "ENAMETOOLONG", "ENOLCK", "ENOSYS", "ENOTEMPTY",
            "ELOOP", null, "ENOMSG", "EIDRM", "ECHRNG", "EL2NSYNC", "EL3HLT", "EL3RST", "ELNRNG", "EUNATCH",
            "ENOCSI", "EL2HLT", "EBADE", "EBADR", "EXFULL", "ENOANO", "EBADRQC", "EBADSLT", null, "EBFONT",
            "ENOSTR", "ENODATA", "ETIME", "ENOSR", "ENONET", "ENOPKG", "EREMOTE", "ENOLINK", "EADV", "ESRMNT",
            "ECOMM", "EPROTO", "EMULTIHOP", "EDOTDOT", "EBADMSG", "EOVERFLOW", "ENOTUNIQ", "EBADFD", "EREMCHG",
            "ELIBACC", "ELIBBAD", "ELIBSCN", "ELIBMAX", "ELIBEXEC", "EILSEQ", "ERESTART", "ESTRPIPE", "EUSERS",
            "ENOTSOCK", "EDESTADDRREQ", "EMSGSIZE", "EPROTOTYPE", "ENOPROTOOPT", "EPROTONOSUPPORT",
            "ESOCKTNOSUPPORT", "EOPNOTSUPP", "EPFNOSUPPORT", "EAFNOSUPPORT", "EADDRINUSE", "EADDRNOTAVAIL",
            "ENETDOWN", "ENETUNREACH", "ENETRESET", "ECONNABORTED", "ECONNRESET", "ENOBUFS", "EISCONN",
            "ENOTCONN", "ESHUTDOWN", "ETOOMANYREFS", "ETIMEDOUT", "ECONNREFUSED", "EHOSTDOWN", "EHOSTUNREACH",
            "EALREADY", "EINPROGRESS", "ESTALE", "EUCLEAN", "ENOTNAM", "ENAVAIL", "EISNAM", "EREMOTEIO",
            "EDQUOT", "ENOMEDIUM", "EMEDIUMTYPE", "ECANCELED", "ENOKEY", "EKEYEXPIRED", "EKEYREVOKED",
            "EKEYREJECTED", "EOWNERDEAD", "ENOTRECOVERABLE", "ERFKILL", "EHWPOISON"
    };

    private final String call;
    private final int errno;

    /**
     * @param call  what failed, as the user should read it: {@code "sendmsg"}, {@code "connect to /run/user/1000/wayland-0"}
     * @param errno the errno the call left
     * @param hint  what to do about it, or null
     */
    public LinuxException(String call, int errno, String hint) {
        super(call + " failed: " + describe(errno) + (hint == null ? "" : "; " + hint));
        this.call = call;
        this.errno = errno;
    }

    public LinuxException(String call, int errno) {
        this(call, errno, null);
    }

    /** Builds the exception for the calling thread's current errno. */
    public static LinuxException ofErrno(String call) {
        return new LinuxException(call, Native.errno());
    }

    /** What failed, as given to the constructor. */
    public String call() {
        return call;
    }

    public int errno() {
        return errno;
    }

    /** The symbolic name of {@code errno}, e.g. {@code EPIPE}, or {@code errno N} when unknown. */
    public static String errnoName(int errno) {
        String name = errno > 0 && errno < ERRNO_NAMES.length ? ERRNO_NAMES[errno] : null;
        return name != null ? name : "errno " + errno;
    }

    /** {@code EPIPE (32): Broken pipe}. */
    public static String describe(int errno) {
        String text;
        try {
            text = Native.cString(Native.libc().strerror(errno));
        } catch (RuntimeException | LinkageError e) {
            text = "(strerror unavailable)";
        }
        return errnoName(errno) + " (" + errno + "): " + text;
    }
}
