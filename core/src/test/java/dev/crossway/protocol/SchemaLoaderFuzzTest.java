package dev.crossway.protocol;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.crossway.wire.Wire;
import java.io.ByteArrayInputStream;
import java.util.ArrayList;
import java.util.List;

/**
 * The schema loaders on hostile input: protocol XML (what {@code --protocol-dir} loads) and the built-in
 * table's text. Either yields interfaces that every later use can take, or a {@link ProtocolException};
 * nothing else.
 */
class SchemaLoaderFuzzTest {
    private static final javax.xml.stream.XMLInputFactory FACTORY = SchemaLoader.newFactory();

    @FuzzTest(maxDuration = "30s")
    void xmlLoadsOrIsRefused(byte[] xml) {
        List<Interface> parsed;
        try {
            parsed = SchemaLoader.parse(FACTORY, "fuzz.xml", new ByteArrayInputStream(xml));
        } catch (ProtocolException e) {
            return;
        }
        use(parsed);
    }

    @FuzzTest(maxDuration = "30s")
    void tableLoadsOrIsRefused(byte[] text) {
        List<Interface> read = new ArrayList<>();
        try {
            for (ProtocolTable.Entry e : ProtocolTable.parse("fuzz-table.txt", text).entries()) {
                read.add(e.get());
            }
        } catch (ProtocolException e) {
            return;
        }
        use(read);
    }

    /** Merged over the built-in table as {@code --protocol-dir} merges, then what the relay asks of each message: its layout. */
    private static void use(List<Interface> interfaces) {
        Schema schema;
        try {
            schema = SchemaLoader.withExtra("fuzz", interfaces);
        } catch (ProtocolException e) {
            return;
        }
        for (Interface i : interfaces) {
            Interface merged = schema.find(i.name());
            if (merged == null) {
                throw new AssertionError(i.name() + " was loaded but the schema does not find it");
            }
            for (MessageSpec m : merged.requests()) {
                layout(m);
            }
            for (MessageSpec m : merged.events()) {
                layout(m);
            }
        }
    }

    private static void layout(MessageSpec m) {
        m.fdCount();
        m.hasNewId();
        m.newIdOffset();
        m.idCount();
        if (m.hasFixedIdOffsets()) {
            for (int k = 0; k < m.idCount(); k++) {
                if (m.idOffset(k) < Wire.HEADER_SIZE) {
                    throw new AssertionError(m.qualifiedName() + ": id " + k + " at offset " + m.idOffset(k) + ", inside the header");
                }
            }
        }
        m.qualifiedName();
    }
}
