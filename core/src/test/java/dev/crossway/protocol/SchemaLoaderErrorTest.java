package dev.crossway.protocol;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Each error names the file and line, the element path and the attribute, so a user can fix the XML. */
class SchemaLoaderErrorTest {

    static Stream<Arguments> brokenFiles() {
        return Stream.of(
                broken("malformed XML",
                        "<protocol name='p'>\n<interface name='a' version='1'>\n</protocol>",
                        "broken.xml:3:", "malformed XML"),
                broken("unknown arg type",
                        iface("wl_surface", "<request name='attach'><arg name='x' type='flaot'/></request>"),
                        "broken.xml:", "interface wl_surface, request attach, arg 'x': unknown type 'flaot'", "'type'"),
                broken("missing interface name",
                        "<protocol name='p'><interface version='1'/></protocol>",
                        "broken.xml:1: interface #0: missing attribute 'name'"),
                broken("missing request name",
                        iface("wl_surface", "<request name='a'/><request since='1'/>"),
                        "broken.xml:", "interface wl_surface, request #1: missing attribute 'name'"),
                broken("missing arg name",
                        iface("wl_surface", "<event name='enter'><arg type='object'/></event>"),
                        "interface wl_surface, event enter, arg #0: missing attribute 'name'"),
                broken("missing arg type",
                        iface("wl_surface", "<event name='enter'><arg name='output'/></event>"),
                        "interface wl_surface, event enter, arg 'output': missing attribute 'type'"),
                broken("non-numeric version",
                        "<protocol name='p'><interface name='wl_seat' version='seven'/></protocol>",
                        "broken.xml:1: interface wl_seat: attribute 'version' is not a positive integer: 'seven'"),
                broken("missing version",
                        "<protocol name='p'><interface name='wl_seat'/></protocol>",
                        "interface wl_seat: missing attribute 'version'"),
                broken("non-numeric since",
                        iface("wl_seat", "<request name='release' since='x'/>"),
                        "interface wl_seat, request release: attribute 'since' is not a positive integer: 'x'"),
                broken("since above interface version",
                        iface("wl_seat", "<request name='release' since='5'/>"),
                        "interface wl_seat, request release: attribute 'since' is 5, above the interface version 1"),
                broken("unknown message type",
                        iface("wl_seat", "<request name='release' type='destroctor'/>"),
                        "interface wl_seat, request release: attribute 'type' has unknown value 'destroctor'"),
                broken("bad enum value",
                        iface("wl_seat", "<enum name='capability'><entry name='pointer' value='0xZZ'/></enum>"),
                        "interface wl_seat, enum capability, entry 'pointer': attribute 'value' is not a decimal or 0x-hex number: '0xZZ'"),
                broken("enum value too large",
                        iface("wl_seat", "<enum name='capability'><entry name='big' value='0x100000000'/></enum>"),
                        "interface wl_seat, enum capability, entry 'big': attribute 'value' does not fit in 32 bits"),
                broken("bad bitfield flag",
                        iface("wl_seat", "<enum name='capability' bitfield='yes'/>"),
                        "interface wl_seat, enum capability: attribute 'bitfield' must be 'true' or 'false', not 'yes'"),
                broken("allow-null on int",
                        iface("wl_seat", "<request name='r'><arg name='n' type='int' allow-null='true'/></request>"),
                        "interface wl_seat, request r, arg 'n': attribute 'allow-null' is only allowed on"),
                broken("interface on uint",
                        iface("wl_seat", "<request name='r'><arg name='n' type='uint' interface='wl_seat'/></request>"),
                        "interface wl_seat, request r, arg 'n': attribute 'interface' is only allowed on object and new_id"),
                broken("enum on string",
                        iface("wl_seat", "<request name='r'><arg name='n' type='string' enum='e'/></request>"),
                        "interface wl_seat, request r, arg 'n': attribute 'enum' is only allowed on int and uint"),
                broken("wrong root element",
                        "<interface name='a' version='1'/>",
                        "broken.xml:1: root element must be <protocol>, found <interface>"),
                broken("external entity is not resolved",
                        "<?xml version='1.0'?>\n<!DOCTYPE protocol [<!ENTITY xxe SYSTEM 'file:///etc/passwd'>]>\n"
                                + "<protocol name='&xxe;'/>",
                        "broken.xml:", "malformed XML", "xxe"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("brokenFiles")
    void errorNamesFileElementAndAttribute(String caseName, String xml, List<String> expected) {
        assertThatThrownBy(() -> SchemaLoader.parse("broken.xml",
                new ByteArrayInputStream(xml.getBytes(StandardCharsets.UTF_8))))
                .isInstanceOf(ProtocolException.class)
                .hasMessageStartingWith("broken.xml:")
                .hasMessageContainingAll(expected.toArray(String[]::new))
                .extracting(e -> ((ProtocolException) e).source()).isEqualTo("broken.xml");
    }

    private static Arguments broken(String caseName, String xml, String... expected) {
        return Arguments.of(caseName, xml, List.of(expected));
    }

    private static String iface(String name, String body) {
        return "<?xml version='1.0' encoding='UTF-8'?>\n<protocol name='p'>\n  <interface name='" + name
                + "' version='1'>\n    " + body + "\n  </interface>\n</protocol>\n";
    }
}
