package dev.crossway.wire;

import java.nio.ByteBuffer;

/**
 * The 8-byte message header: {@code object id (u32)}, then {@code size << 16 | opcode (u32)}, in host
 * byte order. Reads use absolute offsets so framing never moves a buffer's position or allocates.
 */
public final class Wire {
    /** Bytes in a message header. */
    public static final int HEADER_SIZE = 8;
    /** libwayland's {@code WL_MAX_MESSAGE_SIZE}: no message is larger. */
    public static final int MAX_MESSAGE_SIZE = 4096;

    private Wire() {
    }

    public static int objectId(ByteBuffer buf, int offset) {
        return buf.getInt(offset);
    }

    public static int size(ByteBuffer buf, int offset) {
        return buf.getInt(offset + 4) >>> 16;
    }

    public static int opcode(ByteBuffer buf, int offset) {
        return buf.getInt(offset + 4) & 0xffff;
    }

    /** The second header word for a message of {@code size} bytes. */
    public static int sizeAndOpcode(int size, int opcode) {
        return size << 16 | (opcode & 0xffff);
    }

    /**
     * Checks the header at {@code offset}; returns the message size, or 0 when fewer than
     * {@link #HEADER_SIZE} bytes are available up to {@code limit} (need more).
     *
     * @throws WireException when the size cannot be right
     */
    public static int checkedSize(ByteBuffer buf, int offset, int limit) throws WireException {
        if (limit - offset < HEADER_SIZE) {
            return 0;
        }
        int size = size(buf, offset);
        if (size < HEADER_SIZE) {
            throw new WireException(WireException.Kind.MALFORMED, objectId(buf, offset),
                    "message size " + size + " is smaller than the 8-byte header");
        }
        if ((size & 3) != 0) {
            throw new WireException(WireException.Kind.MALFORMED, objectId(buf, offset),
                    "message size " + size + " is not a multiple of 4");
        }
        if (size > MAX_MESSAGE_SIZE) {
            throw new WireException(WireException.Kind.MALFORMED, objectId(buf, offset),
                    "message size " + size + " exceeds the maximum of " + MAX_MESSAGE_SIZE);
        }
        return size;
    }

    /** Rounds up to the 4-byte alignment of Wayland arguments. */
    public static int pad(int n) {
        return (n + 3) & ~3;
    }
}
