package dev.crossway.transport.virtgpu;

import static dev.crossway.transport.virtgpu.sys.CrossDomainProtocol.CROSS_DOMAIN_CMD_READ;
import static dev.crossway.transport.virtgpu.sys.CrossDomainProtocol.CROSS_DOMAIN_CMD_RECEIVE;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * The cross-domain codec on whatever a host writes into the channel and query rings (one page each) and
 * the capset: a RECEIVE or READ decodes to data that lies inside the ring, or is refused with an
 * {@link IOException} that says why; nothing else. (virtwl has no codec worth a harness: its receive
 * is one fixed struct, whose lengths the connection checks.)
 */
class CrossDomainCodecFuzzTest {
    private static final CrossDomainCodec[] CODECS = {new CrossDomainCodec(28), new CrossDomainCodec(4)};

    @FuzzTest(maxDuration = "30s")
    void ringsDecodeInsideTheRingOrAreRefused(FuzzedDataProvider data) {
        CrossDomainCodec codec = CODECS[data.consumeInt(0, 1)];
        byte[] capset = data.consumeBytes(16);
        ByteBuffer ring = ByteBuffer.allocateDirect(VirtGpuContext.PAGE_SIZE).order(ByteOrder.LITTLE_ENDIAN);
        ring.put(data.consumeRemainingAsBytes()).clear();
        if (capset.length == 16) {
            CrossDomainCodec.decodeCapabilities(capset).hasChannel(1);
        }
        CrossDomainCodec.decodeImageRequirements(ring);
        int command = CrossDomainCodec.command(ring);
        try {
            if (command == CROSS_DOMAIN_CMD_RECEIVE) {
                CrossDomainCodec.Receive r = codec.decodeReceive(ring);
                if (r.identifiers().length > codec.maxIdentifiers() || r.types().length != r.identifiers().length
                        || r.sizes().length != r.identifiers().length) {
                    throw new AssertionError("a RECEIVE with " + r.identifiers().length + " identifiers");
                }
                ByteBuffer copy = ByteBuffer.allocateDirect(VirtGpuContext.PAGE_SIZE);
                copy.put(0, ring, r.dataOffset(), r.dataSize()); // as the connection takes the bytes
            } else if (command == CROSS_DOMAIN_CMD_READ) {
                CrossDomainCodec.Read read = CrossDomainCodec.decodeRead(ring);
                ring.slice(read.dataOffset(), read.dataSize()); // as the pipe bridge takes the bytes
            }
        } catch (IOException refused) {
            // a ring the codec cannot take, refused with a reason: as it should be
        }
    }
}
