package dev.crossway.transport.virtgpu.emulator;

import static dev.crossway.linux.sys.LibC.*;
import static dev.crossway.transport.virtgpu.sys.VirtGpuUapi.*;

import dev.crossway.linux.Fds;
import dev.crossway.linux.LinuxException;
import dev.crossway.linux.device.Device;
import dev.crossway.linux.device.KernelDevice;
import dev.crossway.linux.sys.LibC;
import dev.crossway.linux.sys.Native;
import dev.crossway.transport.virtgpu.sys.VirtGpu3dWait;
import dev.crossway.transport.virtgpu.sys.VirtGpuContextInit;
import dev.crossway.transport.virtgpu.sys.VirtGpuContextSetParam;
import dev.crossway.transport.virtgpu.sys.VirtGpuDrmGemClose;
import dev.crossway.transport.virtgpu.sys.VirtGpuDrmPrimeHandle;
import dev.crossway.transport.virtgpu.sys.VirtGpuDrmVersion;
import dev.crossway.transport.virtgpu.sys.VirtGpuExecbuffer;
import dev.crossway.transport.virtgpu.sys.VirtGpuGetCaps;
import dev.crossway.transport.virtgpu.sys.VirtGpuGetparam;
import dev.crossway.transport.virtgpu.sys.VirtGpuMap;
import dev.crossway.transport.virtgpu.sys.VirtGpuResourceCreateBlob;
import dev.crossway.transport.virtgpu.sys.VirtGpuResourceInfo;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;

/**
 * An emulated virtio-gpu device: the guest kernel driver (this class) in front of crosvm's
 * cross-domain host ({@link CrossDomainEmulatedHost}), behind the {@link Device} seam.
 *
 * <p>Kernel side, as in {@code drivers/gpu/drm/virtio} (6.12): each {@link #open} is a DRM file whose fd
 * is the read end of a pipe that holds one byte per queued event, so a real {@code poll} works on it;
 * GEM handles are per file; resources (host ids) are global and backed by memfds, which also stand in
 * for dma-bufs; one context per file, created implicitly by the first blob, import or EXECBUFFER, so a
 * later CONTEXT_INIT gets EEXIST; ioctls decode the caller's raw struct bytes, copying
 * {@code min(request size, kernel struct size)} in and out as DRM does; fence events only for rings in the
 * context's poll mask.
 *
 * <p>Host side: submissions, attaches and detaches go through one in-order queue (the virtqueue), so a
 * guest that forgets to wait reads stale data as it would on a real VM. The queue holds
 * {@link VirtGpuEmulatorConfig#virtqueueSubmissions} EXECBUFFERs; with it full, the ioctl waits, as the
 * kernel does for free descriptors. The host sends to the compositor with a blocking {@code sendmsg}, as
 * crosvm does, so a compositor that does not read stalls the queue: back-pressure, with bounded memory. Errors the real host would only
 * log are collected in {@link #hostErrors()}, so tests can insist there were none.
 *
 * <p>Deviation, for earlier and clearer failures: a HOST3D blob the host cannot back fails the CREATE_BLOB
 * ioctl with EINVAL (a real kernel succeeds and the mmap fails later).
 */
public final class VirtGpuEmulator implements Device, AutoCloseable {
    /** The node this device answers at. */
    public static final String NODE = "/dev/dri/renderD128";
    static final int PAGE = 4096;
    static final long WAIT_TIMEOUT_MILLIS = 15_000;

    private static final LibC LIBC = Native.libc();
    private static final KernelDevice LIBC_DEVICE = new KernelDevice("libc", List::of);

    final VirtGpuEmulatorConfig config;
    private final Map<Integer, DrmFile> files = new HashMap<>();
    private final Map<Integer, Resource> resources = new HashMap<>();
    private final Map<String, Resource> byInode = new HashMap<>();
    private int nextResId = 1;
    private long nextMapOffset = 0x10000;
    /** Bytes of the host-visible window that mappable host blobs hold. */
    private long windowUsed;
    private final List<String> hostErrors = Collections.synchronizedList(new ArrayList<>());
    private final AtomicLong execbuffers = new AtomicLong();
    /** Room in the control virtqueue for submissions the host has not taken yet. */
    private final java.util.concurrent.Semaphore virtqueueRoom;
    private final ExecutorService virtqueue = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "virtgpu-emulator-virtqueue");
        t.setDaemon(true);
        return t;
    });

    public VirtGpuEmulator(VirtGpuEmulatorConfig config) {
        this.config = config;
        this.virtqueueRoom = new java.util.concurrent.Semaphore(config.virtqueueSubmissions);
    }

    /** What the host would have logged: protocol errors it rejected or that halted its worker. */
    public List<String> hostErrors() {
        synchronized (hostErrors) {
            return List.copyOf(hostErrors);
        }
    }

    void hostError(String message) {
        hostErrors.add(message);
    }

    /** EXECBUFFER ioctls accepted so far, on every file. */
    public long execbufferCount() {
        return execbuffers.get();
    }

    /** Open DRM files, for leak checks. */
    public synchronized int openFiles() {
        return files.size();
    }

    @Override
    public String describe() {
        return "emulated virtio-gpu + crosvm cross-domain host (test)";
    }

    @Override
    public List<String> candidates() {
        return config.devicePresent ? List.of(NODE) : List.of();
    }

    // ---------------------------------------------------------------- files

    /** One open DRM file. */
    final class DrmFile {
        final int fd;
        final int eventWriteFd;
        final ArrayDeque<byte[]> events = new ArrayDeque<>();
        final Map<Integer, Resource> handles = new HashMap<>();
        int nextHandle = 1;
        Context context;

        DrmFile(int fd, int eventWriteFd) {
            this.fd = fd;
            this.eventWriteFd = eventWriteFd;
        }

        Integer handleOf(Resource r) {
            for (Map.Entry<Integer, Resource> e : handles.entrySet()) {
                if (e.getValue() == r) {
                    return e.getKey();
                }
            }
            return null;
        }

        /** Set under this file's lock when the file is closed. */
        boolean closed;

        /**
         * Queues a fence event: one pipe byte per event keeps poll() honest. Takes only this file's lock:
         * the host worker calls it, and must never wait for the emulator's lock, which an ioctl may hold
         * while it waits for the virtqueue, which may be waiting for the worker to stop.
         */
        void queueFenceEvent() {
            synchronized (this) {
                if (closed) {
                    return;
                }
                ByteBuffer e = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
                e.putInt(VIRTGPU_EVENT_FENCE_SIGNALED).putInt(8);
                events.add(e.array());
                try {
                    Fds.write(eventWriteFd, ByteBuffer.allocateDirect(1));
                } catch (LinuxException ex) {
                    hostError("event pipe: " + ex.getMessage());
                }
            }
        }
    }

    /** A context: its capset, rings and (cross-domain) host half. */
    final class Context {
        final int capset;
        final int numRings;
        final long pollMask;
        final CrossDomainEmulatedHost host;
        /** Resources attached to this context, as the host sees it (changed on the virtqueue only). */
        final Set<Integer> attached = new HashSet<>();

        Context(int capset, int numRings, long pollMask) {
            this.capset = capset;
            this.numRings = numRings;
            this.pollMask = pollMask;
            this.host = capset == VIRTIO_GPU_CAPSET_CROSS_DOMAIN ? new CrossDomainEmulatedHost(VirtGpuEmulator.this, this) : null;
        }
    }

    /** A host resource, backed by a memfd while any file holds a handle to it. */
    static final class Resource {
        final int resId;
        final int blobMem;
        final int blobFlags;
        final long size;
        final long mapOffset;
        int memfd = -1;
        String inode;
        int handles;
        int releases;
        /** Holds space in the host-visible window until the guest's last handle, dma-buf fd and mapping are gone. */
        boolean inWindow;
        final List<CompletableFuture<Void>> fences = new ArrayList<>();

        Resource(int resId, int blobMem, int blobFlags, long size, long mapOffset) {
            this.resId = resId;
            this.blobMem = blobMem;
            this.blobFlags = blobFlags;
            this.size = size;
            this.mapOffset = mapOffset;
        }

        boolean isHost3d() {
            return blobMem == VIRTGPU_BLOB_MEM_HOST3D || blobMem == VIRTGPU_BLOB_MEM_HOST3D_GUEST;
        }
    }

    Resource resource(int resId) {
        synchronized (this) {
            return resources.get(resId);
        }
    }

    private static String inodeKey(Fds.Stat st) {
        return st.dev() + ":" + st.ino();
    }

    @Override
    public synchronized int open(String path) {
        if (!config.devicePresent || !path.equals(NODE)) {
            return -ENOENT;
        }
        if (config.openErrno != 0) {
            return -config.openErrno;
        }
        try {
            int[] pipe = Fds.pipe();
            files.put(pipe[0], new DrmFile(pipe[0], pipe[1]));
            return pipe[0];
        } catch (LinuxException e) {
            return -e.errno();
        }
    }

    @Override
    public int close(int fd) {
        DrmFile file;
        synchronized (this) {
            file = files.remove(fd);
            if (file == null) {
                return -EBADF;
            }
            synchronized (file) {
                file.closed = true;
            }
            for (Resource r : file.handles.values()) {
                dropHandle(file, r, false);
            }
            file.handles.clear();
        }
        // The host tears the context down in order behind earlier submissions; wait, so tests see it done.
        Context ctx = file.context;
        if (ctx != null && ctx.host != null) {
            onVirtqueue(() -> {
                ctx.host.destroy();
                return null;
            });
        }
        Fds.close(file.fd);
        Fds.close(file.eventWriteFd);
        return 0;
    }

    // ---------------------------------------------------------------- memory and events

    @Override
    public long mmap(int fd, long length, long offset) {
        int backing;
        synchronized (this) {
            DrmFile file = files.get(fd);
            if (file != null) {
                Resource r = null;
                for (Resource candidate : file.handles.values()) {
                    if (candidate.mapOffset == offset) {
                        r = candidate;
                    }
                }
                if (r == null) {
                    return -EINVAL; // no object of this file at that fake offset
                }
                if ((r.blobFlags & VIRTGPU_BLOB_FLAG_USE_MAPPABLE) == 0 || (r.isHost3d() && length != r.size) || length > r.size) {
                    return -EINVAL;
                }
                backing = r.memfd;
            } else {
                try {
                    Resource r = byInode.get(inodeKey(Fds.stat(fd)));
                    if (r != null && r.isHost3d() && (length != r.size || offset != 0)) {
                        return -EINVAL; // a HOST3D dma-buf maps whole or not at all
                    }
                } catch (LinuxException e) {
                    return -e.errno();
                }
                backing = fd;
            }
        }
        long address = LIBC.mmap(null, length, PROT_READ | PROT_WRITE, MAP_SHARED, backing, fd == backing ? offset : 0);
        return address == MAP_FAILED ? -Native.errno() : address;
    }

    @Override
    public int munmap(long address, long length) {
        return LIBC_DEVICE.munmap(address, length);
    }

    @Override
    public long read(int fd, long buf, long count) {
        DrmFile file;
        synchronized (this) {
            file = files.get(fd);
        }
        if (file == null) {
            return LIBC_DEVICE.read(fd, buf, count);
        }
        if (count < 8) {
            return 0; // drm_read: a buffer smaller than the first event reads 0
        }
        // Block for the first event as drm_read does, then copy as many whole events as fit.
        ByteBuffer one = ByteBuffer.allocateDirect(1);
        try {
            if (Fds.read(fd, one) < 0) {
                return -EBADF;
            }
        } catch (LinuxException e) {
            return -e.errno();
        }
        ByteBuffer out = Native.newDirectByteBuffer(buf, (int) count);
        synchronized (file) {
            byte[] first = file.events.poll();
            out.put(first);
            while (!file.events.isEmpty() && out.remaining() >= 8) {
                one.clear();
                try {
                    if (Fds.read(fd, one) <= 0) {
                        break;
                    }
                } catch (LinuxException e) {
                    break;
                }
                out.put(file.events.poll());
            }
            return out.position();
        }
    }

    @Override
    public int poll(long fds, int nfds, int timeoutMillis) {
        return LIBC_DEVICE.poll(fds, nfds, timeoutMillis); // a DRM file here is a real pipe fd
    }

    // ---------------------------------------------------------------- ioctl

    /** Kernel struct size by ioctl nr (6.12: EXECBUFFER is 64 bytes there). */
    private static int kernelSize(int nr) {
        switch (nr) {
            case 0x00: return VirtGpuDrmVersion.SIZEOF;
            case 0x09: return VirtGpuDrmGemClose.SIZEOF;
            case 0x2d:
            case 0x2e: return VirtGpuDrmPrimeHandle.SIZEOF;
            case 0x41: return VirtGpuMap.SIZEOF;
            case 0x42: return 64;
            case 0x43: return VirtGpuGetparam.SIZEOF;
            case 0x45: return VirtGpuResourceInfo.SIZEOF;
            case 0x48: return VirtGpu3dWait.SIZEOF;
            case 0x49: return VirtGpuGetCaps.SIZEOF;
            case 0x4a: return VirtGpuResourceCreateBlob.SIZEOF;
            case 0x4b: return VirtGpuContextInit.SIZEOF;
            default: return -1;
        }
    }

    @Override
    public int ioctl(int fd, long request, long arg) {
        DrmFile file;
        synchronized (this) {
            file = files.get(fd);
        }
        if (file == null) {
            return -ENOTTY;
        }
        int type = (int) (request >>> 8) & 0xFF;
        int nr = (int) request & 0xFF;
        int size = (int) (request >>> 16) & 0x3FFF;
        int dir = (int) (request >>> 30) & 0x3;
        int ksize = kernelSize(nr);
        if (type != 'd' || ksize < 0 || (request >>> 32) != 0) {
            return -EINVAL;
        }
        // As drm_ioctl: copy in what the caller's size says (at most the kernel's struct), zero the rest.
        ByteBuffer k = ByteBuffer.allocate(ksize).order(ByteOrder.LITTLE_ENDIAN);
        int copy = Math.min(size, ksize);
        ByteBuffer user = arg == 0 ? null : Native.newDirectByteBuffer(arg, Math.max(size, 1)).order(ByteOrder.LITTLE_ENDIAN);
        if (user == null && size > 0) {
            return -EFAULT;
        }
        if ((dir & 1) != 0) {
            k.put(0, user, 0, copy);
        }
        int r;
        try {
            r = dispatch(file, nr, k);
        } catch (RuntimeException e) {
            hostError("emulator bug in ioctl nr 0x" + Integer.toHexString(nr) + ": " + e);
            return -EIO_EMULATOR;
        }
        if (r == 0 && (dir & 2) != 0) {
            user.put(0, k, 0, copy);
        }
        return r;
    }

    private static final int EIO_EMULATOR = 5;

    private int dispatch(DrmFile file, int nr, ByteBuffer k) {
        switch (nr) {
            case 0x00: return version(k);
            case 0x09: return gemClose(file, k);
            case 0x2d: return primeHandleToFd(file, k);
            case 0x2e: return primeFdToHandle(file, k);
            case 0x41: return map(file, k);
            case 0x42: return execbuffer(file, k);
            case 0x43: return getParam(k);
            case 0x45: return resourceInfo(file, k);
            case 0x48: return waitIdle(file, k);
            case 0x49: return getCaps(k);
            case 0x4a: return createBlob(file, k);
            case 0x4b: return contextInit(file, k);
            default: return -EINVAL;
        }
    }

    private static ByteBuffer userMemory(long address, int length) {
        return Native.newDirectByteBuffer(address, length).order(ByteOrder.LITTLE_ENDIAN);
    }

    private int version(ByteBuffer k) {
        byte[] name = config.driverName.getBytes(StandardCharsets.US_ASCII);
        long capacity = k.getLong(VirtGpuDrmVersion.NAME_LEN);
        long address = k.getLong(VirtGpuDrmVersion.NAME);
        int n = (int) Math.min(capacity, name.length);
        if (n > 0) {
            if (address == 0) {
                return -EFAULT;
            }
            userMemory(address, n).put(name, 0, n);
        }
        k.putInt(VirtGpuDrmVersion.VERSION_MAJOR, 0).putInt(VirtGpuDrmVersion.VERSION_MINOR, 1).putInt(VirtGpuDrmVersion.VERSION_PATCHLEVEL, 0);
        k.putLong(VirtGpuDrmVersion.NAME_LEN, name.length);
        k.putLong(VirtGpuDrmVersion.DATE_LEN, 0).putLong(VirtGpuDrmVersion.DESC_LEN, 0);
        return 0;
    }

    private int getParam(ByteBuffer k) {
        long param = k.getLong(VirtGpuGetparam.PARAM);
        long address = k.getLong(VirtGpuGetparam.VALUE);
        int value;
        switch ((int) param) {
            case VIRTGPU_PARAM_3D_FEATURES: value = config.features3d; break;
            case VIRTGPU_PARAM_CAPSET_QUERY_FIX: value = 1; break;
            case VIRTGPU_PARAM_RESOURCE_BLOB: value = config.resourceBlob; break;
            case VIRTGPU_PARAM_HOST_VISIBLE: value = config.hostVisible; break;
            case VIRTGPU_PARAM_CROSS_DEVICE: value = 0; break;
            case VIRTGPU_PARAM_CONTEXT_INIT:
                if (!config.kernelKnowsContextInit) {
                    return -EINVAL;
                }
                value = config.contextInit;
                break;
            case VIRTGPU_PARAM_SUPPORTED_CAPSET_IDs:
                if (!config.kernelKnowsContextInit) {
                    return -EINVAL;
                }
                value = config.capsetMask;
                break;
            default: return -EINVAL;
        }
        if (param >>> 32 != 0) {
            return -EINVAL;
        }
        if (address == 0) {
            return -EFAULT;
        }
        userMemory(address, 4).putInt(0, value);
        return 0;
    }

    private int getCaps(ByteBuffer k) {
        int id = k.getInt(VirtGpuGetCaps.CAP_SET_ID);
        int version = k.getInt(VirtGpuGetCaps.CAP_SET_VER);
        long address = k.getLong(VirtGpuGetCaps.ADDR);
        int size = k.getInt(VirtGpuGetCaps.SIZE);
        if (config.capsetMask == 0) {
            return -ENOSYS;
        }
        if (id < 0 || id > 63 || (config.capsetMask & (1L << id)) == 0 || version > 0 || size == 0) {
            return -EINVAL;
        }
        if (id != VIRTIO_GPU_CAPSET_CROSS_DOMAIN) {
            return -EINVAL; // only cross-domain is emulated
        }
        ByteBuffer caps = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN);
        caps.putInt(1).putInt(config.supportedChannels).putInt(0).putInt(0);
        if (address == 0) {
            return -EFAULT;
        }
        int n = Math.min(size, 16);
        userMemory(address, n).put(0, caps, 0, n);
        return 0;
    }

    private int contextInit(DrmFile file, ByteBuffer k) {
        if (config.features3d == 0 || config.contextInit == 0 || !config.kernelKnowsContextInit) {
            return -EINVAL;
        }
        int n = k.getInt(VirtGpuContextInit.NUM_PARAMS);
        long address = k.getLong(VirtGpuContextInit.CTX_SET_PARAMS);
        if (n < 0 || n > 4) {
            return -EINVAL;
        }
        if (n > 0 && address == 0) {
            return -EFAULT;
        }
        long capset = -1;
        long rings = -1;
        long mask = -1;
        ByteBuffer params = n == 0 ? null : userMemory(address, n * VirtGpuContextSetParam.SIZEOF);
        for (int i = 0; i < n; i++) {
            long param = params.getLong(i * VirtGpuContextSetParam.SIZEOF + VirtGpuContextSetParam.PARAM);
            long value = params.getLong(i * VirtGpuContextSetParam.SIZEOF + VirtGpuContextSetParam.VALUE);
            if (param == VIRTGPU_CONTEXT_PARAM_CAPSET_ID) {
                if (capset >= 0 || value > 63 || (config.capsetMask & (1L << value)) == 0) {
                    return -EINVAL;
                }
                capset = value;
            } else if (param == VIRTGPU_CONTEXT_PARAM_NUM_RINGS) {
                if (rings >= 0 || value > 64) {
                    return -EINVAL;
                }
                rings = value;
            } else if (param == VIRTGPU_CONTEXT_PARAM_POLL_RINGS_MASK) {
                if (mask >= 0) {
                    return -EINVAL;
                }
                mask = value;
            } else {
                return -EINVAL;
            }
        }
        if (rings < 0) {
            rings = 0;
        }
        if (mask > 0 && (mask & ~((1L << rings) - 1)) != 0) {
            return -EINVAL;
        }
        synchronized (this) {
            if (file.context != null) {
                return -EEXIST;
            }
            file.context = new Context((int) Math.max(capset, 0), (int) rings, Math.max(mask, 0));
        }
        return 0;
    }

    /** The file's context, created as a default (non-cross-domain) one if nothing made it yet. */
    private Context touchContext(DrmFile file) {
        synchronized (this) {
            if (file.context == null) {
                file.context = new Context(0, 0, 0);
            }
            return file.context;
        }
    }

    private int createBlob(DrmFile file, ByteBuffer k) {
        int blobMem = k.getInt(VirtGpuResourceCreateBlob.BLOB_MEM);
        int flags = k.getInt(VirtGpuResourceCreateBlob.BLOB_FLAGS);
        long size = k.getLong(VirtGpuResourceCreateBlob.SIZE);
        int cmdSize = k.getInt(VirtGpuResourceCreateBlob.CMD_SIZE);
        long blobId = k.getLong(VirtGpuResourceCreateBlob.BLOB_ID);
        if (config.resourceBlob == 0 || blobMem < VIRTGPU_BLOB_MEM_GUEST || blobMem > VIRTGPU_BLOB_MEM_HOST3D_GUEST
                || (flags & ~7) != 0 || size == 0 || cmdSize % 4 != 0) {
            return -EINVAL;
        }
        boolean host3d = blobMem != VIRTGPU_BLOB_MEM_GUEST;
        if (!host3d && (cmdSize != 0 || blobId != 0)) {
            return -EINVAL;
        }
        if (host3d && config.features3d == 0) {
            return -EINVAL;
        }
        if (host3d && (flags & VIRTGPU_BLOB_FLAG_USE_MAPPABLE) != 0 && config.hostVisible == 0) {
            return -EINVAL;
        }
        long rounded = (size + PAGE - 1) & -PAGE;
        Context ctx = touchContext(file);
        boolean inWindow = host3d && (flags & VIRTGPU_BLOB_FLAG_USE_MAPPABLE) != 0 && config.hostVisibleBytes > 0;
        if (inWindow && !takeWindow(rounded)) {
            return -ENOSPC; // drm_mm_insert_node in the host-visible range found no room
        }
        int memfd;
        if (host3d) {
            if (ctx.host == null) {
                hostError("HOST3D blob in a context that is not cross-domain");
                return -EINVAL;
            }
            Integer backing = onVirtqueue(() -> ctx.host.backingFor(blobId, rounded));
            if (backing == null) {
                if (inWindow) {
                    giveWindow(rounded);
                }
                return -EINVAL;
            }
            memfd = backing;
        } else {
            try {
                memfd = Fds.memfd("virtgpu-emulator-guest-blob", rounded);
            } catch (LinuxException e) {
                return -e.errno();
            }
        }
        Resource r;
        int handle;
        synchronized (this) {
            r = new Resource(nextResId++, blobMem, flags, rounded, nextMapOffset);
            nextMapOffset += rounded + PAGE;
            r.memfd = memfd;
            r.inWindow = inWindow;
            try {
                r.inode = inodeKey(Fds.stat(memfd));
            } catch (LinuxException e) {
                return -e.errno();
            }
            resources.put(r.resId, r);
            byInode.put(r.inode, r);
            handle = addHandle(file, r);
        }
        k.putInt(VirtGpuResourceCreateBlob.BO_HANDLE, handle);
        k.putInt(VirtGpuResourceCreateBlob.RES_HANDLE, r.resId);
        return 0;
    }

    /**
     * Takes {@code bytes} of the host-visible window. When it looks full, first frees the space of blobs
     * the guest no longer holds in any way (no handle, no dma-buf fd, no mapping), as the kernel does when
     * their last reference goes; this process's fds and mappings are the guest's.
     */
    private synchronized boolean takeWindow(long bytes) {
        if (windowUsed + bytes > config.hostVisibleBytes) {
            Set<String> held = heldInodes();
            for (Resource r : resources.values()) {
                if (r.inWindow && r.handles == 0 && !held.contains(r.inode) && !held.contains("ino:" + r.inode.substring(r.inode.indexOf(':') + 1))) {
                    r.inWindow = false;
                    windowUsed -= r.size;
                }
            }
        }
        if (windowUsed + bytes > config.hostVisibleBytes) {
            return false;
        }
        windowUsed += bytes;
        return true;
    }

    private synchronized void giveWindow(long bytes) {
        windowUsed -= bytes;
    }

    /** Host-visible bytes held by mappable blobs, for tests. */
    public synchronized long hostVisibleBytesUsed() {
        return windowUsed;
    }

    /** {@code dev:ino} of every file this process holds open or mapped, except the emulator's own backing memfds. */
    private Set<String> heldInodes() {
        Set<Integer> own = new HashSet<>();
        for (Resource r : resources.values()) {
            own.add(r.memfd);
        }
        Set<String> held = new HashSet<>();
        try (var fds = java.nio.file.Files.list(java.nio.file.Path.of("/proc/self/fd"))) {
            for (java.nio.file.Path p : (Iterable<java.nio.file.Path>) fds::iterator) {
                int fd = Integer.parseInt(p.getFileName().toString());
                if (!own.contains(fd)) {
                    try {
                        held.add(inodeKey(Fds.stat(fd)));
                    } catch (LinuxException e) {
                        // closed meanwhile
                    }
                }
            }
            for (String line : java.nio.file.Files.readAllLines(java.nio.file.Path.of("/proc/self/maps"))) {
                String[] f = line.trim().split("\\s+");
                if (f.length >= 6 && f[5].startsWith("/memfd:")) {
                    held.add("ino:" + f[4]);
                }
            }
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        return held;
    }

    /** A new handle on {@code file}; the host attaches the resource to the file's context (queued). */
    private int addHandle(DrmFile file, Resource r) {
        int handle = file.nextHandle++;
        file.handles.put(handle, r);
        r.handles++;
        Context ctx = file.context;
        virtqueue.execute(() -> ctx.attached.add(r.resId));
        return handle;
    }

    /** Drops one handle; the host detaches (queued) and the memfd goes once no handle anywhere holds it. */
    private void dropHandle(DrmFile file, Resource r, boolean removeFromFile) {
        if (removeFromFile) {
            file.handles.values().remove(r);
        }
        Context ctx = file.context;
        if (ctx != null) {
            virtqueue.execute(() -> ctx.attached.remove(r.resId));
        }
        if (--r.handles == 0 && r.memfd >= 0) {
            // Exported dma-bufs (dups of the memfd) keep the memory; re-import finds it by inode. The host
            // may still have queued work on the resource, so the memfd goes on the virtqueue, behind it.
            int generation = ++r.releases; // only the latest release may close: earlier ones were overtaken
            virtqueue.execute(() -> {
                synchronized (VirtGpuEmulator.this) {
                    if (r.handles == 0 && r.memfd >= 0 && r.releases == generation) {
                        Fds.close(r.memfd);
                        r.memfd = -1;
                    }
                }
            });
        }
    }

    private int gemClose(DrmFile file, ByteBuffer k) {
        int handle = k.getInt(VirtGpuDrmGemClose.HANDLE);
        synchronized (this) {
            Resource r = file.handles.remove(handle);
            if (r == null) {
                return -EINVAL;
            }
            dropHandle(file, r, false);
        }
        return 0;
    }

    private int map(DrmFile file, ByteBuffer k) {
        synchronized (this) {
            Resource r = file.handles.get(k.getInt(VirtGpuMap.HANDLE));
            if (r == null) {
                return -ENOENT;
            }
            k.putLong(VirtGpuMap.OFFSET, r.mapOffset);
        }
        return 0;
    }

    private int resourceInfo(DrmFile file, ByteBuffer k) {
        synchronized (this) {
            Resource r = file.handles.get(k.getInt(VirtGpuResourceInfo.BO_HANDLE));
            if (r == null) {
                return -ENOENT;
            }
            k.putInt(VirtGpuResourceInfo.RES_HANDLE, r.resId);
            k.putInt(VirtGpuResourceInfo.SIZE, (int) r.size);
            k.putInt(VirtGpuResourceInfo.BLOB_MEM, r.blobMem);
        }
        return 0;
    }

    private int primeHandleToFd(DrmFile file, ByteBuffer k) {
        int flags = k.getInt(VirtGpuDrmPrimeHandle.FLAGS);
        if ((flags & ~(DRM_CLOEXEC | DRM_RDWR)) != 0) {
            return -EINVAL;
        }
        synchronized (this) {
            Resource r = file.handles.get(k.getInt(VirtGpuDrmPrimeHandle.HANDLE));
            if (r == null) {
                return -ENOENT;
            }
            try {
                k.putInt(VirtGpuDrmPrimeHandle.FD, Fds.dup(r.memfd));
            } catch (LinuxException e) {
                return -e.errno();
            }
        }
        return 0;
    }

    private int primeFdToHandle(DrmFile file, ByteBuffer k) {
        int fd = k.getInt(VirtGpuDrmPrimeHandle.FD);
        Fds.Stat st;
        try {
            st = Fds.stat(fd);
        } catch (LinuxException e) {
            return -EBADF;
        }
        touchContext(file);
        synchronized (this) {
            Resource r = byInode.get(inodeKey(st));
            if (r == null || !st.isRegularFile()) {
                return -EINVAL; // dma_buf_get: not a dma-buf
            }
            Integer existing = file.handleOf(r);
            if (existing != null) {
                k.putInt(VirtGpuDrmPrimeHandle.HANDLE, existing);
                return 0;
            }
            if (r.memfd < 0) {
                try {
                    r.memfd = Fds.dup(fd);
                } catch (LinuxException e) {
                    return -e.errno();
                }
            }
            k.putInt(VirtGpuDrmPrimeHandle.HANDLE, addHandle(file, r));
        }
        return 0;
    }

    private int waitIdle(DrmFile file, ByteBuffer k) {
        List<CompletableFuture<Void>> fences;
        synchronized (this) {
            Resource r = file.handles.get(k.getInt(VirtGpu3dWait.HANDLE));
            if (r == null) {
                return -ENOENT;
            }
            r.fences.removeIf(CompletableFuture::isDone);
            fences = new ArrayList<>(r.fences);
        }
        boolean noWait = (k.getInt(VirtGpu3dWait.FLAGS) & VIRTGPU_WAIT_NOWAIT) != 0;
        try {
            for (CompletableFuture<Void> f : fences) {
                if (noWait && !f.isDone()) {
                    return -EBUSY;
                }
                f.get(WAIT_TIMEOUT_MILLIS, TimeUnit.MILLISECONDS);
            }
        } catch (TimeoutException e) {
            return -EBUSY;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -EINTR;
        } catch (ExecutionException e) {
            return -EIO_EMULATOR;
        }
        return 0;
    }

    private int execbuffer(DrmFile file, ByteBuffer k) {
        int flags = k.getInt(VirtGpuExecbuffer.FLAGS);
        int size = k.getInt(VirtGpuExecbuffer.SIZE);
        long command = k.getLong(VirtGpuExecbuffer.COMMAND);
        long bos = k.getLong(VirtGpuExecbuffer.BO_HANDLES);
        int numBos = k.getInt(VirtGpuExecbuffer.NUM_BO_HANDLES);
        int ringIdx = k.getInt(VirtGpuExecbuffer.RING_IDX);
        if ((flags & ~7) != 0 || config.features3d == 0) {
            return -EINVAL;
        }
        if ((flags & (VIRTGPU_EXECBUF_FENCE_FD_IN | VIRTGPU_EXECBUF_FENCE_FD_OUT)) != 0) {
            hostError("EXECBUFFER with fence fds: not emulated");
            return -EINVAL;
        }
        Context ctx = touchContext(file);
        boolean ring = (flags & VIRTGPU_EXECBUF_RING_IDX) != 0;
        if (ring && ringIdx >= ctx.numRings) {
            return -EINVAL;
        }
        byte[] commands = new byte[size];
        if (size > 0) {
            if (command == 0) {
                return -EFAULT;
            }
            userMemory(command, size).get(0, commands);
        }
        boolean event = ring && (ctx.pollMask & (1L << ringIdx)) != 0;
        CompletableFuture<Void> fence = numBos > 0 || event ? new CompletableFuture<>() : null;
        synchronized (this) {
            for (int i = 0; i < numBos; i++) {
                Resource r = file.handles.get(userMemory(bos, 4 * numBos).getInt(4 * i));
                if (r == null) {
                    return -ENOENT;
                }
                if (fence != null) {
                    r.fences.add(fence);
                }
            }
        }
        if (fence != null && event) {
            fence.thenRun(file::queueFenceEvent);
        }
        execbuffers.incrementAndGet();
        int target = ring ? ringIdx : -1;
        // The control queue has room for so many submissions; the kernel waits for room, uninterruptibly.
        virtqueueRoom.acquireUninterruptibly();
        virtqueue.execute(() -> {
            try {
                if (ctx.host == null) {
                    hostError("EXECBUFFER in a context that is not cross-domain (CONTEXT_INIT missing or late?)");
                    return;
                }
                ctx.host.submit(commands, target, fence);
            } finally {
                virtqueueRoom.release();
            }
        });
        return 0;
    }

    /** Runs {@code task} on the virtqueue thread, in order behind earlier submissions, and waits for it. */
    <T> T onVirtqueue(Callable<T> task) {
        try {
            return virtqueue.submit(task).get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        } catch (ExecutionException e) {
            throw new IllegalStateException(e.getCause());
        }
    }

    /** Stops the virtqueue thread; open files should be closed first. */
    @Override
    public void close() {
        virtqueue.shutdown();
        try {
            virtqueue.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public String toString() {
        return "VirtGpuEmulator[" + NODE + ", " + config.driverName + "]";
    }
}
