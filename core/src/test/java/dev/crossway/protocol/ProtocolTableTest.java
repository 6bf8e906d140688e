package dev.crossway.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The compact table holds exactly what the XML says, and a broken table names its line. */
class ProtocolTableTest {

    @Test
    void tableOfTheTestProtocolReadsBackAsItsXml() throws IOException {
        List<Interface> xml;
        try (InputStream in = getClass().getResourceAsStream("/test-protocol.xml")) {
            xml = SchemaLoader.parse("test-protocol.xml", in);
        }
        StringBuilder table = new StringBuilder("# a comment\nprotocol crossway_test test-set\n");
        xml.forEach(i -> ProtocolTableGenerator.write(table, i));

        ProtocolTable read = ProtocolTable.parse("test.txt", table.toString().getBytes(StandardCharsets.ISO_8859_1));

        assertThat(SchemaDump.dump(read.interfaces())).isEqualTo(SchemaDump.dump(xml));
        assertThat(read.comments()).containsExactly("a comment");
    }

    @Test
    void builtInTableNamesItsSourcesAndSettlesEveryConflictByVersion() {
        ProtocolTable table = ProtocolTable.builtIn();
        assertThat(table.comments()).anyMatch(c -> c.startsWith("set wayland-protocols: wayland-protocols 1.44"));
        assertThat(table.comments()).filteredOn(c -> c.startsWith("conflict "))
                .isNotEmpty()
                .allMatch(c -> c.contains("(higher version)") || c.contains("same version and wire format"));
        assertThat(table.interfaces()).as("every interface reads").extracting(Interface::name).doesNotHaveDuplicates();
    }

    @Test
    void unknownArgumentTypeNamesTheLine() {
        byte[] bad = "protocol p s\ninterface x 1\nrequest r 1 flaot:a\n".getBytes(StandardCharsets.ISO_8859_1);
        ProtocolTable table = ProtocolTable.parse("t.txt", bad);
        assertThat(table.entries()).extracting(ProtocolTable.Entry::name).containsExactly("x");
        assertThatThrownBy(() -> table.entries().get(0).get())
                .isInstanceOf(ProtocolException.class)
                .hasMessage("t.txt:3: argument 'flaot:a' has unknown type 'flaot'");
    }

    @Test
    void interfaceIsReadOnceOnFirstUse() {
        ProtocolTable.Entry e = ProtocolTable.builtIn().entries().get(0);
        assertThat(e.get()).isSameAs(e.get());
        assertThat(e.get().name()).isEqualTo(e.name());
    }

    @Test
    void interfaceOutsideAProtocolNamesTheLine() {
        byte[] bad = "interface x 1\n".getBytes(StandardCharsets.ISO_8859_1);
        assertThatThrownBy(() -> ProtocolTable.parse("t.txt", bad))
                .isInstanceOf(ProtocolException.class)
                .hasMessage("t.txt:1: interface before any protocol line");
    }
}
