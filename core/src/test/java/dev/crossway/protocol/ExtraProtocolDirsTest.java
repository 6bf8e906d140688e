package dev.crossway.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** User directories let a protocol be added or upgraded without rebuilding Crossway. */
class ExtraProtocolDirsTest {

    @Test
    void higherVersionInUserDirectoryWins(@TempDir Path dir) throws IOException {
        // Nested, to check that directories are searched recursively.
        write(dir.resolve("upgrades/shm/wl_shm.xml"), """
                <protocol name="my_wayland">
                  <interface name="wl_shm" version="99">
                    <request name="create_pool">
                      <arg name="id" type="new_id" interface="wl_shm_pool"/>
                      <arg name="fd" type="fd"/>
                      <arg name="size" type="int"/>
                    </request>
                    <request name="brand_new" since="99"/>
                  </interface>
                </protocol>
                """);
        Schema schema = SchemaLoader.load(List.of(dir));

        assertThat(schema.require("wl_shm").version()).isEqualTo(99);
        assertThat(schema.require("wl_shm").protocolName()).isEqualTo("my_wayland");
        assertThat(schema.require("wl_shm").message(true, "brand_new")).isNotNull();
        assertThat(schema.size()).isEqualTo(SchemaLoader.loadBundled().size());
    }

    @Test
    void lowerVersionInUserDirectoryDoesNotDowngrade(@TempDir Path dir) throws IOException {
        write(dir.resolve("old.xml"), """
                <protocol name="old"><interface name="wl_compositor" version="1"/></protocol>
                """);
        Schema schema = SchemaLoader.load(List.of(dir));

        assertThat(schema.require("wl_compositor").protocolName()).isEqualTo("wayland");
        assertThat(schema.require("wl_compositor").version()).isGreaterThan(1);
    }

    @Test
    void newProtocolInUserDirectoryIsAdded(@TempDir Path dir) throws IOException {
        write(dir.resolve("a/b/my-protocol-v1.xml"), """
                <protocol name="my_protocol_v1"><interface name="my_thing_v1" version="2"/></protocol>
                """);
        write(dir.resolve("README.txt"), "not XML, not loaded");
        Schema schema = SchemaLoader.load(List.of(dir));

        assertThat(schema.require("my_thing_v1").version()).isEqualTo(2);
        assertThat(schema.size()).isEqualTo(SchemaLoader.loadBundled().size() + 1);
    }

    @Test
    void nonexistentDirectoryIsNamedInTheError(@TempDir Path dir) {
        Path missing = dir.resolve("no-such-protocols");
        assertThatThrownBy(() -> SchemaLoader.load(List.of(missing)))
                .isInstanceOf(ProtocolException.class)
                .hasMessage("protocol directory '" + missing + "' does not exist");
    }

    @Test
    void brokenFileInUserDirectoryIsNamedByItsPath(@TempDir Path dir) throws IOException {
        Path bad = dir.resolve("bad.xml");
        write(bad, "<protocol name='p'>\n<interface name='x' version='1'>\n<request name='r'><arg name='a' type='flaot'/>"
                + "</request></interface></protocol>");
        assertThatThrownBy(() -> SchemaLoader.load(List.of(dir)))
                .isInstanceOf(ProtocolException.class)
                .hasMessageStartingWith(bad + ":3: interface x, request r, arg 'a': unknown type 'flaot'");
    }

    private static void write(Path file, String text) throws IOException {
        Files.createDirectories(file.getParent());
        Files.writeString(file, text);
    }
}
