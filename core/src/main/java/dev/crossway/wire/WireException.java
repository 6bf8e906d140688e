package dev.crossway.wire;

/**
 * Broken input on a Wayland connection. Needing more bytes is not an error and never raises this.
 *
 * <p>The {@link Kind} maps onto {@code wl_display.error} codes when a guest client is at fault.
 */
public final class WireException extends Exception {
    private static final long serialVersionUID = 1L;

    /** What is wrong. */
    public enum Kind {
        /** Bytes that cannot be a message: bad size, unterminated string, overflowing array. */
        MALFORMED,
        /** A message with fd arguments arrived without the fds. */
        MISSING_FD,
        /** A message addressed to an object id that does not exist. */
        UNKNOWN_OBJECT,
        /** An opcode the object's interface does not have. */
        UNKNOWN_OPCODE
    }

    private final Kind kind;
    private final int objectId;

    public WireException(Kind kind, int objectId, String message) {
        super(message);
        this.kind = kind;
        this.objectId = objectId;
    }

    public Kind kind() {
        return kind;
    }

    /** The object the broken message was addressed to (0 when not known). */
    public int objectId() {
        return objectId;
    }
}
