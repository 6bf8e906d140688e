package dev.crossway.transport.virtgpu.emulator;

import static dev.crossway.transport.virtgpu.sys.CrossDomainProtocol.*;

import dev.crossway.linux.Fds;
import dev.crossway.linux.LinuxException;
import dev.crossway.linux.UnixSocket;
import dev.crossway.linux.sys.LibC;
import dev.crossway.linux.sys.Native;
import dev.crossway.spi.FdQueue;
import dev.crossway.transport.virtgpu.sys.CrossDomainGetImageRequirements;
import dev.crossway.transport.virtgpu.sys.CrossDomainHeader;
import dev.crossway.transport.virtgpu.sys.CrossDomainImageRequirements;
import dev.crossway.transport.virtgpu.sys.CrossDomainInit;
import dev.crossway.transport.virtgpu.sys.CrossDomainReadWrite;
import dev.crossway.transport.virtgpu.sys.CrossDomainSendReceive;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import jnr.ffi.Memory;
import jnr.ffi.Pointer;

/**
 * crosvm's cross-domain context (rutabaga_gfx 0.1.80, {@code src/cross_domain/{context,worker}.rs}) for
 * one guest context: a real Unix socket to the compositor, items (image requirements, received fds),
 * read pipes, and the worker thread that answers POLL fences with exactly one event each.
 *
 * <p>Commands run on the emulator's virtqueue thread, in submission order. Anything the real host
 * rejects is reported through {@link VirtGpuEmulator#hostErrors()} and, like there, otherwise ignored.
 */
final class CrossDomainEmulatedHost {
    private static final LibC LIBC = Native.libc();

    private enum Kind { IMAGE_REQUIREMENTS, BLOB, WRITE_PIPE }

    private record Item(Kind kind, int fd, long size) {
    }

    private final VirtGpuEmulator emulator;
    private final VirtGpuEmulator.Context context;
    private final int maxIds;
    private final int sendReceiveSize;
    private final int typesOffset;
    private final int sizesOffset;
    /** Host items by id; the virtqueue and the worker both use them. */
    private final Map<Integer, Item> items = new java.util.concurrent.ConcurrentHashMap<>();
    private int itemCounter = 1;

    /** rutabaga 0.1.80: one counter for every non-pipe item, pre-incremented from 1 (first id 2). */
    private synchronized int nextItemId() {
        return ++itemCounter;
    }
    private int readPipeCounter = CROSS_DOMAIN_PIPE_READ_START;
    /** Read pipes (host read ends), by id; shared with the worker. */
    private final Map<Integer, Integer> readPipes = new LinkedHashMap<>();
    private boolean initialized;
    private UnixSocket socket;
    private ByteBuffer queryRing;
    private ByteBuffer channelRing;
    private Thread worker;
    private final LinkedBlockingQueue<CompletableFuture<Void>> pollFences = new LinkedBlockingQueue<>();
    private int[] resample;
    private int[] kill;
    private volatile boolean halted;

    CrossDomainEmulatedHost(VirtGpuEmulator emulator, VirtGpuEmulator.Context context) {
        this.emulator = emulator;
        this.context = context;
        this.maxIds = emulator.config.maxIdentifiers;
        this.sendReceiveSize = 16 + 12 * maxIds;
        this.typesOffset = 16 + 4 * maxIds;
        this.sizesOffset = 16 + 8 * maxIds;
    }

    /** The command being processed was rejected: rutabaga's submit_cmd returns at once, so QEMU makes no fence. */
    private boolean rejected;

    private void error(String message) {
        rejected = true;
        emulator.hostError("cross-domain: " + message);
    }

    // ---------------------------------------------------------------- virtqueue side

    /**
     * One EXECBUFFER: walk the commands by cmd_size, then signal or hand over the fence. The first
     * rejected command ends the walk, and its submission's fence is never signalled: rutabaga's
     * {@code submit_cmd} returns the error at once, and QEMU creates no fence for a failed command.
     */
    void submit(byte[] bytes, int ring, CompletableFuture<Void> fence) {
        ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        int at = 0;
        rejected = false;
        while (at < bytes.length) {
            if (bytes.length - at < CrossDomainHeader.SIZEOF) {
                error("a command header is cut off at byte " + at + " of " + bytes.length);
                break;
            }
            int cmd = b.get(at + CrossDomainHeader.CMD) & 0xFF;
            int size = b.getShort(at + CrossDomainHeader.CMD_SIZE) & 0xFFFF;
            if (size == 0) {
                error("command " + cmd + " has cmd_size 0: crosvm would process it forever");
                break;
            }
            if (at + size > bytes.length) {
                error("command " + cmd + " has cmd_size " + size + ", past the end of the " + bytes.length + "-byte buffer");
                break;
            }
            ByteBuffer c = ByteBuffer.wrap(bytes, at, size).slice().order(ByteOrder.LITTLE_ENDIAN);
            try {
                process(cmd, c, size);
            } catch (IOException | RuntimeException e) {
                error("command " + cmd + ": " + e);
            }
            at += size;
            if (rejected) {
                break;
            }
        }
        if (fence == null || rejected) {
            return;
        }
        if (ring == CROSS_DOMAIN_CHANNEL_RING) {
            if (!initialized) {
                return; // a ring-1 fence before INIT is never signalled
            }
            if (!pollFences.isEmpty()) {
                error("a second POLL while one is outstanding: the host could overwrite the ring before the guest read it");
            }
            pollFences.add(fence);
        } else {
            fence.complete(null);
        }
    }

    private void process(int cmd, ByteBuffer c, int size) throws IOException {
        switch (cmd) {
            case CROSS_DOMAIN_CMD_INIT -> init(c, size);
            case CROSS_DOMAIN_CMD_GET_IMAGE_REQUIREMENTS -> imageRequirements(c, size);
            case CROSS_DOMAIN_CMD_POLL -> {
                if (size != 16) {
                    error("POLL with cmd_size " + size + ", expected 16");
                }
            }
            case CROSS_DOMAIN_CMD_SEND -> send(c, size);
            case CROSS_DOMAIN_CMD_WRITE -> write(c, size);
            default -> error("unknown command " + cmd);
        }
    }

    private ByteBuffer mapRing(int resId, String what) throws LinuxException {
        VirtGpuEmulator.Resource r = emulator.resource(resId);
        if (r == null || !context.attached.contains(resId)) {
            error("INIT names " + what + " resource " + resId + ", which is not attached to this context");
            return null;
        }
        return Fds.map(r.memfd, VirtGpuEmulator.PAGE, true).order(ByteOrder.LITTLE_ENDIAN);
    }

    private void init(ByteBuffer c, int size) throws IOException {
        if (size != 16 && size != 20 && size != 36) {
            error("INIT with cmd_size " + size + ": 0.1.80 dispatches INIT on 16, 20 or 36 bytes only");
            return;
        }
        if (initialized) {
            error("INIT twice: the Wayland path was already taken");
            return;
        }
        int queryId = c.getInt(CrossDomainInit.QUERY_RING_ID);
        int channelId = size == 16 ? queryId : c.getInt(CrossDomainInit.CHANNEL_RING_ID);
        int channelType = size == 16 ? c.getInt(12) : c.getInt(CrossDomainInit.CHANNEL_TYPE);
        if (channelType != CROSS_DOMAIN_CHANNEL_TYPE_WAYLAND || (emulator.config.supportedChannels & (1 << channelType)) == 0) {
            error("INIT with channel type " + channelType + ", which this host does not offer");
            return;
        }
        ByteBuffer query = mapRing(queryId, "query ring");
        ByteBuffer channel = mapRing(channelId, "channel ring");
        try {
            if (query == null || channel == null) {
                return;
            }
            // A compositor that is down fails INIT, which the guest never hears of: no state, so no fence is ever signalled.
            socket = UnixSocket.connect(emulator.config.compositorSocket);
        } finally {
            if (socket == null) {
                for (ByteBuffer ring : new ByteBuffer[] {query, channel}) {
                    if (ring != null) {
                        Fds.unmap(ring);
                    }
                }
            }
        }
        queryRing = query;
        channelRing = channel;
        resample = Fds.pipe();
        kill = Fds.pipe();
        initialized = true;
        worker = new Thread(this::work, "virtgpu-emulator-cross-domain-worker");
        worker.setDaemon(true);
        worker.start();
    }

    private void imageRequirements(ByteBuffer c, int size) {
        if (size != CrossDomainGetImageRequirements.SIZEOF) {
            error("GET_IMAGE_REQUIREMENTS with cmd_size " + size);
            return;
        }
        if (!initialized) {
            error("GET_IMAGE_REQUIREMENTS before a successful INIT");
            return;
        }
        int width = c.getInt(CrossDomainGetImageRequirements.WIDTH);
        int height = c.getInt(CrossDomainGetImageRequirements.HEIGHT);
        int format = c.getInt(CrossDomainGetImageRequirements.DRM_FORMAT);
        if (format != DRM_FORMAT_R8 && format != 0x34325258 && format != 0x34325241) {
            error("GET_IMAGE_REQUIREMENTS for a format the emulated gralloc lacks: 0x" + Integer.toHexString(format));
            return;
        }
        int bpp = format == DRM_FORMAT_R8 ? 1 : 4;
        long stride = Integer.toUnsignedLong(width) * bpp;
        long bytes = (stride * Integer.toUnsignedLong(height) + VirtGpuEmulator.PAGE - 1) & -VirtGpuEmulator.PAGE;
        int id = nextItemId(); // items are never freed while the context lives, as in crosvm
        items.put(id, new Item(Kind.IMAGE_REQUIREMENTS, -1, bytes));
        for (int i = 0; i < 64; i += 4) {
            queryRing.putInt(i, 0);
        }
        queryRing.putInt(CrossDomainImageRequirements.STRIDES, (int) stride);
        queryRing.putLong(CrossDomainImageRequirements.MODIFIER, 0);
        queryRing.putLong(CrossDomainImageRequirements.SIZE, bytes);
        queryRing.putInt(CrossDomainImageRequirements.BLOB_ID, id);
        queryRing.putInt(CrossDomainImageRequirements.MAP_INFO, 1);
        queryRing.putInt(CrossDomainImageRequirements.MEMORY_IDX, -1);
        queryRing.putInt(CrossDomainImageRequirements.PHYSICAL_DEVICE_IDX, -1);
    }

    /** Memory for a HOST3D blob with {@code blobId}: a new memfd for image requirements, the received fd for a blob item. */
    Integer backingFor(long blobId, long size) throws LinuxException {
        Item item = items.get((int) blobId);
        if (item == null || blobId >>> 32 != 0) {
            error("RESOURCE_CREATE_BLOB for unknown item " + blobId);
            return null;
        }
        switch (item.kind()) {
            case IMAGE_REQUIREMENTS:
                if (size != item.size()) {
                    error("blob size mismatch: item " + blobId + " needs " + item.size() + " bytes, the guest asked " + size);
                    return null;
                }
                return Fds.memfd("virtgpu-emulator-host3d", size);
            case BLOB:
                items.remove((int) blobId); // consumed by its first creation
                return item.fd();
            default:
                error("RESOURCE_CREATE_BLOB for item " + blobId + ", a write pipe");
                return null;
        }
    }

    private void send(ByteBuffer c, int size) throws IOException {
        if (size < sendReceiveSize) {
            error("SEND with cmd_size " + size + ", smaller than the " + sendReceiveSize + "-byte struct");
            return;
        }
        int n = c.getInt(CrossDomainSendReceive.NUM_IDENTIFIERS);
        int dataSize = c.getInt(CrossDomainSendReceive.OPAQUE_DATA_SIZE);
        if (n < 0 || n > maxIds) {
            error("SEND with " + Integer.toUnsignedString(n) + " identifiers; the most is " + maxIds);
            return;
        }
        if (size != sendReceiveSize + dataSize) {
            error("SEND with cmd_size " + size + " but " + sendReceiveSize + " + " + dataSize + " data bytes");
            return;
        }
        if (!initialized) {
            error("SEND before INIT");
            return;
        }
        FdQueue fds = new FdQueue();
        List<int[]> newPipes = new ArrayList<>();
        try {
            for (int i = 0; i < n; i++) {
                int id = c.getInt(CrossDomainSendReceive.IDENTIFIERS + 4 * i);
                int type = c.getInt(typesOffset + 4 * i);
                if (type == CROSS_DOMAIN_ID_TYPE_VIRTGPU_BLOB) {
                    VirtGpuEmulator.Resource r = emulator.resource(id);
                    if (r == null || !context.attached.contains(id)) {
                        error("SEND names resource " + id + ", which is not attached to this context");
                        fds.closeAll(Fds.CLOSER);
                        return;
                    }
                    if (!r.isHost3d()) {
                        error("SEND names resource " + id + ", a GUEST-memory blob without a host handle");
                        fds.closeAll(Fds.CLOSER);
                        return;
                    }
                    fds.add(Fds.dup(r.memfd));
                } else if (type == CROSS_DOMAIN_ID_TYPE_READ_PIPE) {
                    int expected = ++readPipeCounter; // advanced even when the SEND is then rejected
                    if (!newPipes.isEmpty()) {
                        error("SEND with a second READ_PIPE");
                        fds.closeAll(Fds.CLOSER);
                        return;
                    }
                    if (id != expected) {
                        error("SEND with read pipe id 0x" + Integer.toHexString(id) + ", expected 0x" + Integer.toHexString(expected));
                        fds.closeAll(Fds.CLOSER);
                        return;
                    }
                    int[] pipe = Fds.pipe();
                    fds.add(pipe[1]);
                    newPipes.add(new int[] {id, pipe[0]});
                } else {
                    error("SEND with identifier type " + type);
                    fds.closeAll(Fds.CLOSER);
                    return;
                }
            }
            for (int[] p : newPipes) {
                synchronized (readPipes) {
                    readPipes.put(p[0], p[1]);
                }
                Fds.write(resample[1], ByteBuffer.allocateDirect(1));
            }
            ByteBuffer data = ByteBuffer.allocateDirect(Math.max(dataSize, 1));
            data.put(0, c, sendReceiveSize, dataSize).limit(dataSize);
            socket.send(data, fds);
        } finally {
            fds.closeAll(Fds.CLOSER);
        }
    }

    private void write(ByteBuffer c, int size) throws LinuxException {
        int dataSize = c.getInt(CrossDomainReadWrite.OPAQUE_DATA_SIZE);
        if (size != CrossDomainReadWrite.SIZEOF + dataSize) {
            error("WRITE with cmd_size " + size + " but 24 + " + dataSize + " data bytes");
            return;
        }
        int id = c.getInt(CrossDomainReadWrite.IDENTIFIER);
        Item item = items.get(id);
        if (item == null || item.kind() != Kind.WRITE_PIPE) {
            error("WRITE to unknown write pipe " + id);
            return;
        }
        ByteBuffer data = ByteBuffer.allocateDirect(Math.max(dataSize, 1));
        data.put(0, c, CrossDomainReadWrite.SIZEOF, dataSize).limit(dataSize);
        try {
            Fds.write(item.fd(), data);
        } catch (LinuxException e) {
            error("WRITE to pipe " + id + ": " + e.getMessage());
        }
        if (c.getInt(CrossDomainReadWrite.HANG_UP) != 0) {
            items.remove(id);
            Fds.close(item.fd());
        }
    }

    // ---------------------------------------------------------------- worker

    /** Per POLL fence: wait for the first ready source, write one reply, signal. */
    private void work() {
        Pointer pollFds = Memory.allocateDirect(Native.runtime(), 8 * 64, true);
        ByteBuffer scratch = ByteBuffer.allocateDirect(VirtGpuEmulator.PAGE);
        try {
            while (true) {
                CompletableFuture<Void> fence = pollFences.take();
                while (true) {
                    List<Integer> ids = new ArrayList<>();
                    List<Integer> fds = new ArrayList<>();
                    synchronized (readPipes) {
                        readPipes.forEach((id, fd) -> {
                            ids.add(id);
                            fds.add(fd);
                        });
                    }
                    int n = 3 + fds.size();
                    int[] all = new int[n];
                    all[0] = kill[0];
                    all[1] = resample[0];
                    all[2] = socket.fd();
                    for (int i = 0; i < fds.size(); i++) {
                        all[3 + i] = fds.get(i);
                    }
                    for (int i = 0; i < n; i++) {
                        pollFds.putInt(8L * i, all[i]);
                        pollFds.putShort(8L * i + 4, LibC.POLLIN);
                        pollFds.putShort(8L * i + 6, (short) 0);
                    }
                    if (LIBC.poll(pollFds.address(), n, -1) < 0) {
                        continue;
                    }
                    if (pollFds.getShort(6) != 0) {
                        fence.complete(null); // kill: signal without writing
                        return;
                    }
                    if (pollFds.getShort(14) != 0) {
                        scratch.clear().limit(64);
                        Fds.read(resample[0], scratch);
                        continue; // resample: wait again with the new read pipe
                    }
                    if (halted) {
                        continue;
                    }
                    if (pollFds.getShort(22) != 0) {
                        if (!receive()) {
                            continue; // EOF on an older host: never signal
                        }
                    } else {
                        int ready = -1;
                        for (int i = 0; i < fds.size() && ready < 0; i++) {
                            if (pollFds.getShort(8L * (3 + i) + 6) != 0) {
                                ready = i;
                            }
                        }
                        if (ready < 0) {
                            continue;
                        }
                        readPipe(ids.get(ready), fds.get(ready), scratch);
                    }
                    fence.complete(null);
                    break;
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (IOException | RuntimeException e) {
            halted = true;
            emulator.hostError("cross-domain: worker halted: " + e); // the worker's, not a command's
        }
    }

    private boolean eof;

    /** Reads the compositor socket into a RECEIVE; false when nothing is written (EOF on an old host). */
    private boolean receive() throws IOException {
        int maxData = VirtGpuEmulator.PAGE - sendReceiveSize;
        ByteBuffer data = ByteBuffer.allocateDirect(Math.min(maxData, CROSS_DOMAIN_MAX_SEND_RECEIVE_DATA));
        FdQueue fds = new FdQueue();
        int n;
        try {
            n = eof ? -1 : socket.receive(data, fds);
        } catch (LinuxException e) {
            if (e.errno() != LibC.ECONNRESET) {
                throw e;
            }
            n = -1; // the compositor closed with data unread: as good as EOF
        }
        if (n < 0) {
            eof = true;
            if (!emulator.config.emptyReceiveOnEof) {
                halted = true; // nothing more will ever be signalled
                return false;
            }
            for (int i = 0; i < sendReceiveSize; i += 4) {
                channelRing.putInt(i, 0);
            }
            channelRing.put(CrossDomainHeader.CMD, (byte) CROSS_DOMAIN_CMD_RECEIVE);
            return true;
        }
        if (fds.size() > maxIds) {
            fds.closeAll(Fds.CLOSER);
            throw new IOException("the compositor sent " + fds.size() + " fds in one message; the host takes " + maxIds);
        }
        for (int i = 0; i < sendReceiveSize; i += 4) {
            channelRing.putInt(i, 0);
        }
        int count = fds.size();
        for (int i = 0; i < count; i++) {
            int fd = fds.take();
            Fds.Stat st = Fds.stat(fd);
            int id = nextItemId();
            int type;
            long size;
            if (st.isFifo() && (Fds.statusFlags(fd) & LibC.O_ACCMODE) == LibC.O_WRONLY) {
                items.put(id, new Item(Kind.WRITE_PIPE, fd, 0));
                type = emulator.config.writePipeTypeBug ? CROSS_DOMAIN_ID_TYPE_VIRTGPU_BLOB : CROSS_DOMAIN_ID_TYPE_WRITE_PIPE;
                size = 0;
            } else if (st.isRegularFile()) {
                items.put(id, new Item(Kind.BLOB, fd, st.size()));
                type = CROSS_DOMAIN_ID_TYPE_VIRTGPU_BLOB;
                size = st.size();
            } else {
                Fds.close(fd);
                fds.closeAll(Fds.CLOSER);
                throw new IOException("the compositor sent a " + st.kind() + ", which the host cannot carry");
            }
            channelRing.putInt(CrossDomainSendReceive.IDENTIFIERS + 4 * i, id);
            channelRing.putInt(typesOffset + 4 * i, type);
            channelRing.putInt(sizesOffset + 4 * i, (int) size);
        }
        data.flip();
        channelRing.putInt(CrossDomainSendReceive.NUM_IDENTIFIERS, count);
        channelRing.putInt(CrossDomainSendReceive.OPAQUE_DATA_SIZE, data.remaining());
        channelRing.put(sendReceiveSize, data, 0, data.remaining());
        channelRing.put(CrossDomainHeader.CMD, (byte) CROSS_DOMAIN_CMD_RECEIVE);
        channelRing.putShort(CrossDomainHeader.CMD_SIZE, (short) 0); // the host fills only cmd
        return true;
    }

    private void readPipe(int id, int fd, ByteBuffer scratch) throws LinuxException {
        scratch.clear().limit(VirtGpuEmulator.PAGE - CrossDomainReadWrite.SIZEOF);
        int n = Fds.read(fd, scratch);
        boolean hangUp = n < 0;
        scratch.flip();
        channelRing.putLong(0, 0);
        channelRing.put(CrossDomainHeader.CMD, (byte) CROSS_DOMAIN_CMD_READ);
        channelRing.putInt(CrossDomainReadWrite.IDENTIFIER, id);
        channelRing.putInt(CrossDomainReadWrite.HANG_UP, hangUp ? 1 : 0);
        channelRing.putInt(CrossDomainReadWrite.OPAQUE_DATA_SIZE, scratch.remaining());
        channelRing.putInt(CrossDomainReadWrite.PAD, 0);
        channelRing.put(CrossDomainReadWrite.SIZEOF, scratch, 0, scratch.remaining());
        if (hangUp) {
            synchronized (readPipes) {
                readPipes.remove(id);
            }
            Fds.close(fd);
        }
    }

    /** The context is going: stop the worker (it signals its fence unwritten), close the socket and everything held. */
    void destroy() {
        if (worker != null) {
            try {
                Fds.write(kill[1], ByteBuffer.allocateDirect(1));
                // Between fences the worker waits for the next POLL, not in poll(2): wake it there too.
                worker.interrupt();
                worker.join(5000);
            } catch (LinuxException e) {
                error("kill: " + e.getMessage());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        if (socket != null) {
            socket.close();
        }
        for (Item item : items.values()) {
            if (item.fd() >= 0) {
                Fds.close(item.fd());
            }
        }
        items.clear();
        synchronized (readPipes) {
            readPipes.values().forEach(Fds::close);
            readPipes.clear();
        }
        for (int[] pipe : new int[][] {resample, kill}) {
            if (pipe != null) {
                Fds.close(pipe[0]);
                Fds.close(pipe[1]);
            }
        }
        try {
            if (queryRing != null) {
                Fds.unmap(queryRing);
            }
            if (channelRing != null) {
                Fds.unmap(channelRing);
            }
        } catch (LinuxException e) {
            error("unmap rings: " + e.getMessage());
        }
    }
}
