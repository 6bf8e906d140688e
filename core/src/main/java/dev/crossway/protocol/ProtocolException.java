package dev.crossway.protocol;

/**
 * Protocol XML could not be loaded. The message names the file, the element and the attribute at fault,
 * e.g. {@code wayland.xml:1432: interface wl_surface, request attach, arg 'x': unknown type 'flaot'}.
 *
 * <p>Unchecked: the bundled XML failing is a build defect, and a bad user directory is a configuration
 * error that the application reports once at start-up; neither is something a caller can recover from locally.
 */
public final class ProtocolException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final String source;

    public ProtocolException(String source, String message) {
        super(message);
        this.source = source;
    }

    public ProtocolException(String source, String message, Throwable cause) {
        super(message, cause);
        this.source = source;
    }

    /** The file (bundled path or user path) that failed, as named in the message. */
    public String source() {
        return source;
    }
}
