package dev.crossway.linux.sys;

import jnr.ffi.Pointer;

/**
 * The libc calls Crossway makes, bound with jnr-ffi: those jnr-posix lacks ({@code memfd_create},
 * {@code mmap}, {@code accept4}, ...) and those that must make no garbage ({@code sendmsg},
 * {@code recvmsg}). Obtain the instance from {@link Native#libc()}.
 *
 * <p>Pointers to structs are passed as raw addresses ({@code long}) into memory the caller owns, so a
 * call boxes nothing. Constants carry their upstream names and x86_64 Linux values (glibc headers and
 * the kernel uapi); {@link Native} refuses to load on another architecture.
 *
 * <p>Every 64-bit C type ({@code void *}, {@code size_t}, {@code ssize_t}, {@code off_t},
 * {@code unsigned long}) is a plain {@code long}: on x86_64, the one architecture {@link Native}
 * accepts, it is passed and returned in a 64-bit register just as a C {@code long long} is. jnr-ffi's
 * type annotations would say the same and cost each start reading them (binding took 114-123 ms with
 * them, 75-81 ms without). Strings go in as NUL-terminated bytes ({@link Native#cString(String)}) and
 * come back as addresses ({@link Native#cString(long)}), for the same reason.
 *
 * <p>Bindings only, no logic. errno is saved by jnr-ffi after each call; read it with
 * {@link Native#errno()}.
 */
public interface LibC {

    // <bits/socket.h>, <linux/socket.h>
    int AF_UNIX = 1;
    int SOCK_STREAM = 1;
    int SOCK_DGRAM = 2;
    int SOCK_CLOEXEC = 0x80000;
    int SOL_SOCKET = 1;
    int SO_TYPE = 3;
    int SO_ACCEPTCONN = 30;
    int SCM_RIGHTS = 1;
    int MSG_CTRUNC = 0x8;
    int MSG_NOSIGNAL = 0x4000;
    int MSG_CMSG_CLOEXEC = 0x40000000;
    int SHUT_RD = 0;
    int SHUT_WR = 1;
    int SHUT_RDWR = 2;
    /** Most fds one SCM_RIGHTS message may carry ({@code include/net/scm.h}). */
    int SCM_MAX_FD = 253;
    /** {@code sizeof(struct sockaddr_un)}: 2-byte family then {@code char sun_path[108]}. */
    int SOCKADDR_UN_SIZE = 110;
    int SUN_PATH_MAX = 108;

    // <fcntl.h>
    int O_RDONLY = 0;
    int O_WRONLY = 1;
    int O_RDWR = 2;
    int O_CREAT = 0100;
    int O_NOFOLLOW = 0400000;
    int O_CLOEXEC = 02000000;
    int F_DUPFD_CLOEXEC = 1030;
    int F_GETFD = 1;
    int F_SETFD = 2;
    int FD_CLOEXEC = 1;
    int F_GETFL = 3;
    int F_SETFL = 4;
    int O_ACCMODE = 3;
    int O_NONBLOCK = 04000;

    // <linux/memfd.h>
    int MFD_CLOEXEC = 0x1;
    int MFD_ALLOW_SEALING = 0x2;

    // <sys/mman.h>
    int PROT_READ = 0x1;
    int PROT_WRITE = 0x2;
    int MAP_SHARED = 0x1;
    int MAP_PRIVATE = 0x2;
    /** {@code MAP_ANONYMOUS} (x86_64): memory not backed by a file, zero-filled. */
    int MAP_ANONYMOUS = 0x20;
    long MAP_FAILED = -1L;

    // <sys/file.h>
    int LOCK_SH = 1;
    int LOCK_EX = 2;
    int LOCK_NB = 4;
    int LOCK_UN = 8;

    // <poll.h>
    short POLLIN = 0x1;
    short POLLOUT = 0x4;
    short POLLERR = 0x8;
    short POLLHUP = 0x10;

    // <asm-generic/errno-base.h>, <asm-generic/errno.h>
    int EPERM = 1;
    int ENOENT = 2;
    int EINTR = 4;
    int ENXIO = 6;
    int EBADF = 9;
    int EAGAIN = 11;
    int EWOULDBLOCK = EAGAIN;
    int ENOMEM = 12;
    int EACCES = 13;
    int EFAULT = 14;
    int EBUSY = 16;
    int EEXIST = 17;
    int ENODEV = 19;
    int EINVAL = 22;
    int EMFILE = 24;
    int ENOTTY = 25;
    int ENOSPC = 28;
    int ENOSYS = 38;
    int EOPNOTSUPP = 95;
    int EPIPE = 32;
    int EPROTO = 71;
    int EBADFD = 77;
    int ENAMETOOLONG = 36;
    int ELOOP = 40;
    int ENOTSOCK = 88;
    int EADDRINUSE = 98;
    int ECONNABORTED = 103;
    int ECONNRESET = 104;
    int ENOTCONN = 107;
    int ECONNREFUSED = 111;

    /** {@code int socket(int domain, int type, int protocol);} */
    int socket(int domain, int type, int protocol);

    /** {@code int socketpair(int domain, int type, int protocol, int sv[2]);} */
    int socketpair(int domain, int type, int protocol, int[] sv);

    /** {@code int bind(int sockfd, const struct sockaddr *addr, socklen_t addrlen);} */
    int bind(int sockfd, long addr, int addrlen);

    /** {@code int listen(int sockfd, int backlog);} */
    int listen(int sockfd, int backlog);

    /** {@code int accept4(int sockfd, struct sockaddr *addr, socklen_t *addrlen, int flags);} */
    int accept4(int sockfd, long addr, long addrlen, int flags);

    /** {@code int getsockname(int sockfd, struct sockaddr *addr, socklen_t *addrlen);} */
    int getsockname(int sockfd, long addr, long addrlen);

    /** {@code int getsockopt(int sockfd, int level, int optname, void *optval, socklen_t *optlen);} */
    int getsockopt(int sockfd, int level, int optname, long optval, long optlen);

    /** {@code int connect(int sockfd, const struct sockaddr *addr, socklen_t addrlen);} */
    int connect(int sockfd, long addr, int addrlen);

    /** {@code ssize_t sendmsg(int sockfd, const struct msghdr *msg, int flags);} */
    long sendmsg(int sockfd, long msg, int flags);

    /** {@code ssize_t recvmsg(int sockfd, struct msghdr *msg, int flags);} */
    long recvmsg(int sockfd, long msg, int flags);

    /** {@code int shutdown(int sockfd, int how);} */
    int shutdown(int sockfd, int how);

    /** {@code int close(int fd);} */
    int close(int fd);

    /**
     * {@code int fcntl(int fd, int cmd, ... );} bound with one int argument, which is how the x86_64
     * calling convention passes it for {@code F_DUPFD_CLOEXEC} and {@code F_GETFD}.
     */
    int fcntl(int fd, int cmd, int arg);

    /** {@code int pipe2(int pipefd[2], int flags);} */
    int pipe2(int[] pipefd, int flags);

    /** {@code int open(const char *pathname, int flags, mode_t mode);} */
    int open(byte[] pathname, int flags, int mode);

    /** {@code int memfd_create(const char *name, unsigned int flags);} (glibc 2.27+) */
    int memfd_create(byte[] name, int flags);

    /** {@code int ftruncate(int fd, off_t length);} */
    int ftruncate(int fd, long length);

    /**
     * {@code void *mmap(void *addr, size_t length, int prot, int flags, int fd, off_t offset);}
     *
     * <p>{@code addr} is a {@link Pointer} (pass null) on purpose: jnr-ffi 2.3.7's x86_64 assembly stubs,
     * used when every parameter is primitive, pass a garbage sixth argument, so an all-primitive
     * {@code mmap} fails with EINVAL (glibc sees an unaligned offset). A Pointer parameter routes the
     * call through the generic invoker, which is correct. Not a hot-path call.
     */
    long mmap(Pointer addr, long length, int prot, int flags, int fd, long offset);

    /** {@code int munmap(void *addr, size_t length);} */
    int munmap(long addr, long length);

    /**
     * {@code int fstat(int fd, struct stat *statbuf);} (an exported symbol since glibc 2.33). On x86_64
     * {@code struct stat} is {@link #STAT_SIZE} bytes and {@code off_t st_size} is at
     * {@link #STAT_ST_SIZE}.
     */
    int fstat(int fd, long statbuf);

    /**
     * {@code int fstatfs(int fd, struct statfs *buf);} On x86_64 {@code struct statfs} is
     * {@link #STATFS_SIZE} bytes and starts with {@code __fsword_t f_type} (8 bytes).
     */
    int fstatfs(int fd, long buf);

    /** {@code sizeof(struct statfs)} on x86_64. */
    int STATFS_SIZE = 120;
    /** {@code TMPFS_MAGIC} from {@code <linux/magic.h>}: shmem, where memfds live (unless MFD_HUGETLB). */
    long TMPFS_MAGIC = 0x01021994L;
    /** {@code DMA_BUF_MAGIC} from {@code <linux/magic.h>}: a dma-buf (virtio-gpu blobs), whose size never changes. */
    long DMA_BUF_MAGIC = 0x444d4142L;
    /** {@code ANON_INODE_FS_MAGIC} from {@code <linux/magic.h>}: anonymous inodes, such as virtwl's VFDs. */
    long ANON_INODE_FS_MAGIC = 0x09041934L;

    // <linux/fcntl.h>: F_LINUX_SPECIFIC_BASE (1024) + 9 and + 10, and the seal bits.
    int F_ADD_SEALS = 1033;
    int F_GET_SEALS = 1034;
    int F_SEAL_SEAL = 0x1;
    int F_SEAL_SHRINK = 0x2;
    int F_SEAL_GROW = 0x4;
    int F_SEAL_WRITE = 0x8;

    /** {@code sizeof(struct stat)} on x86_64. */
    int STAT_SIZE = 144;
    /** {@code offsetof(struct stat, st_size)} on x86_64. */
    int STAT_ST_SIZE = 48;
    /** {@code offsetof(struct stat, st_dev)} on x86_64 ({@code dev_t}, 8 bytes). */
    int STAT_ST_DEV = 0;
    /** {@code offsetof(struct stat, st_ino)} on x86_64 ({@code ino_t}, 8 bytes). */
    int STAT_ST_INO = 8;
    /** {@code offsetof(struct stat, st_mode)} on x86_64 ({@code mode_t}, 4 bytes). */
    int STAT_ST_MODE = 24;
    /** {@code offsetof(struct stat, st_rdev)} on x86_64 ({@code dev_t}, 8 bytes). */
    int STAT_ST_RDEV = 40;

    // <sys/stat.h>: file type bits of st_mode
    int S_IFMT = 0170000;
    int S_IFSOCK = 0140000;
    int S_IFLNK = 0120000;
    int S_IFREG = 0100000;
    int S_IFBLK = 0060000;
    int S_IFDIR = 0040000;
    int S_IFCHR = 0020000;
    int S_IFIFO = 0010000;

    /** {@code int poll(struct pollfd *fds, nfds_t nfds, int timeout);} with {@code struct pollfd { int fd; short events; short revents; }}. */
    int poll(long fds, long nfds, int timeout);

    /**
     * {@code int ioctl(int fd, unsigned long request, void *arg);} with {@code arg} the address of the
     * argument struct. Pass {@code request} zero-extended (e.g. {@code 0xC0106443L}).
     */
    int ioctl(int fd, long request, long arg);

    /** {@code ssize_t read(int fd, void *buf, size_t count);} */
    long read(int fd, long buf, long count);

    /** {@code ssize_t write(int fd, const void *buf, size_t count);} */
    long write(int fd, long buf, long count);

    /** {@code void *memcpy(void *dest, const void *src, size_t n);} */
    long memcpy(long dest, long src, long n);

    /** {@code ssize_t pread(int fd, void *buf, size_t count, off_t offset);} */
    long pread(int fd, long buf, long count, long offset);

    /**
     * {@code ssize_t process_vm_readv(pid_t pid, const struct iovec *local_iov, unsigned long liovcnt,
     * const struct iovec *remote_iov, unsigned long riovcnt, unsigned long flags);} ({@code struct iovec
     * { void *iov_base; size_t iov_len; }}, 16 bytes). {@code flags} must be 0; it is a {@link Pointer}
     * (pass null) for the reason given at {@link #mmap}: six primitive parameters would get a garbage sixth.
     */
    long process_vm_readv(int pid, long localIov, long liovcnt, long remoteIov,
                                   long riovcnt, Pointer flags);

    /** {@code sizeof(struct iovec)} on x86_64. */
    int IOVEC_SIZE = 16;
    /** {@code IOV_MAX}: most iovecs one call takes. */
    int IOV_MAX = 1024;

    /** {@code pid_t getpid(void);} */
    int getpid();

    /** {@code off_t lseek(int fd, off_t offset, int whence);} */
    long lseek(int fd, long offset, int whence);

    int SEEK_SET = 0;
    int SEEK_CUR = 1;
    int SEEK_END = 2;

    /** {@code int flock(int fd, int operation);} */
    int flock(int fd, int operation);

    /**
     * {@code int getrlimit(int resource, struct rlimit *rlim);} with
     * {@code struct rlimit { rlim_t rlim_cur; rlim_t rlim_max; }} (16 bytes on x86_64, {@code <sys/resource.h>}).
     */
    int getrlimit(int resource, long rlim);

    /** {@code int setrlimit(int resource, const struct rlimit *rlim);} */
    int setrlimit(int resource, long rlim);

    /** {@code RLIMIT_NOFILE}: the open-file limit. */
    int RLIMIT_NOFILE = 7;
    /** {@code RLIM_INFINITY} as an unsigned 64-bit value. */
    long RLIM_INFINITY = -1L;

    /** {@code uid_t geteuid(void);} */
    int geteuid();

    /** {@code char *strerror(int errnum);} */
    long strerror(int errnum);
}
