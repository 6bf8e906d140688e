package dev.crossway.testsuite;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.crossway.testsuite.rig.Daemon;
import dev.crossway.testsuite.rig.Display;
import dev.crossway.testsuite.rig.Started;
import dev.crossway.testsuite.rig.StoppableClient;
import dev.crossway.testsuite.rig.Sway;
import dev.crossway.testsuite.rig.TransportRig;
import dev.crossway.testsuite.rig.Weston;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

/**
 * What every suite shares: the transport under test ({@link #rig()}, the one method a transport's test
 * class supplies), skipping with the reason where the rig or a compositor's tools are missing, and stopping
 * what a test started after it.
 */
public abstract class AbstractSuite {
    private final Started started = new Started();

    /** The transport every test of this suite runs on. */
    protected abstract TransportRig rig();

    @BeforeEach
    public void rigIsAvailable() {
        assumeRig();
    }

    /** Skips, naming the transport and the cause, when the rig cannot run here. */
    protected final void assumeRig() {
        String cause = rig().unavailabilityCause();
        assumeTrue(cause == null, () -> rig().name() + ": " + cause);
    }

    @AfterEach
    public void stopWhatTheTestStarted() throws Exception {
        started.close();
    }

    /** Closes {@code thing} after the test; returns it. */
    protected final <T extends AutoCloseable> T closeAfter(T thing) {
        return started.add(thing);
    }

    /** A headless weston for this test (skipped when weston's tools are missing). */
    protected final Weston weston(String name, Map<String, String> env) {
        List<String> missing = Weston.missingTools();
        assumeTrue(missing.isEmpty(), () -> "not installed: " + missing + " (scripts/test installs them)");
        return closeAfter(Weston.start(name, env));
    }

    protected final Weston weston(String name) {
        return weston(name, Map.of());
    }

    /** A headless sway for this test (skipped when its tools are missing or this is not root, which starting it as nobody needs). */
    protected final Sway sway() {
        assumeSway();
        return closeAfter(Sway.start());
    }

    static void assumeSway() {
        List<String> missing = Sway.missingTools();
        assumeTrue(missing.isEmpty(), () -> "not installed: " + missing + " (scripts/test installs them)");
        assumeTrue("root".equals(System.getProperty("user.name")), "sway must be started as uid 65534, which needs root");
    }

    /** {@code command} through {@code d} until stopped (and stopped after the test, if it has not been). */
    protected final StoppableClient stoppable(Display d, Duration timeout, String... command) {
        return closeAfter(StoppableClient.start(d, timeout, command));
    }

    /** Crossway on the rig's transport with {@code args}, in front of {@code compositor}, for this test. */
    protected final Daemon crossway(Path compositor, String... args) {
        Daemon d = closeAfter(rig().crossway(compositor, List.of(args)));
        System.out.println("started " + d);
        return d;
    }

    /**
     * A figure a test measured on its way (not asserted), with how it was taken: printed here; a transport's
     * test class may also keep it (the VM tier writes its figures to docs/BENCHMARKS.md).
     */
    protected void figure(String figure, String value, String method) {
        System.out.println("figure: " + figure + " = " + value + " (" + method + ")");
    }

    /** The {@code n} closed lines that follow the first {@code before}, once logged. */
    static List<String> closedAfter(Daemon d, int before, int n, Duration timeout) {
        List<String> all = d.awaitClosedClients(before + n, timeout);
        return all.subList(before, before + n);
    }
}
