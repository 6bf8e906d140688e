package dev.crossway.proxy;

import dev.crossway.protocol.MessageSpec;
import dev.crossway.spi.Capabilities;
import dev.crossway.spi.Connection;
import dev.crossway.spi.FdQueue;
import dev.crossway.wire.Message;
import dev.crossway.wire.MessageCodec;
import dev.crossway.wire.WireException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Collects the messages one relay forwards and sends them in batches.
 *
 * <p>Untouched messages are sent straight out of the relay's input buffer: consecutive ones form one
 * span, sent with a single {@link Connection#send} (no copy, no garbage). Rewritten or injected
 * messages are encoded into a scratch buffer; when one joins a pending span, the span's bytes move into
 * the scratch buffer first, and later untouched messages of the batch follow it there: a few bytes
 * copied instead of a send (a system call, and a wake-up of the peer) per switch. Order is kept.
 * Batches are split to fit the sink's limits on bytes and fds per send; each message's fds travel with
 * the send that carries the message's first byte.
 *
 * <p>Toward a host whose object ids differ from the client's ({@link HostIds}), each message's ids are
 * rewritten in place as it is queued: in the input buffer for untouched messages, in the scratch
 * buffer for encoded ones. Still no copy.
 */
final class Outbox {
    private final Connection sink;
    private final Object sinkLock;
    private final int maxBytes;
    private final int maxFds;
    private final ByteBuffer spanView;
    /** The input again, with its limit never lowered, for rewriting ids in place. */
    private final ByteBuffer inputView;
    private final ByteBuffer scratch;
    /** The scratch buffer again, as the source of a copy within it (a buffer is not its own source). */
    private final ByteBuffer scratchView;
    private final HostIds hostIds;
    /** Events another thread left for this outbox's next send, or null ({@link #flush}). */
    private final ByteBuffer prefix;
    private final FdQueue fds = new FdQueue();
    private final FdQueue noFds = new FdQueue();
    private int spanStart = -1;
    private int spanEnd;
    private long sends;

    /**
     * @param hostIds the host's ids, when this outbox sends to a host whose ids differ; else null
     * @param kernel  gives the scratch buffer, returned by {@link #release}
     * @param prefix  encoded messages another thread leaves for this outbox, guarded by itself; or null
     */
    Outbox(Connection sink, Object sinkLock, Capabilities limits, ByteBuffer input, HostIds hostIds, Kernel kernel, ByteBuffer prefix) {
        this.sink = sink;
        this.prefix = prefix;
        this.hostIds = hostIds;
        this.sinkLock = sinkLock;
        this.maxBytes = limits.maxBytesPerSend();
        this.maxFds = limits.maxFdsPerSend();
        this.spanView = input.duplicate().order(input.order());
        this.inputView = input.duplicate().clear().order(input.order());
        this.scratch = kernel.allocate(Math.max(2 * dev.crossway.wire.Wire.MAX_MESSAGE_SIZE, Math.min(maxBytes, 65536)))
                .order(ByteOrder.nativeOrder());
        this.scratchView = scratch.duplicate();
    }

    /**
     * Forwards the unchanged message at {@code offset} of the peer's bytes, with {@code fdCount} fds from
     * the front of {@code from}.
     */
    void appendRaw(int offset, int size, MessageSpec spec, FdQueue from, int fdCount) throws IOException, ProtocolError {
        toHostIds(inputView, offset, size, spec, true);
        appendRawBytes(offset, size, fdCount);
        from.moveTo(fds, fdCount);
    }

    /** Forwards an unchanged decoded message from the peer's original bytes; its fds come from the message. */
    void appendRaw(int offset, int size, Message message) throws IOException, ProtocolError {
        toHostIds(inputView, offset, size, message.spec(), true);
        appendRawBytes(offset, size, message.spec().fdCount());
        for (int k = 0; k < message.spec().fdCount(); k++) {
            fds.add(message.fd(k));
        }
    }

    /**
     * Adds the bytes at {@code offset} to the pending span; when encoded messages are pending they join
     * those instead (a few bytes copied rather than one more send).
     */
    private void appendRawBytes(int offset, int size, int fdCount) throws IOException {
        if (wouldOverflow(size, fdCount)) {
            flush();
        }
        if (scratch.position() > 0) {
            scratch.put(scratch.position(), inputView, offset, size).position(scratch.position() + size);
            return;
        }
        if (spanStart < 0) {
            spanStart = offset;
        } else if (offset != spanEnd) {
            flush();
            spanStart = offset;
        }
        spanEnd = offset + size;
    }

    /** Encodes and forwards a rewritten or injected message, which may name Crossway's own objects. */
    void appendEncoded(Message message) throws IOException, WireException, ProtocolError {
        int size = MessageCodec.encodedSize(message);
        if (wouldOverflow(size, message.spec().fdCount())) {
            flush();
        }
        if (spanStart >= 0) {
            // The pending span moves into the scratch buffer, so this message goes in the same send.
            int span = spanEnd - spanStart;
            scratch.put(0, inputView, spanStart, span).position(span);
            spanStart = -1;
        }
        int start = scratch.position();
        MessageCodec.encode(message, scratch, fds);
        toHostIds(scratch, start, size, message.spec(), false);
    }

    private void toHostIds(ByteBuffer buf, int offset, int size, MessageSpec spec, boolean fromPeer) throws ProtocolError {
        if (hostIds != null) {
            hostIds.requestToHost(buf, offset, size, spec, fromPeer);
        }
    }

    /** Whether {@code size} more bytes and {@code fdCount} more fds would pass the sink's limits or the scratch buffer. */
    private boolean wouldOverflow(int size, int fdCount) {
        int pending = pendingBytes();
        return pending + size > maxBytes || fds.size() + fdCount > maxFds || pending + size > scratch.capacity();
    }

    private int pendingBytes() {
        return spanStart >= 0 ? spanEnd - spanStart : scratch.position();
    }

    /**
     * Sends what is pending. Called at the end of every received batch. Messages waiting in the prefix
     * go first, in the same send where they fit: the peer wakes once for both.
     */
    void flush() throws IOException {
        if (prefix == null) {
            flushPending();
            return;
        }
        // The sink's lock first, as every sender to this peer takes it: nothing the prefix's owner flushes
        // later can overtake what is taken from the prefix here. The prefix is held only to copy it.
        synchronized (sinkLock) {
            synchronized (prefix) {
                int head = prefix.position();
                int span = spanStart >= 0 ? spanEnd - spanStart : 0;
                int pending = span > 0 ? span : scratch.position();
                if (head > 0 && head + pending <= Math.min(maxBytes, scratch.capacity())) {
                    if (span > 0) {
                        scratch.put(head, inputView, spanStart, span);
                        spanStart = -1;
                    } else if (pending > 0) {
                        scratch.put(head, scratchView, 0, pending); // overlapping: a memmove
                    }
                    scratch.put(0, prefix, 0, head).position(head + pending);
                    prefix.clear();
                } else if (head > 0) {
                    prefix.flip();
                    try {
                        send(prefix, noFds);
                    } finally {
                        prefix.clear();
                    }
                }
            }
            flushPending();
        }
    }

    private void flushPending() throws IOException {
        if (spanStart >= 0) {
            spanView.limit(spanEnd).position(spanStart);
            spanStart = -1;
            send(spanView);
        } else if (scratch.position() > 0 || !fds.isEmpty()) {
            scratch.flip();
            try {
                send(scratch);
            } finally {
                scratch.clear();
            }
        }
    }

    private void send(ByteBuffer bytes) throws IOException {
        send(bytes, fds);
    }

    private void send(ByteBuffer bytes, FdQueue with) throws IOException {
        synchronized (sinkLock) {
            sends++;
            sink.send(bytes, with);
        }
    }

    long sends() {
        return sends;
    }

    /** Returns the scratch buffer to {@code kernel}; after {@link #discard}, once nothing will be sent any more. */
    void release(Kernel kernel) {
        kernel.release(scratch);
    }

    /** Drops what is pending and closes its fds; for shutdown. */
    void discard(FdQueue.FdCloser closer) {
        spanStart = -1;
        scratch.clear();
        fds.closeAll(closer);
    }
}
