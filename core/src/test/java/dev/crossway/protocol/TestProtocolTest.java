package dev.crossway.protocol;

import static java.util.Map.entry;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Parses the hand-written test-protocol.xml; the golden dump pins every detail of the model. */
class TestProtocolTest {
    private static final String GOLDEN = "test-protocol.txt";

    private static List<Interface> parsed;

    @BeforeAll
    static void parse() throws IOException {
        try (InputStream in = TestProtocolTest.class.getResourceAsStream("/test-protocol.xml")) {
            assertThat(in).as("test-protocol.xml on the test class path").isNotNull();
            parsed = SchemaLoader.parse("test-protocol.xml", in);
        }
    }

    @Test
    void dumpMatchesGoldenFile() throws IOException {
        String actual = SchemaDump.dump(parsed);
        Path golden = Path.of(System.getProperty("crossway.goldenDir", "src/test/resources/golden")).resolve(GOLDEN);
        if (Boolean.getBoolean("crossway.updateGolden")) {
            Files.createDirectories(golden.getParent());
            Files.writeString(golden, actual, StandardCharsets.UTF_8);
            System.out.println("updated golden file " + golden);
            return;
        }
        if (!Files.exists(golden)) {
            fail("golden file " + golden + " is missing; generate it with -Dcrossway.updateGolden=true");
        }
        assertThat(actual)
                .as("dump of test-protocol.xml vs %s (regenerate with -Dcrossway.updateGolden=true)", golden)
                .isEqualTo(Files.readString(golden, StandardCharsets.UTF_8));
    }

    @Test
    void everyArgTypeIsUsed() {
        MessageSpec all = find("ct_thing").message(true, "set_everything");
        assertThat(all.args()).extracting(Arg::type).containsExactlyInAnyOrder(ArgType.values());
        assertThat(all.signature()).isEqualTo("iufsoahn");
        assertThat(all.fdCount()).isEqualTo(1);
        assertThat(all.hasNewId()).isTrue();
    }

    @Test
    void allowNullMarksTheSignature() {
        MessageSpec m = find("ct_thing").message(true, "set_nullable");
        assertThat(m.signature()).isEqualTo("?s?oo?a");
        assertThat(m.args()).extracting(Arg::nullable).containsExactly(true, true, false, true);
    }

    @Test
    void newIdWithoutInterfaceIsUntyped() {
        Interface factory = find("ct_factory");
        assertThat(factory.message(true, "bind_any").args().get(1).isUntypedNewId()).isTrue();
        assertThat(factory.message(true, "create_thing").args().get(0).isUntypedNewId()).isFalse();
    }

    @Test
    void sinceDefaultsToOne() {
        Interface thing = find("ct_thing");
        assertThat(thing.request(0).since()).isEqualTo(1);
        assertThat(thing.request(2).since()).isEqualTo(4);
    }

    @Test
    void destructorIsReadOnRequestsAndEvents() {
        assertThat(find("ct_factory").message(true, "destroy").isDestructor()).isTrue();
        assertThat(find("ct_thing").message(false, "gone").isDestructor()).isTrue();
        assertThat(find("ct_thing").message(false, "flags").isDestructor()).isFalse();
    }

    @Test
    void enumsKeepEntriesInOrderAndReadHex() {
        EnumSpec caps = find("ct_thing").enums().get("capability");
        assertThat(caps.bitfield()).isTrue();
        assertThat(caps.entries()).containsExactly(
                entry("none", 0L), entry("read", 1L),
                entry("write", 2L), entry("high", 0x8000_0000L));
        assertThat(find("ct_factory").enums().get("mode").bitfield()).isFalse();
        assertThat(find("ct_thing").message(true, "set_flags").args().get(1).enumName()).isEqualTo("ct_factory.mode");
    }

    private static Interface find(String name) {
        return parsed.stream().filter(i -> i.name().equals(name)).findFirst().orElseThrow();
    }
}
