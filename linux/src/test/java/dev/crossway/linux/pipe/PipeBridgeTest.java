package dev.crossway.linux.pipe;

import static dev.crossway.linux.testing.TestIo.direct;
import static dev.crossway.linux.testing.TestIo.readAll;
import static org.assertj.core.api.Assertions.assertThat;

import dev.crossway.linux.Fds;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The two halves of a pipe bridge on real pipes: the reader feeding a sink, the writer that never blocks. */
@Timeout(value = 30, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class PipeBridgeTest {

    @Test
    void theWriterNeverBlocksAndDeliversEverythingBitExactThenTheHangUp() throws Exception {
        List<Integer> ended = new CopyOnWriteArrayList<>();
        try (PipeWriter writer = new PipeWriter("test-writer", 0, 4096, new PipeWriter.Listener() {
            @Override
            public void ended(int id) {
                ended.add(id);
            }
        })) {
            int[] pipe = Fds.pipe();
            writer.add(7, pipe[1]);
            byte[] data = new byte[3 * 1024 * 1024 + 17];
            new Random(1).nextBytes(data);
            long start = System.nanoTime();
            for (int at = 0; at < data.length; at += 4000) {
                ByteBuffer chunk = direct(Arrays.copyOfRange(data, at, Math.min(data.length, at + 4000)));
                assertThat(writer.offer(7, chunk, false)).isTrue();
            }
            assertThat(writer.offer(7, ByteBuffer.allocateDirect(0), true)).isTrue();
            long offerMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            assertThat(writer.queued()).as("what a 64 KiB pipe could not take is queued").isGreaterThan(data.length - 128 * 1024);
            System.out.println("offered " + data.length + " bytes to an unread pipe in " + offerMillis + " ms");
            byte[] got = readAll(pipe[0]);
            Fds.close(pipe[0]);
            assertThat(Arrays.equals(got, data)).as("bit-exact, " + got.length + " of " + data.length + " bytes").isTrue();
            assertThat(writer.size()).isZero();
            assertThat(ended).containsExactly(7);
            assertThat(writer.offer(7, direct(new byte[1]), false)).as("an ended id is refused").isFalse();
        }
    }

    @Test
    void aFullPipeHasNoRoomUntilItsReaderCatchesUp() throws Exception {
        CountDownLatch room = new CountDownLatch(1);
        try (PipeWriter writer = new PipeWriter("test-writer", 0, 4096, new PipeWriter.Listener() {
            @Override
            public void room(int id) {
                room.countDown();
            }
        })) {
            int[] pipe = Fds.pipe();
            writer.add(1, pipe[1]);
            ByteBuffer chunk = ByteBuffer.allocateDirect(64 * 1024);
            while (writer.hasRoom(1)) {
                chunk.clear();
                writer.offer(1, chunk, false);
            }
            assertThat(writer.queued()).isGreaterThanOrEqualTo(PipeWriter.HARD_LIMIT).isLessThan(PipeWriter.HARD_LIMIT + 64 * 1024);
            ByteBuffer sink = ByteBuffer.allocateDirect(1 << 20);
            while (room.getCount() > 0) {
                sink.clear();
                Fds.read(pipe[0], sink);
            }
            assertThat(writer.hasRoom(1)).isTrue();
            Fds.close(pipe[0]);
        }
    }

    @Test
    void aReaderThatGoesAwayEndsOnlyItsOwnPipe() throws Exception {
        List<Integer> ended = new CopyOnWriteArrayList<>();
        try (PipeWriter writer = new PipeWriter("test-writer", 0, 4096, new PipeWriter.Listener() {
            @Override
            public void ended(int id) {
                ended.add(id);
            }
        })) {
            int[] gone = Fds.pipe();
            int[] kept = Fds.pipe();
            writer.add(1, gone[1]);
            writer.add(2, kept[1]);
            Fds.close(gone[0]);
            writer.offer(1, direct(new byte[100]), false);
            assertThat(ended).containsExactly(1);
            writer.offer(2, direct("still here".getBytes()), true);
            assertThat(new String(readAll(kept[0]))).isEqualTo("still here");
            Fds.close(kept[0]);
        }
    }

    @Test
    void theReaderHandsOnChunksAndTheHangUpAndHonoursItsGate() throws Exception {
        ByteArrayOutputStream got = new ByteArrayOutputStream();
        CountDownLatch hungUp = new CountDownLatch(1);
        AtomicBoolean open = new AtomicBoolean(false);
        try (PipeReader reader = new PipeReader("test-reader", 4072, 0, (id, data, hangUp) -> {
            assertThat(id).isEqualTo(5);
            assertThat(data.remaining()).isLessThanOrEqualTo(4072);
            byte[] b = new byte[data.remaining()];
            data.get(b);
            synchronized (got) {
                got.write(b, 0, b.length);
            }
            if (hangUp) {
                hungUp.countDown();
            }
            return true;
        }, id -> open.get())) {
            int[] pipe = Fds.pipe();
            reader.add(5, pipe[0]);
            byte[] data = new byte[20_000];
            new Random(2).nextBytes(data);
            Fds.write(pipe[1], direct(Arrays.copyOf(data, 10_000)));
            Thread.sleep(200);
            synchronized (got) {
                assertThat(got.size()).as("nothing read while the gate is shut").isZero();
            }
            open.set(true);
            reader.wakeUp();
            Fds.write(pipe[1], direct(Arrays.copyOfRange(data, 10_000, 20_000)));
            Fds.close(pipe[1]);
            assertThat(hungUp.await(5, TimeUnit.SECONDS)).isTrue();
            assertThat(Arrays.equals(got.toByteArray(), data)).isTrue();
        }
    }

    @Test
    void anEndedPipeIsClosedSoItsWriterSeesEpipe() throws Exception {
        try (PipeReader reader = new PipeReader("test-reader", 4072, 0, (id, data, hangUp) -> true)) {
            int[] pipe = Fds.pipe();
            reader.add(9, pipe[0]);
            reader.end(9);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            IOException failure = null;
            while (failure == null && System.nanoTime() < deadline) {
                try {
                    Fds.write(pipe[1], direct(new byte[16]));
                    Thread.sleep(10);
                } catch (IOException e) {
                    failure = e;
                }
            }
            assertThat(failure).isNotNull().hasMessageContaining("EPIPE");
            Fds.close(pipe[1]);
        }
    }
}
