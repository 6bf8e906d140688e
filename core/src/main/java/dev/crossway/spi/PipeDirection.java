package dev.crossway.spi;

/** Which way data flows through a bridged pipe. */
public enum PipeDirection {
    /** The guest app writes, the host compositor (or a host app) reads: {@code wl_data_source.send}. */
    GUEST_TO_HOST,
    /** The host writes, the guest app reads: {@code wl_data_offer.receive}. */
    HOST_TO_GUEST
}
