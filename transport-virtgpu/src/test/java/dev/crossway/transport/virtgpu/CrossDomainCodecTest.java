package dev.crossway.transport.virtgpu;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.crossway.transport.virtgpu.sys.CrossDomainProtocol;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

/** The encodings of spec A.3.4, byte for byte. */
class CrossDomainCodecTest {
    private final ByteBuffer out = CrossDomainCodec.newCommandBuffer(8192);

    private static String hex(ByteBuffer b, int from, int to) {
        byte[] bytes = new byte[to - from];
        b.get(from, bytes);
        return HexFormat.ofDelimiter(" ").formatHex(bytes).toUpperCase();
    }

    @Test
    void initV1NamesBothRingsAndTheWaylandChannel() {
        CrossDomainCodec.putInit(out, 7, 8, CrossDomainProtocol.CROSS_DOMAIN_CHANNEL_TYPE_WAYLAND);
        assertThat(out.position()).isEqualTo(20);
        assertThat(hex(out, 0, 20)).isEqualTo("01 00 14 00 00 00 00 00 07 00 00 00 08 00 00 00 01 00 00 00");
    }

    @Test
    void pollIsSixteenBytes() {
        CrossDomainCodec.putPoll(out);
        assertThat(hex(out, 0, out.position())).isEqualTo("03 00 10 00 00 00 00 00 00 00 00 00 00 00 00 00");
    }

    @Test
    void getImageRequirementsForR8Linear() {
        CrossDomainCodec.putGetImageRequirements(out, 256, 1, CrossDomainProtocol.DRM_FORMAT_R8, 0x11);
        assertThat(hex(out, 0, out.position())).isEqualTo("02 00 18 00 00 00 00 00 00 01 00 00 01 00 00 00 52 38 20 20 11 00 00 00");
    }

    @Test
    void sendWithOneBlobAndHundredBytes() {
        ByteBuffer data = ByteBuffer.allocate(100);
        for (int i = 0; i < 100; i++) {
            data.put(i, (byte) i);
        }
        new CrossDomainCodec(28).putSend(out, new int[] {12}, new int[] {1}, 0, 1, data, 100);
        assertThat(out.position()).isEqualTo(452);
        assertThat(hex(out, 0, 8)).isEqualTo("04 00 C4 01 00 00 00 00");
        assertThat(out.getInt(8)).isEqualTo(1);
        assertThat(out.getInt(12)).isEqualTo(100);
        assertThat(out.getInt(16)).isEqualTo(12);
        assertThat(out.getInt(128)).isEqualTo(1);
        assertThat(out.getInt(240)).isZero();
        assertThat(out.get(352)).isEqualTo((byte) 0);
        assertThat(out.get(451)).isEqualTo((byte) 99);
        assertThat(data.position()).isEqualTo(100);
    }

    @Test
    void sendInFourIdentifierModeUsesTheSixtyFourByteLayout() {
        ByteBuffer data = ByteBuffer.wrap(new byte[] {42});
        new CrossDomainCodec(4).putSend(out, new int[] {0x80000001, 9}, new int[] {3, 1}, 0, 2, data, 1);
        assertThat(out.position()).isEqualTo(65);
        assertThat(out.getShort(2)).isEqualTo((short) 65);
        assertThat(out.getInt(16)).isEqualTo(0x80000001);
        assertThat(out.getInt(20)).isEqualTo(9);
        assertThat(out.getInt(32)).isEqualTo(3);
        assertThat(out.getInt(36)).isEqualTo(1);
        assertThat(out.get(64)).isEqualTo((byte) 42);
    }

    @Test
    void sendRefusesMoreIdentifiersThanTheHostTakes() {
        assertThatThrownBy(() -> new CrossDomainCodec(4).putSend(out, new int[5], new int[5], 0, 5, ByteBuffer.allocate(1), 1))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("at most 4");
    }

    @Test
    void writeWithTenBytesAndWriteHangUp() {
        CrossDomainCodec.putWrite(out, 5, false, ByteBuffer.wrap("0123456789".getBytes()), 10);
        assertThat(hex(out, 0, 8)).isEqualTo("07 00 22 00 00 00 00 00");
        assertThat(hex(out, 8, 24)).isEqualTo("05 00 00 00 00 00 00 00 0A 00 00 00 00 00 00 00");
        assertThat(out.get(24)).isEqualTo((byte) '0');
        int at = out.position();
        CrossDomainCodec.putWrite(out, 5, true, ByteBuffer.allocate(0), 0);
        assertThat(hex(out, at, at + 24)).isEqualTo("07 00 18 00 00 00 00 00 05 00 00 00 01 00 00 00 00 00 00 00 00 00 00 00");
    }

    private static ByteBuffer ring() {
        return ByteBuffer.allocate(4096).order(ByteOrder.LITTLE_ENDIAN);
    }

    @Test
    void receiveDecodesIdentifiersAndData() throws IOException {
        ByteBuffer ring = ring();
        ring.put(0, (byte) 5);
        ring.putInt(8, 2).putInt(12, 3);
        ring.putInt(16, 3).putInt(20, 4);
        ring.putInt(128, 1).putInt(132, 4);
        ring.putInt(240, 12345).putInt(244, 0);
        ring.put(352, (byte) 'a').put(353, (byte) 'b').put(354, (byte) 'c');
        CrossDomainCodec.Receive r = new CrossDomainCodec(28).decodeReceive(ring);
        assertThat(CrossDomainCodec.command(ring)).isEqualTo(CrossDomainProtocol.CROSS_DOMAIN_CMD_RECEIVE);
        assertThat(r.identifiers()).containsExactly(3, 4);
        assertThat(r.types()).containsExactly(1, 4);
        assertThat(r.sizes()).containsExactly(12345, 0);
        assertThat(r.dataOffset()).isEqualTo(352);
        assertThat(r.dataSize()).isEqualTo(3);
        assertThat(r.isEndOfStream()).isFalse();
    }

    @Test
    void emptyReceiveIsEndOfStream() throws IOException {
        ByteBuffer ring = ring();
        ring.put(0, (byte) 5);
        assertThat(new CrossDomainCodec(28).decodeReceive(ring).isEndOfStream()).isTrue();
    }

    @Test
    void receiveWithTooManyIdentifiersNamesTheSetting() {
        ByteBuffer ring = ring();
        ring.putInt(8, 5);
        assertThatThrownBy(() -> new CrossDomainCodec(4).decodeReceive(ring)).isInstanceOf(IOException.class)
                .hasMessageContaining("identifiers to 28 or 4");
    }

    @Test
    void readDecodesPipeDataAndHangUp() throws IOException {
        ByteBuffer ring = ring();
        ring.put(0, (byte) 6);
        ring.putInt(8, 0x80000001).putInt(12, 1).putInt(16, 2);
        CrossDomainCodec.Read r = CrossDomainCodec.decodeRead(ring);
        assertThat(r.identifier()).isEqualTo(0x80000001);
        assertThat(r.hangUp()).isTrue();
        assertThat(r.dataOffset()).isEqualTo(24);
        assertThat(r.dataSize()).isEqualTo(2);
    }

    @Test
    void imageRequirementsDecodeAtTheirOffsets() {
        ByteBuffer ring = ring();
        ring.putInt(0, 4096).putLong(40, 8192).putInt(48, 6).putInt(52, 1).putInt(56, -1);
        CrossDomainCodec.ImageRequirements r = CrossDomainCodec.decodeImageRequirements(ring);
        assertThat(r.strides()[0]).isEqualTo(4096);
        assertThat(r.size()).isEqualTo(8192);
        assertThat(r.blobId()).isEqualTo(6);
        assertThat(r.mapInfo()).isEqualTo(1);
        assertThat(r.memoryIdx()).isEqualTo(-1);
    }

    @Test
    void capabilitiesShowTheWaylandChannel() {
        byte[] caps = new byte[16];
        ByteBuffer.wrap(caps).order(ByteOrder.LITTLE_ENDIAN).putInt(1).putInt(2).putInt(1).putInt(0);
        CrossDomainCodec.Capabilities c = CrossDomainCodec.decodeCapabilities(caps);
        assertThat(c.version()).isEqualTo(1);
        assertThat(c.hasChannel(CrossDomainProtocol.CROSS_DOMAIN_CHANNEL_TYPE_WAYLAND)).isTrue();
        assertThat(c.supportsDmabuf()).isTrue();
    }
}
