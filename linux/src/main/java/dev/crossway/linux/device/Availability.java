package dev.crossway.linux.device;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * Whether a VM transport can run here: its checks, in the order it depends on things, each {@code ok}
 * or {@code missing} with what was found and the fix. The first failing check is the unavailability
 * cause; the checks after it read "not checked". What {@code crossway doctor} prints.
 */
public final class Availability {
    static final String NOT_CHECKED = "not checked (an earlier check failed)";

    /** One check: its name, whether it passed, and what was found (with the fix when it failed). */
    public record Check(String name, boolean ok, String detail) {
        String line() {
            return (ok ? "ok       " : "missing  ") + name + ": " + detail;
        }
    }

    private final String transport;
    private final List<String> names;
    private final List<Check> checks = new ArrayList<>();

    /** @param names every check the transport makes, in order */
    public Availability(String transport, String... names) {
        this.transport = transport;
        this.names = List.of(names);
    }

    public Availability ok(String name, String detail) {
        checks.add(new Check(name, true, detail));
        return this;
    }

    public Availability missing(String name, String detail) {
        checks.add(new Check(name, false, detail));
        return this;
    }

    public boolean isAvailable() {
        return checks.stream().allMatch(Check::ok) && checks.size() == names.size();
    }

    /** The first failing check, naming the cause and the fix; null when every check passed. */
    public String unavailabilityCause() {
        for (Check c : checks) {
            if (!c.ok()) {
                return c.name() + ": " + c.detail();
            }
        }
        return checks.size() == names.size() ? null : names.get(checks.size()) + ": " + NOT_CHECKED;
    }

    public void ensureAvailability() throws IOException {
        String cause = unavailabilityCause();
        if (cause != null) {
            throw new IOException("cannot open the " + transport + " transport: " + cause);
        }
    }

    /** Every check, in order, one line each; those after a failure read "not checked". */
    public List<String> lines() {
        List<String> lines = new ArrayList<>();
        for (Check c : checks) {
            lines.add(c.line());
        }
        for (int i = checks.size(); i < names.size(); i++) {
            lines.add("-        " + names.get(i) + ": " + NOT_CHECKED);
        }
        return lines;
    }
}
