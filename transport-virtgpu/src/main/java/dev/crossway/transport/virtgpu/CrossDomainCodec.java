package dev.crossway.transport.virtgpu;

import static dev.crossway.transport.virtgpu.sys.CrossDomainProtocol.*;

import dev.crossway.transport.virtgpu.sys.CrossDomainCapabilities;
import dev.crossway.transport.virtgpu.sys.CrossDomainGetImageRequirements;
import dev.crossway.transport.virtgpu.sys.CrossDomainHeader;
import dev.crossway.transport.virtgpu.sys.CrossDomainImageRequirements;
import dev.crossway.transport.virtgpu.sys.CrossDomainInit;
import dev.crossway.transport.virtgpu.sys.CrossDomainPoll;
import dev.crossway.transport.virtgpu.sys.CrossDomainReadWrite;
import dev.crossway.transport.virtgpu.sys.CrossDomainSendReceive;
import dev.crossway.transport.virtgpu.sys.CrossDomainSendReceive4;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * The cross-domain command encoding: guest commands written into an EXECBUFFER command buffer, host
 * replies read from the rings. Runs on plain little-endian {@link ByteBuffer}s, so it is tested without
 * a device.
 *
 * <p>Writers append at the buffer's position and advance it; readers take a ring view with position 0
 * and do not move it. One codec per connection: it knows the identifier count the host was built
 * with (28, or 4 before crosvm 03c5118df), which changes the SEND/RECEIVE layout.
 */
final class CrossDomainCodec {
    private final int maxIdentifiers;
    private final int sendReceiveSize;
    private final int identifierTypes;
    private final int identifierSizes;

    CrossDomainCodec(int maxIdentifiers) {
        this.maxIdentifiers = maxIdentifiers;
        if (maxIdentifiers == CROSS_DOMAIN_MAX_IDENTIFIERS) {
            sendReceiveSize = CrossDomainSendReceive.SIZEOF;
            identifierTypes = CrossDomainSendReceive.IDENTIFIER_TYPES;
            identifierSizes = CrossDomainSendReceive.IDENTIFIER_SIZES;
        } else if (maxIdentifiers == CROSS_DOMAIN_MAX_IDENTIFIERS_LEGACY) {
            sendReceiveSize = CrossDomainSendReceive4.SIZEOF;
            identifierTypes = CrossDomainSendReceive4.IDENTIFIER_TYPES;
            identifierSizes = CrossDomainSendReceive4.IDENTIFIER_SIZES;
        } else {
            throw new IllegalArgumentException("identifiers must be " + CROSS_DOMAIN_MAX_IDENTIFIERS + " or "
                    + CROSS_DOMAIN_MAX_IDENTIFIERS_LEGACY + ", was " + maxIdentifiers);
        }
    }

    int maxIdentifiers() {
        return maxIdentifiers;
    }

    /** Bytes of a SEND/RECEIVE before its data: 352 (28 identifiers) or 64 (4). */
    int sendReceiveSize() {
        return sendReceiveSize;
    }

    /** A new buffer for commands: little-endian, direct (its address goes into EXECBUFFER). */
    static ByteBuffer newCommandBuffer(int capacity) {
        return ByteBuffer.allocateDirect(capacity).order(ByteOrder.LITTLE_ENDIAN);
    }

    private static void header(ByteBuffer out, int at, int cmd, int size) {
        if (size > 0xFFFF) {
            throw new IllegalArgumentException("a cross-domain command is at most 65535 bytes (u16 cmd_size), this one " + size);
        }
        out.put(at + CrossDomainHeader.CMD, (byte) cmd);
        out.put(at + CrossDomainHeader.RING_IDX, (byte) 0);
        out.putShort(at + CrossDomainHeader.CMD_SIZE, (short) size);
        out.putInt(at + CrossDomainHeader.PAD, 0);
    }

    /** CROSS_DOMAIN_CMD_INIT, the 20-byte v1 form (two rings). */
    static void putInit(ByteBuffer out, int queryRingId, int channelRingId, int channelType) {
        int at = out.position();
        header(out, at, CROSS_DOMAIN_CMD_INIT, CrossDomainInit.SIZEOF);
        out.putInt(at + CrossDomainInit.QUERY_RING_ID, queryRingId);
        out.putInt(at + CrossDomainInit.CHANNEL_RING_ID, channelRingId);
        out.putInt(at + CrossDomainInit.CHANNEL_TYPE, channelType);
        out.position(at + CrossDomainInit.SIZEOF);
    }

    /** CROSS_DOMAIN_CMD_GET_IMAGE_REQUIREMENTS (24 bytes). */
    static void putGetImageRequirements(ByteBuffer out, int width, int height, int drmFormat, int flags) {
        int at = out.position();
        header(out, at, CROSS_DOMAIN_CMD_GET_IMAGE_REQUIREMENTS, CrossDomainGetImageRequirements.SIZEOF);
        out.putInt(at + CrossDomainGetImageRequirements.WIDTH, width);
        out.putInt(at + CrossDomainGetImageRequirements.HEIGHT, height);
        out.putInt(at + CrossDomainGetImageRequirements.DRM_FORMAT, drmFormat);
        out.putInt(at + CrossDomainGetImageRequirements.FLAGS, flags);
        out.position(at + CrossDomainGetImageRequirements.SIZEOF);
    }

    /** CROSS_DOMAIN_CMD_POLL (16 bytes, Sommelier's layout). */
    static void putPoll(ByteBuffer out) {
        int at = out.position();
        header(out, at, CROSS_DOMAIN_CMD_POLL, CrossDomainPoll.SIZEOF);
        out.putLong(at + CrossDomainPoll.PAD, 0);
        out.position(at + CrossDomainPoll.SIZEOF);
    }

    /**
     * CROSS_DOMAIN_CMD_SEND: {@code count} identifiers with their types, then {@code dataLength} bytes of
     * {@code data} from its position (which advances). {@code identifier_sizes} are written as 0: the host
     * ignores them on SEND.
     */
    void putSend(ByteBuffer out, int[] identifiers, int[] types, int from, int count, ByteBuffer data, int dataLength) {
        if (count > maxIdentifiers) {
            throw new IllegalArgumentException(count + " identifiers in one SEND; the host takes at most " + maxIdentifiers);
        }
        int at = out.position();
        int size = sendReceiveSize + dataLength;
        header(out, at, CROSS_DOMAIN_CMD_SEND, size);
        out.putInt(at + CrossDomainSendReceive.NUM_IDENTIFIERS, count);
        out.putInt(at + CrossDomainSendReceive.OPAQUE_DATA_SIZE, dataLength);
        for (int i = 0; i < maxIdentifiers; i++) {
            boolean used = i < count;
            out.putInt(at + CrossDomainSendReceive.IDENTIFIERS + 4 * i, used ? identifiers[from + i] : 0);
            out.putInt(at + identifierTypes + 4 * i, used ? types[from + i] : 0);
            out.putInt(at + identifierSizes + 4 * i, 0);
        }
        out.put(at + sendReceiveSize, data, data.position(), dataLength);
        data.position(data.position() + dataLength);
        out.position(at + size);
    }

    /** CROSS_DOMAIN_CMD_WRITE: pipe data for host write pipe {@code identifier}, possibly with the hang-up. */
    static void putWrite(ByteBuffer out, int identifier, boolean hangUp, ByteBuffer data, int dataLength) {
        int at = out.position();
        int size = CrossDomainReadWrite.SIZEOF + dataLength;
        header(out, at, CROSS_DOMAIN_CMD_WRITE, size);
        out.putInt(at + CrossDomainReadWrite.IDENTIFIER, identifier);
        out.putInt(at + CrossDomainReadWrite.HANG_UP, hangUp ? 1 : 0);
        out.putInt(at + CrossDomainReadWrite.OPAQUE_DATA_SIZE, dataLength);
        out.putInt(at + CrossDomainReadWrite.PAD, 0);
        if (dataLength > 0) {
            out.put(at + CrossDomainReadWrite.SIZEOF, data, data.position(), dataLength);
            data.position(data.position() + dataLength);
        }
        out.position(at + size);
    }

    /** The command the host wrote into a ring (byte 0); the host fills only {@code cmd}, never {@code cmd_size}. */
    static int command(ByteBuffer ring) {
        return ring.get(CrossDomainHeader.CMD) & 0xFF;
    }

    /**
     * A RECEIVE from the channel ring: Wayland bytes at {@code dataOffset}, and what each identifier is.
     * {@code num_identifiers == 0 && opaque_data_size == 0} means the compositor closed (rutabaga 0.1.80).
     */
    record Receive(int[] identifiers, int[] types, int[] sizes, int dataOffset, int dataSize) {
        boolean isEndOfStream() {
            return identifiers.length == 0 && dataSize == 0;
        }
    }

    Receive decodeReceive(ByteBuffer ring) throws IOException {
        int n = ring.getInt(CrossDomainSendReceive.NUM_IDENTIFIERS);
        int dataSize = ring.getInt(CrossDomainSendReceive.OPAQUE_DATA_SIZE);
        if (n < 0 || n > maxIdentifiers) {
            throw new IOException("cross-domain RECEIVE with " + Integer.toUnsignedString(n) + " identifiers, most is " + maxIdentifiers
                    + ": the host's identifier count differs from ours (set the virtgpu option identifiers to 28 or 4 to match crosvm)");
        }
        if (dataSize < 0 || dataSize > ring.capacity() - sendReceiveSize) {
            throw new IOException("cross-domain RECEIVE says " + Integer.toUnsignedString(dataSize) + " data bytes, more than the "
                    + (ring.capacity() - sendReceiveSize) + " a ring holds: the host's identifier count differs from ours?");
        }
        int[] ids = new int[n];
        int[] types = new int[n];
        int[] sizes = new int[n];
        for (int i = 0; i < n; i++) {
            ids[i] = ring.getInt(CrossDomainSendReceive.IDENTIFIERS + 4 * i);
            types[i] = ring.getInt(identifierTypes + 4 * i);
            sizes[i] = ring.getInt(identifierSizes + 4 * i);
        }
        return new Receive(ids, types, sizes, sendReceiveSize, dataSize);
    }

    /** A READ from the channel ring: data for one of our read pipes, and whether the host end hung up. */
    record Read(int identifier, boolean hangUp, int dataOffset, int dataSize) {
    }

    static Read decodeRead(ByteBuffer ring) throws IOException {
        int dataSize = ring.getInt(CrossDomainReadWrite.OPAQUE_DATA_SIZE);
        if (dataSize < 0 || dataSize > ring.capacity() - CrossDomainReadWrite.SIZEOF) {
            throw new IOException("cross-domain READ says " + Integer.toUnsignedString(dataSize) + " data bytes, more than a ring holds");
        }
        return new Read(ring.getInt(CrossDomainReadWrite.IDENTIFIER), ring.getInt(CrossDomainReadWrite.HANG_UP) != 0,
                CrossDomainReadWrite.SIZEOF, dataSize);
    }

    /** The host's image requirements, from the query ring. */
    record ImageRequirements(int[] strides, int[] offsets, long modifier, long size, int blobId, int mapInfo, int memoryIdx) {
    }

    static ImageRequirements decodeImageRequirements(ByteBuffer ring) {
        int[] strides = new int[4];
        int[] offsets = new int[4];
        for (int i = 0; i < 4; i++) {
            strides[i] = ring.getInt(CrossDomainImageRequirements.STRIDES + 4 * i);
            offsets[i] = ring.getInt(CrossDomainImageRequirements.OFFSETS + 4 * i);
        }
        return new ImageRequirements(strides, offsets, ring.getLong(CrossDomainImageRequirements.MODIFIER),
                ring.getLong(CrossDomainImageRequirements.SIZE), ring.getInt(CrossDomainImageRequirements.BLOB_ID),
                ring.getInt(CrossDomainImageRequirements.MAP_INFO), ring.getInt(CrossDomainImageRequirements.MEMORY_IDX));
    }

    /** Capset 5 as GET_CAPS returns it. */
    record Capabilities(int version, int supportedChannels, boolean supportsDmabuf, boolean supportsExternalGpuMemory) {
        boolean hasChannel(int channelType) {
            return (supportedChannels & (1 << channelType)) != 0;
        }
    }

    static Capabilities decodeCapabilities(byte[] capset) {
        ByteBuffer b = ByteBuffer.wrap(capset).order(ByteOrder.LITTLE_ENDIAN);
        return new Capabilities(b.getInt(CrossDomainCapabilities.VERSION), b.getInt(CrossDomainCapabilities.SUPPORTED_CHANNELS),
                b.getInt(CrossDomainCapabilities.SUPPORTS_DMABUF) != 0, b.getInt(CrossDomainCapabilities.SUPPORTS_EXTERNAL_GPU_MEMORY) != 0);
    }
}
