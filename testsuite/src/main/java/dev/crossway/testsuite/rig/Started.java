package dev.crossway.testsuite.rig;

import java.util.ArrayList;
import java.util.List;

/** What a test started (compositors, daemons, clients), closed in the reverse order after it. */
public final class Started implements AutoCloseable {
    private final List<AutoCloseable> things = new ArrayList<>();

    /** Closes {@code thing} with the others; returns it. */
    public <T extends AutoCloseable> T add(T thing) {
        things.add(thing);
        return thing;
    }

    /** Closes everything added, the last first, and forgets it. */
    @Override
    public void close() throws Exception {
        for (int i = things.size() - 1; i >= 0; i--) {
            things.remove(i).close();
        }
    }
}
