package dev.crossway.transport.virtgpu;

import static org.assertj.core.api.Assertions.assertThat;

import dev.crossway.linux.testing.HostFailureSuite;
import dev.crossway.spi.FdQueue;
import dev.crossway.spi.HostConnection;
import dev.crossway.spi.Transport;
import dev.crossway.transport.virtgpu.emulator.VirtGpuEmulator;
import dev.crossway.transport.virtgpu.emulator.VirtGpuEmulatorConfig;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The host-failure suite on virtgpu over the emulated device, which behaves as rutabaga does: INIT fails
 * without a word when the compositor is down, no POLL is ever answered then, and sends to a compositor
 * that does not read block the host's virtqueue.
 */
class VirtGpuHostFailureTest extends HostFailureSuite {
    private VirtGpuEmulator emulator;
    private boolean emptyReceiveOnEof = true;

    @AfterEach
    void stop() throws InterruptedException {
        if (emulator != null) {
            // A relay blocked in the device lets go of the DRM file when its thread leaves, just after the session closed.
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while (emulator.openFiles() > 0 && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            assertThat(emulator.openFiles()).as("DRM files left open 5 s after the test").isZero();
            emulator.close();
        }
    }

    @Override
    protected Transport open(Path compositor) throws IOException {
        emulator = new VirtGpuEmulator(VirtGpuEmulatorConfig.of(compositor).emptyReceiveOnEof(emptyReceiveOnEof));
        return new VirtGpuTransportProvider(emulator).open(key -> null);
    }

    @Override
    protected boolean connectFailsWhileTheCompositorIsDown() {
        return false;
    }

    @Override
    protected boolean openProbesTheCompositor() {
        return false;
    }

    @Override
    protected boolean canHideHangUp() {
        return true;
    }

    @Override
    protected void hostSignalsNoHangUp() {
        emptyReceiveOnEof = false; // rutabaga before 0.1.80, and QEMU's: the POLL after the hang-up is never answered
    }

    @Test
    void aCompositorThatIsDownFailsInitWithoutAWordAndNoPollIsAnswered() throws Exception {
        try (Transport transport = open(dir.resolve("no-compositor"))) {
            HostConnection host = transport.connect(); // INIT is only queued: the guest cannot know
            host.send(ByteBuffer.allocateDirect(12).order(ByteOrder.nativeOrder()).putInt(1).putInt(12 << 16).putInt(2).flip(),
                    new FdQueue());
            CompletableFuture<Integer> receiving = CompletableFuture.supplyAsync(() -> {
                try {
                    return host.receive(ByteBuffer.allocateDirect(64), new FdQueue());
                } catch (IOException e) {
                    return -2;
                }
            });
            Thread.sleep(500);
            assertThat(receiving).as("no fence is ever signalled").isNotDone();
            assertThat(emulator.hostErrors()).hasSize(2);
            assertThat(emulator.hostErrors().get(0)).contains("command 1").contains("connect to").contains("ENOENT");
            assertThat(emulator.hostErrors().get(1)).isEqualTo("cross-domain: SEND before INIT");
            host.close();
            assertThat(receiving.get(5, TimeUnit.SECONDS)).isEqualTo(-1);
        }
    }
}
