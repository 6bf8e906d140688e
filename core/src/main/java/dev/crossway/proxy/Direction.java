package dev.crossway.proxy;

/** Which way a message travels through a session. */
public enum Direction {
    /** Guest client to host compositor: requests. */
    REQUEST("->"),
    /** Host compositor to guest client: events. */
    EVENT("<-");

    private final String arrow;

    Direction(String arrow) {
        this.arrow = arrow;
    }

    /** The arrow WAYLAND_DEBUG-style traces print. */
    public String arrow() {
        return arrow;
    }

    public boolean isRequest() {
        return this == REQUEST;
    }
}
