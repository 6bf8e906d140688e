package dev.crossway.vm;

/** The VM did not do what a step needed (boot, answer a command, start the daemon); the message names the step and its log. */
public final class VmException extends RuntimeException {
    public VmException(String message) {
        super(message);
    }

    public VmException(String message, Throwable cause) {
        super(message, cause);
    }
}
