package dev.crossway.app;

import sun.misc.Signal;

/**
 * SIGTERM and SIGINT end the daemon cleanly (socket and lock removed, child stopped) with status 0,
 * instead of the JVM's default exit through shutdown hooks.
 */
final class Signals {
    private Signals() {
    }

    static void onTerminate(Runnable action) {
        for (String name : new String[] {"TERM", "INT"}) {
            Signal.handle(new Signal(name), s -> action.run());
        }
    }
}
