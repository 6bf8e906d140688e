package dev.crossway.proxy;

/**
 * A guest client broke the protocol. The session sends {@code wl_display.error(object, code, message)}
 * to the client and closes; other sessions are unaffected.
 */
public final class ProtocolError extends Exception {
    private static final long serialVersionUID = 1L;

    /** {@code wl_display.error} codes from wayland.xml. */
    public static final int INVALID_OBJECT = 0;
    public static final int INVALID_METHOD = 1;
    public static final int NO_MEMORY = 2;
    public static final int IMPLEMENTATION = 3;

    private final int objectId;
    private final int code;

    public ProtocolError(int objectId, int code, String message) {
        super(message);
        this.objectId = objectId;
        this.code = code;
    }

    public int objectId() {
        return objectId;
    }

    public int code() {
        return code;
    }
}
