package dev.crossway.app.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigLoaderTest {
    @TempDir
    Path home;

    Map<String, String> env(String... kv) {
        java.util.Map<String, String> m = new java.util.HashMap<>();
        m.put("XDG_CONFIG_HOME", home.toString());
        for (int i = 0; i < kv.length; i += 2) {
            m.put(kv[i], kv[i + 1]);
        }
        return m;
    }

    @Test
    void defaultsComeFromReferenceConf() {
        Settings s = ConfigLoader.load(Map.of(), null, env());
        assertThat(s.transport()).isEqualTo("loopback");
        assertThat(s.socket()).isEqualTo("wayland-1");
        assertThat(s.hostDisplay()).isEmpty();
        assertThat(s.memory()).isEqualTo("shared");
        assertThat(s.trace()).isEqualTo(Settings.Trace.NONE);
        assertThat(s.deny()).isEmpty();
    }

    @Test
    void flagsBeatEnvironmentWhichBeatsTheUserFile() throws Exception {
        Path file = home.resolve("crossway/crossway.conf");
        Files.createDirectories(file.getParent());
        Files.writeString(file, "crossway { socket = from-file, tag = \"[file] \", host-display = file-host }");
        Settings s = ConfigLoader.load(Map.of("socket", "from-flag"), null,
                env("CROSSWAY_SOCKET", "from-env", "CROSSWAY_TAG", "[env] "));
        assertThat(s.socket()).isEqualTo("from-flag");
        assertThat(s.tag()).isEqualTo("[env] ");
        assertThat(s.hostDisplay()).isEqualTo("file-host");
    }

    @Test
    void environmentVariablesMapToKeysAndListsSplitOnCommas() {
        Settings s = ConfigLoader.load(Map.of(), null,
                env("CROSSWAY_HOST_DISPLAY", "wayland-9", "CROSSWAY_GLOBALS__DENY", "wp_presentation, wl_output"));
        assertThat(s.hostDisplay()).isEqualTo("wayland-9");
        assertThat(s.deny()).containsExactly("wp_presentation", "wl_output");
    }

    @Test
    void limitsHaveDefaultsTakeUnitsAndComeFromFlagsAndEnvironment() {
        Settings s = ConfigLoader.load(Map.of(), null, env());
        assertThat(s.limits()).isEqualTo(new Settings.Limits(256L << 20, 1L << 30, 256));
        s = ConfigLoader.load(Map.of("limits.host-memory-per-client", "64M", "limits.pools-per-client", "8"), null,
                env("CROSSWAY_LIMITS__HOST_MEMORY", "2G"));
        assertThat(s.limits()).isEqualTo(new Settings.Limits(64L << 20, 2L << 30, 8));
    }

    @Test
    void aLimitThatIsNotAPositiveSizeIsRefusedByName() {
        assertThatThrownBy(() -> ConfigLoader.load(Map.of("limits.host-memory", "lots"), null, env()))
                .hasMessage("crossway.limits.host-memory must be a number, with a unit for sizes (e.g. 256M or 1G), not 'lots'");
        assertThatThrownBy(() -> ConfigLoader.load(Map.of("limits.pools-per-client", "0"), null, env()))
                .hasMessage("crossway.limits.pools-per-client must be at least 1, not 0");
    }

    @Test
    void anExplicitConfigFileMustExist() {
        assertThatThrownBy(() -> ConfigLoader.load(Map.of(), home.resolve("nope.conf"), env()))
                .hasMessageContaining("nope.conf does not exist");
    }

    @Test
    void badValuesNameTheKeyAndTheAllowedValues() {
        assertThatThrownBy(() -> ConfigLoader.load(Map.of("trace", "loud"), null, env()))
                .hasMessage("crossway.trace cannot be 'loud'; allowed: none, client, host, all");
        assertThatThrownBy(() -> ConfigLoader.load(Map.of("memory", "both"), null, env()))
                .hasMessage("crossway.memory must be 'shared' or 'separate', not 'both'");
    }

    @Test
    void versionCapsAndTransportSectionsAreRead() throws Exception {
        Path file = home.resolve("x.conf");
        Files.writeString(file, "crossway { globals.max-versions { wl_compositor = 4 }, transports.loopback { foo = bar } }");
        Settings s = ConfigLoader.load(Map.of("globals.allow", List.of("wl_compositor")), file, env());
        assertThat(s.maxVersions()).containsEntry("wl_compositor", 4);
        assertThat(s.transportOptions()).containsEntry("loopback", Map.of("foo", "bar"));
        assertThat(s.allow()).containsExactly("wl_compositor");
    }

    @Test
    void aSyntaxErrorInAFileNamesTheFile() throws Exception {
        Path file = home.resolve("bad.conf");
        Files.writeString(file, "crossway { socket = ");
        assertThatThrownBy(() -> ConfigLoader.load(Map.of(), file, env())).hasMessageContaining("bad.conf");
    }
}
