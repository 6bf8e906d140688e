package dev.crossway.proxy;

import java.util.List;

/**
 * Counters of one session, as reported when it closes.
 *
 * @param hiddenGlobals interface names of the globals the registry policy hid
 * @param details       one phrase from each interceptor that is a {@link Contributor}
 */
public record SessionStats(long requests, long requestBytes, long events, long eventBytes, long sends,
                           int globalsOffered, int globalsShown, List<String> hiddenGlobals, List<String> details) {

    /** An interceptor with counters of its own, which it adds to the session summary. */
    public interface Contributor {
        /** A short phrase, e.g. {@code shm 12 commits, 4096 B copied}; must be fast and must not throw. */
        String summary();
    }

    public SessionStats {
        hiddenGlobals = List.copyOf(hiddenGlobals);
        details = List.copyOf(details);
    }

    /** One line for logs: {@code requests 12 msgs/480 B, events 40 msgs/1600 B, ...}. */
    public String summary() {
        return "requests " + requests + " msgs/" + requestBytes + " B, events " + events + " msgs/" + eventBytes + " B, "
                + "globals " + globalsShown + " of " + globalsOffered + " relayed"
                + (hiddenGlobals.isEmpty() ? "" : " (hidden: " + String.join(", ", hiddenGlobals) + ")")
                + ", " + sends + " sends"
                + (details.isEmpty() ? "" : ", " + String.join(", ", details));
    }
}
