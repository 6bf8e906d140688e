package dev.crossway.transport.virtwl;

import static dev.crossway.transport.virtwl.sys.VirtWlUapi.VIRTWL_SEND_MAX_DATA;

import dev.crossway.linux.Fds;
import dev.crossway.linux.LinuxException;
import dev.crossway.linux.pipe.PipeReader;
import dev.crossway.linux.pipe.PipeWriter;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The pipe bridges of one connection: each copies what a source fd yields into a sink fd until the
 * source's end of file, then closes the sink. A guest app's pipe end is joined this way to a NEW_PIPE VFD,
 * and a pipe VFD the compositor sent to a local pipe whose other end the app gets, so the app always
 * holds an ordinary pipe and the host always a VFD.
 *
 * <p>Back-pressure: the {@link PipeWriter} never blocks and queues what a sink cannot take yet; once a
 * sink's queue reaches {@link PipeWriter#HARD_LIMIT} its source is no longer read, until the queue
 * drains. A VFD left unread holds the device's in-queue pages (256 in all, shared by every VFD), so a
 * reader that stalls for long enough stalls the device, as it would with Sommelier; memory here stays
 * bounded. A sink whose reader went away ends its bridge: the source is closed too.
 */
final class VirtWlPipes implements AutoCloseable {
    private final AtomicInteger ids = new AtomicInteger();
    private final PipeWriter writer;
    private final PipeReader reader;

    VirtWlPipes(String name, long idleTimeoutMillis) throws LinuxException {
        PipeReader[] source = new PipeReader[1];
        this.writer = new PipeWriter(name + "-sinks", idleTimeoutMillis, VIRTWL_SEND_MAX_DATA, new PipeWriter.Listener() {
            @Override
            public void room(int id) {
                source[0].wakeUp();
            }

            @Override
            public void ended(int id) {
                source[0].end(id);
            }
        });
        try {
            this.reader = new PipeReader(name + "-sources", VIRTWL_SEND_MAX_DATA, idleTimeoutMillis, writer::offer, writer::hasRoom);
        } catch (LinuxException e) {
            writer.close();
            throw e;
        }
        source[0] = reader;
    }

    /** Copies {@code source} into {@code sink} until the source's end of file; takes both fds. */
    void bridge(int source, int sink) {
        int id = ids.incrementAndGet();
        if (!writer.add(id, sink)) {
            Fds.close(sink);
            Fds.close(source);
            return; // closing: nothing to copy to
        }
        reader.add(id, source);
    }

    /** Bridges open now (for tests). */
    int size() {
        return writer.size();
    }

    /** Bytes read from sources and not yet taken by their sinks (for tests). */
    long queued() {
        return writer.queued();
    }

    /** Stops both threads and closes every fd; idempotent. */
    @Override
    public void close() {
        reader.close();
        writer.close();
    }
}
