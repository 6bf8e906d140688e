package dev.crossway.transport.virtgpu;

import static dev.crossway.transport.virtgpu.sys.CrossDomainProtocol.*;
import static dev.crossway.transport.virtgpu.sys.VirtGpuUapi.*;

import dev.crossway.linux.Fds;
import dev.crossway.linux.IssuedFds;
import dev.crossway.linux.LinuxException;
import dev.crossway.linux.pipe.PipeReader;
import dev.crossway.linux.pipe.PipeWriter;
import dev.crossway.spi.FdQueue;
import java.io.IOException;
import java.nio.ByteBuffer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One connection's fds as cross-domain identifiers and back (spec A.4.3 to A.4.5).
 *
 * <p>Sending: each fd is looked up among those this connection handed out, never examined. A host
 * buffer's dma-buf is imported (which attaches it to the context) and sent as its resource id; a bridged
 * guest pipe becomes a READ_PIPE, whose id the host derives from a counter both sides advance once per
 * READ_PIPE submitted. Anything else was not made here and cannot cross.
 *
 * <p>Receiving: a host blob (keymap, format table) becomes a dma-buf fd; a host write pipe becomes a
 * local pipe whose write end the guest app gets and whose read end the {@link PipeReader} relays as
 * WRITEs. READ data for a guest pipe goes to the {@link PipeWriter}, which never blocks the receiving
 * thread.
 */
final class VirtGpuFdCodec implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(VirtGpuFdCodec.class);

    /** What an issued fd stands for: a host buffer's dma-buf, or a guest pipe to bridge as a READ_PIPE. */
    private sealed interface Issued permits HostBlob, GuestPipe {
    }

    private record HostBlob(int resId) implements Issued {
    }

    private enum GuestPipe implements Issued { WRITE_END }

    private final VirtGpuDrm drm;
    private final VirtGpuSettings settings;
    private final IssuedFds<Issued> issued = new IssuedFds<>();
    /** Guest pipes by READ_PIPE id: where the host's READ data goes. */
    private final PipeWriter readPipes;
    /** Local pipes by host write-pipe id: what guest apps write, sent as WRITEs. */
    private final PipeReader writePipes;
    /** Last read-pipe id the host has seen; the host pre-increments its own counter from the same start. */
    private int readPipeCounter = CROSS_DOMAIN_PIPE_READ_START;

    VirtGpuFdCodec(VirtGpuDrm drm, VirtGpuSettings settings, String name, PipeReader.Sink writes) throws LinuxException {
        this.drm = drm;
        this.settings = settings;
        this.readPipes = new PipeWriter(name + "-read-pipes", settings.pipeIdleTimeoutMillis());
        try {
            this.writePipes = new PipeReader(name + "-write-pipes", CROSS_DOMAIN_MAX_WRITE_DATA, settings.pipeIdleTimeoutMillis(), writes);
        } catch (LinuxException e) {
            readPipes.close();
            throw e;
        }
    }

    // ---------------------------------------------------------------- handing out

    /** Records {@code fd}, a duplicate of host buffer {@code resId}'s dma-buf about to be handed out. */
    void issueHostBuffer(int fd, int resId) throws LinuxException {
        issued.put(fd, new HostBlob(resId));
    }

    /** A duplicate of a guest pipe's write end, to send as a READ_PIPE: the host's writes come back as READs. */
    int bridgeGuestWriteEnd(int guestFd) throws LinuxException {
        int fd = Fds.dup(guestFd);
        try {
            issued.put(fd, GuestPipe.WRITE_END);
        } catch (LinuxException e) {
            Fds.close(fd);
            throw e;
        }
        return fd;
    }

    // ---------------------------------------------------------------- sending

    /**
     * Fills in the type (and, for blobs, the id) of each fd; returns the GEM handles imported, which
     * {@link #closeHandles} closes once the SEND is submitted. READ_PIPE ids are chosen at submission.
     *
     * @throws IOException for an fd this connection did not hand out
     */
    int[] identify(int[] fds, int[] ids, int[] types) throws IOException {
        int[] handles = new int[fds.length];
        int imported = 0;
        try {
            for (int i = 0; i < fds.length; i++) {
                Issued what = issued.take(fds[i]);
                if (what instanceof HostBlob blob) {
                    handles[imported++] = drm.primeFdToHandle(fds[i]); // attaches the resource for the SEND
                    ids[i] = blob.resId();
                    types[i] = CROSS_DOMAIN_ID_TYPE_VIRTGPU_BLOB;
                } else if (what == GuestPipe.WRITE_END) {
                    types[i] = CROSS_DOMAIN_ID_TYPE_READ_PIPE;
                } else {
                    throw new IOException("fd " + fds[i] + " cannot cross to the host over virtio-gpu: this connection did not make it."
                            + " Only its host buffers (allocate) and bridged pipes (bridgePipe) can; shared memory must be copied"
                            + " into a host buffer");
                }
            }
        } catch (IOException | RuntimeException e) {
            closeHandles(handles, imported);
            throw e;
        }
        return java.util.Arrays.copyOf(handles, imported);
    }

    /** The last READ_PIPE id the host has seen; the next is one more. */
    int readPipeCounter() {
        return readPipeCounter;
    }

    /**
     * Before submitting READ_PIPE {@code id}: the guest pipe takes its data from now on (the host may
     * answer fast). False, owning nothing, once closed.
     */
    boolean register(int id, int fd) {
        return readPipes.add(id, fd);
    }

    /** After a failed submission: true if the caller owns the fd again. */
    boolean unregister(int id) {
        return readPipes.forget(id);
    }

    /** After a successful submission: the host has seen every READ_PIPE id up to {@code counter}. */
    void submitted(int counter) {
        readPipeCounter = counter;
    }

    void closeHandles(int[] handles, int count) {
        for (int i = 0; i < count; i++) {
            boolean seen = false;
            for (int j = 0; j < i; j++) {
                seen |= handles[j] == handles[i]; // two fds of one dma-buf share a handle: close it once
            }
            if (seen) {
                continue;
            }
            try {
                drm.gemClose(handles[i]);
            } catch (LinuxException e) {
                LOG.warn("{}: {}", drm, e.getMessage());
            }
        }
    }

    // ---------------------------------------------------------------- receiving

    /** The fds a RECEIVE's identifiers stand for, added to {@code out}; on failure none is left open. */
    void receive(CrossDomainCodec.Receive r, FdQueue out) throws IOException {
        FdQueue made = new FdQueue();
        try {
            for (int i = 0; i < r.identifiers().length; i++) {
                int type = r.types()[i];
                boolean mislabelledPipe = type == CROSS_DOMAIN_ID_TYPE_VIRTGPU_BLOB && r.sizes()[i] == 0 && settings.writePipeQuirk();
                if (type == CROSS_DOMAIN_ID_TYPE_WRITE_PIPE || mislabelledPipe) {
                    made.add(newWritePipe(r.identifiers()[i]));
                } else if (type == CROSS_DOMAIN_ID_TYPE_VIRTGPU_BLOB) {
                    made.add(importHostBlob(r.identifiers()[i], Integer.toUnsignedLong(r.sizes()[i])));
                } else {
                    throw new IOException("cross-domain RECEIVE identifier " + i + " has type " + type
                            + "; a Wayland channel carries only blobs (1) and write pipes (4)");
                }
            }
        } catch (IOException | RuntimeException e) {
            made.closeAll(Fds.CLOSER);
            throw e;
        }
        made.moveTo(out, made.size());
    }

    /** A host item (keymap, format table, dma-buf) as a dma-buf fd: HOST3D blob, export, drop the handle. */
    private int importHostBlob(int itemId, long size) throws LinuxException {
        VirtGpuDrm.Blob blob = drm.createBlob(VIRTGPU_BLOB_MEM_HOST3D, VIRTGPU_BLOB_FLAG_USE_MAPPABLE | VIRTGPU_BLOB_FLAG_USE_SHAREABLE,
                size, Integer.toUnsignedLong(itemId));
        try {
            return drm.primeHandleToFd(blob.handle());
        } finally {
            drm.gemClose(blob.handle()); // the dma-buf keeps the object alive
        }
    }

    /** A local pipe for a host write pipe: the guest gets the write end, the reader relays the read end. */
    private int newWritePipe(int identifier) throws LinuxException {
        int[] ends = Fds.pipe();
        writePipes.add(identifier, ends[0]);
        return ends[1];
    }

    /** READ data for a guest pipe, handed on without blocking; false for an unknown or ended pipe. */
    boolean onRead(CrossDomainCodec.Read read, ByteBuffer ring) {
        return readPipes.offer(read.identifier(), ring.slice(read.dataOffset(), read.dataSize()), read.hangUp());
    }

    /** Before the next POLL: waits while a guest pipe's queue asks for it (see {@link PipeWriter}). */
    void awaitRoom(boolean afterRead) throws InterruptedException {
        readPipes.awaitRoom(afterRead);
    }

    /** Bytes of host data queued for guest pipes whose readers have not taken them yet (for tests). */
    long queuedForGuestPipes() {
        return readPipes.queued();
    }

    /** Guest pipes bridged for host data now (for tests). */
    int guestReadPipes() {
        return readPipes.size();
    }

    /** Wakes a receive waiting in {@link #awaitRoom}: closes the guest pipes. */
    void closeGuestPipes() {
        readPipes.close();
    }

    /** Stops both pumps and closes every pipe they hold; idempotent. */
    @Override
    public void close() {
        writePipes.close();
        readPipes.close();
    }
}
