package dev.crossway.app.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.crossway.app.config.ConfigLoader.Flag;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import dev.crossway.proxy.HostCheck;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigLoaderTest {
    @TempDir
    Path home;

    final List<String> warnings = new ArrayList<>();
    final Map<String, Set<String>> transports = Map.of("virtgpu", Set.of("device", "identifiers"), "loopback", Set.of("memory"));

    Map<String, String> env(String... kv) {
        Map<String, String> m = new HashMap<>();
        m.put("XDG_CONFIG_HOME", home.toString());
        for (int i = 0; i < kv.length; i += 2) {
            m.put(kv[i], kv[i + 1]);
        }
        return m;
    }

    Settings load(Map<String, Flag> flags, Path file, Map<String, String> env) {
        return ConfigLoader.load(flags, file, env, transports, warnings::add);
    }

    Path userFile(String text) throws Exception {
        Path file = home.resolve("crossway/crossway.conf");
        Files.createDirectories(file.getParent());
        return Files.writeString(file, text);
    }

    @Test
    void defaultsComeFromReferenceConf() {
        Settings s = load(Map.of(), null, env());
        assertThat(s.transport()).isEqualTo("auto");
        assertThat(s.socket()).isEqualTo("auto");
        assertThat(s.hostDisplay()).isEmpty();
        assertThat(s.memory()).isEqualTo("shared");
        assertThat(s.trace()).isEqualTo(Settings.Trace.NONE);
        assertThat(s.deny()).isEmpty();
        assertThat(s.grant()).as("nothing privileged by default").isEmpty();
        assertThat(warnings).isEmpty();
    }

    @Test
    void grantsComeFromFlagsOrTheEnvironment() {
        assertThat(load(Map.of("globals.grant", new Flag("--grant", List.of("clipboard"))), null, env()).grant()).containsExactly("clipboard");
        assertThat(load(Map.of(), null, env("CROSSWAY_GLOBALS__GRANT", "screen-capture,weston_debug_v1")).grant())
                .containsExactly("screen-capture", "weston_debug_v1");
    }

    @Test
    void flagsBeatEnvironmentWhichBeatsTheUserFile() throws Exception {
        userFile("crossway { socket = from-file, tag = \"[file] \", host-display = file-host }");
        Settings s = load(Map.of("socket", new Flag("--socket", "from-flag")), null,
                env("CROSSWAY_SOCKET", "from-env", "CROSSWAY_TAG", "[env] "));
        assertThat(s.socket()).isEqualTo("from-flag");
        assertThat(s.tag()).isEqualTo("[env] ");
        assertThat(s.hostDisplay()).isEqualTo("file-host");
        assertThat(s.source("socket")).isEqualTo("--socket");
        assertThat(s.source("host-display")).isEqualTo("crossway.host-display (" + home.resolve("crossway/crossway.conf") + ":1)");
    }

    @Test
    void environmentVariablesMapToKeysAndListsSplitOnCommas() {
        Settings s = load(Map.of(), null, env("CROSSWAY_HOST_DISPLAY", "wayland-9", "CROSSWAY_GLOBALS__DENY", "wp_presentation, wl_output",
                "CROSSWAY_TRANSPORTS__VIRTGPU__DEVICE", "/dev/dri/renderD129"));
        assertThat(s.hostDisplay()).isEqualTo("wayland-9");
        assertThat(s.deny()).containsExactly("wp_presentation", "wl_output");
        assertThat(s.transportOptions()).containsEntry("virtgpu", Map.of("device", "/dev/dri/renderD129"));
        assertThat(s.source("host-display")).isEqualTo("CROSSWAY_HOST_DISPLAY");
        assertThat(warnings).isEmpty();
    }

    @Test
    void limitsHaveDefaultsTakeUnitsAndComeFromFlagsAndEnvironment() {
        Settings s = load(Map.of(), null, env());
        assertThat(s.limits()).isEqualTo(new Settings.Limits(256L << 20, 1L << 30, 256, 512, 65536));
        assertThat(s.hostCheck()).isEqualTo(HostCheck.defaults());
        s = load(Map.of("limits.host-memory-per-client", new Flag("--host-memory-per-client", "64M"),
                "limits.pools-per-client", new Flag("--pools-per-client", "8"), "limits.fds-per-client", new Flag("--fds-per-client", "64"),
                "limits.objects-per-client", new Flag("--objects-per-client", "1000")), null,
                env("CROSSWAY_LIMITS__HOST_MEMORY", "2G", "CROSSWAY_HOST_CHECK__TIMEOUT", "30s"));
        assertThat(s.limits()).isEqualTo(new Settings.Limits(64L << 20, 2L << 30, 8, 64, 1000));
        assertThat(s.hostCheck().timeout()).isEqualTo(java.time.Duration.ofSeconds(30));
    }

    @Test
    void anObjectLimitOutsideTheIdSpaceAndABadHostCheckAreRefused() {
        assertThatThrownBy(() -> load(Map.of("limits.objects-per-client", new Flag("--objects-per-client", "2000000")), null, env()))
                .hasMessage("--objects-per-client must be 2 to 1048575, not 2000000");
        assertThatThrownBy(() -> load(Map.of(), null, env("CROSSWAY_HOST_CHECK__IDLE", "0s")))
                .hasMessageStartingWith("crossway.host-check: durations like 800ms or 10s, and with a timeout also a connect-timeout and"
                        + " an idle time above 0");
    }

    @Test
    void aLimitThatIsNotAPositiveSizeIsRefusedByWhatTheUserTyped() {
        assertThatThrownBy(() -> load(Map.of("limits.host-memory", new Flag("--host-memory", "lots")), null, env()))
                .hasMessage("--host-memory must be a number, with a unit for sizes (e.g. 256M or 1G), not 'lots'");
        assertThatThrownBy(() -> load(Map.of(), null, env("CROSSWAY_LIMITS__POOLS_PER_CLIENT", "0")))
                .hasMessage("CROSSWAY_LIMITS__POOLS_PER_CLIENT must be at least 1, not 0");
    }

    @Test
    void anExplicitConfigFileMustExistAndBeAFile() throws Exception {
        assertThatThrownBy(() -> load(Map.of(), home.resolve("nope.conf"), env()))
                .hasMessageContaining("nope.conf does not exist");
        Path dir = Files.createDirectory(home.resolve("confdir"));
        assertThatThrownBy(() -> load(Map.of(), dir, env()))
                .hasMessage("--config " + dir + " is a directory; give the file, e.g. --config " + dir.resolve("crossway.conf"));
    }

    @Test
    void badValuesNameWhatTheUserTyped() throws Exception {
        assertThatThrownBy(() -> load(Map.of("trace", new Flag("--trace", "loud")), null, env()))
                .hasMessage("--trace cannot be 'loud'; allowed: none, client, host, all");
        assertThatThrownBy(() -> load(Map.of("memory", new Flag("--memory", "both")), null, env()))
                .hasMessage("--memory must be 'shared' or 'separate', not 'both'");
        assertThatThrownBy(() -> load(Map.of(), null, env("CROSSWAY_TRACE", "loud")))
                .hasMessageStartingWith("CROSSWAY_TRACE cannot be 'loud'");
        Path file = userFile("crossway {\n  log-level = chatty\n}\n");
        assertThatThrownBy(() -> load(Map.of(), null, env()))
                .hasMessageStartingWith("crossway.log-level (" + file + ":2) must be error, warn, info, debug or trace, not 'chatty'");
    }

    @Test
    void versionCapsAndTransportSectionsAreRead() throws Exception {
        Path file = home.resolve("x.conf");
        Files.writeString(file, "crossway { globals.max-versions { wl_compositor = 4 }, transports.loopback { memory = separate } }");
        Settings s = load(Map.of("globals.allow", new Flag("--allow", List.of("wl_compositor"))), file, env());
        assertThat(s.maxVersions()).containsEntry("wl_compositor", 4);
        assertThat(s.transportOptions()).containsEntry("loopback", Map.of("memory", "separate"));
        assertThat(s.allow()).containsExactly("wl_compositor");
        assertThat(warnings).as("max-versions is an open map, loopback declares memory").isEmpty();
    }

    @Test
    void aSyntaxErrorInAFileNamesTheFile() throws Exception {
        Path file = home.resolve("bad.conf");
        Files.writeString(file, "crossway { socket = ");
        assertThatThrownBy(() -> load(Map.of(), file, env())).hasMessageContaining("bad.conf");
    }

    @Test
    void anUnknownKeyIsAWarningWithTheNearestKnownOne() throws Exception {
        Path file = userFile("crossway {\n  memry = separate\n}\n");
        Settings s = load(Map.of(), null, env());
        assertThat(s.memory()).as("the misspelt key changes nothing").isEqualTo("shared");
        assertThat(warnings).containsExactly(file + ":2: crossway.memry: unknown setting (ignored); did you mean crossway.memory?");
    }

    @Test
    void anUnknownVariableIsAWarningWithTheNearestKnownVariable() {
        load(Map.of(), null, env("CROSSWAY_MEMRY", "separate", "CROSSWAY_HOST_DISPLY", "wayland-0", "CROSSWAY_ZZZZZZZZZZ", "1"));
        assertThat(warnings).containsExactlyInAnyOrder(
                "CROSSWAY_MEMRY: unknown setting (ignored); did you mean CROSSWAY_MEMORY?",
                "CROSSWAY_HOST_DISPLY: unknown setting (ignored); did you mean CROSSWAY_HOST_DISPLAY?",
                "CROSSWAY_ZZZZZZZZZZ: unknown setting (ignored)");
    }

    @Test
    void theLaunchersOwnVariableIsNotASetting() {
        load(Map.of(), null, env("CROSSWAY_JAVA_HOME", "/usr/lib/jvm/temurin-25-jdk-amd64", "CROSSWAY_MEMORY", "separate"));
        assertThat(warnings).isEmpty();
    }

    @Test
    void transportSectionsAreCheckedAgainstWhatEachTransportDeclares() throws Exception {
        userFile("crossway.transports { virtgpu { devce = /dev/dri/card0 }, virtwll { device = /dev/wl0 } }");
        load(Map.of(), null, env());
        assertThat(warnings).hasSize(2);
        assertThat(warnings.get(0)).contains("crossway.transports.virtgpu.devce: unknown setting (ignored); did you mean"
                + " crossway.transports.virtgpu.device?");
        assertThat(warnings.get(1)).contains("crossway.transports.virtwll.device: there is no transport named 'virtwll'");
    }

    @Test
    void aKeyOutsideTheCrosswayObjectIsAWarning() throws Exception {
        Path file = userFile("memory = separate\n");
        load(Map.of(), null, env());
        assertThat(warnings).containsExactly(file + ":1: memory is not a Crossway setting (ignored); did you mean crossway.memory"
                + " (inside crossway { })?");
    }

    @Test
    void waylandDebugTracesWhenNothingElseSaysSo() throws Exception {
        assertThat(load(Map.of(), null, env("WAYLAND_DEBUG", "1")).trace()).isEqualTo(Settings.Trace.ALL);
        assertThat(load(Map.of(), null, env("WAYLAND_DEBUG", "server")).trace()).isEqualTo(Settings.Trace.HOST);
        assertThat(load(Map.of(), null, env("WAYLAND_DEBUG", "1", "CROSSWAY_TRACE", "client")).trace()).isEqualTo(Settings.Trace.CLIENT);
        assertThat(load(Map.of("trace", new Flag("--trace", "none")), null, env("WAYLAND_DEBUG", "1")).trace())
                .isEqualTo(Settings.Trace.NONE);
        userFile("crossway.trace = host");
        assertThat(load(Map.of(), null, env("WAYLAND_DEBUG", "1")).trace()).as("the file beats WAYLAND_DEBUG").isEqualTo(Settings.Trace.HOST);
        assertThat(warnings).isEmpty();
        load(Map.of(), null, env("WAYLAND_DEBUG", "verbose"));
        assertThat(warnings).containsExactly("WAYLAND_DEBUG='verbose' is not one of 1, all, client, server: not used for --trace");
    }

    @Test
    void nearestKeyIgnoresWhatIsTooFarToBeASlip() {
        KeyCheck check = new KeyCheck(com.typesafe.config.ConfigFactory.parseString("memory = shared, socket = auto, log-level = info"),
                Map.of(), w -> { });
        assertThat(check.nearest("memroy")).isEqualTo("memory");
        assertThat(check.nearest("sockt")).isEqualTo("socket");
        assertThat(check.nearest("colour")).isNull();
        assertThat(KeyCheck.distance("memry", "memory")).isEqualTo(1);
    }
}
