package dev.crossway.proxy;

import java.util.List;

/**
 * Counters of one session, as reported when it closes.
 *
 * @param hiddenGlobals interface names of the globals the registry policy hid
 */
public record SessionStats(long requests, long requestBytes, long events, long eventBytes, long sends,
                           int globalsOffered, int globalsShown, List<String> hiddenGlobals) {

    /** One line for logs: {@code requests 12 msgs/480 B, events 40 msgs/1600 B, ...}. */
    public String summary() {
        return "requests " + requests + " msgs/" + requestBytes + " B, events " + events + " msgs/" + eventBytes + " B, "
                + "globals " + globalsShown + " of " + globalsOffered + " relayed"
                + (hiddenGlobals.isEmpty() ? "" : " (hidden: " + String.join(", ", hiddenGlobals) + ")")
                + ", " + sends + " sends";
    }
}
