package dev.crossway.app;

import static org.assertj.core.api.Assertions.assertThat;

import dev.crossway.spi.Transport;
import dev.crossway.spi.TransportOption;
import dev.crossway.spi.TransportOptions;
import dev.crossway.spi.TransportProvider;
import dev.crossway.spi.TransportProviders;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class MainTest {
    /** What the fake transport was asked with, by doctor. */
    private final AtomicReference<String> deviceSeen = new AtomicReference<>();

    private final TransportProvider fake = new TransportProvider() {
        @Override
        public String name() {
            return "fakevm";
        }

        @Override
        public String description() {
            return "a transport for tests";
        }

        @Override
        public int priority() {
            return 150;
        }

        @Override
        public List<TransportOption> options() {
            return List.of(new TransportOption("device", "--fake-device", "PATH", "fakevm: the device node."));
        }

        @Override
        public String unavailabilityCause(TransportOptions options) {
            deviceSeen.set(options.get("device"));
            return options.get("device") == null ? "no device given" : null;
        }

        @Override
        public Transport open(TransportOptions options) {
            throw new UnsupportedOperationException();
        }
    };

    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    private int run(String... args) {
        CommandLine cli = Main.newCommandLine(TransportProviders.of(List.of(fake), List.of()));
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        return cli.execute(args);
    }

    @Test
    void aBadFlagGetsTheErrorASuggestionAndOneUsageLineNotTheWholeHelp() {
        assertThat(run("--trcae", "all")).isEqualTo(2);
        String text = err.toString();
        assertThat(text).startsWith("crossway: Unknown option: '--trcae'");
        assertThat(text).contains("--trace");
        assertThat(text).contains("Usage: crossway [OPTIONS] [doctor|globals] [-- COMMAND [ARG...]]");
        assertThat(text).contains("Try 'crossway --help' for more information.");
        assertThat(text).doesNotContain("--app-id-tag").hasLineCount(4);
        assertThat(out.toString()).isEmpty();
    }

    @Test
    void aBadFlagOfTheDoctorNamesTheDoctor() {
        assertThat(run("doctor", "--frobnicate")).isEqualTo(2);
        assertThat(err.toString()).contains("Usage: crossway doctor [OPTIONS]").contains("Try 'crossway doctor --help'");
    }

    @Test
    void aBadValueNamesTheFlagTheUserTyped() {
        assertThat(run("--trace", "loud", "doctor")).isEqualTo(2);
        assertThat(err.toString()).isEqualTo("crossway: --trace cannot be 'loud'; allowed: none, client, host, all\n");
    }

    @Test
    void helpListsEachTransportsFlags() {
        assertThat(run("--help")).isZero();
        assertThat(out.toString()).contains("--fake-device=PATH").contains("fakevm: the device node.").contains("127");
    }

    @Test
    void aTransportFlagReachesTheTransportAlsoAfterTheSubcommand() {
        assertThat(run("doctor")).as(out.toString()).isEqualTo(1);
        assertThat(out.toString()).contains("fakevm (priority 150): unavailable").contains("no transport can run here");
        assertThat(run("doctor", "--fake-device", "/dev/fake0")).as(out + "" + err).isZero();
        assertThat(deviceSeen.get()).isEqualTo("/dev/fake0");
        assertThat(out.toString()).contains("transport auto (the default) chooses fakevm");
    }

    @Test
    void versionComesFromTheBuildAndListsTheTransports() {
        String[] lines = new Version().getVersion();
        assertThat(lines[0]).startsWith("crossway ");
        assertThat(lines[1]).startsWith("transports: ");
        assertThat(lines[2]).startsWith("java: ");
    }
}
