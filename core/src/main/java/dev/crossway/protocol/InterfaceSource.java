package dev.crossway.protocol;

/**
 * An interface as a {@link Schema} holds it: name, version and protocol known at once, the messages
 * perhaps read only when {@link #get()} is first called (see {@link ProtocolTable.Entry}).
 */
interface InterfaceSource {
    String name();

    int version();

    String protocolName();

    /** The interface itself; the same instance on every call. */
    Interface get();
}
