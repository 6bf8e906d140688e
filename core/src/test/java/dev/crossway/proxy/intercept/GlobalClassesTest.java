package dev.crossway.proxy.intercept;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.crossway.protocol.Interface;
import dev.crossway.protocol.ProtocolTable;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** The privilege classification is complete for the built-in table, and names nothing outside it. */
class GlobalClassesTest {
    private static final GlobalClasses CLASSES = GlobalClasses.builtIn();
    private static final List<Interface> TABLE = ProtocolTable.builtIn().interfaces();

    @Test
    void everyInterfaceOfTheBuiltInTableHasAClass() {
        List<String> unclassified = TABLE.stream().filter(i -> CLASSES.classOf(i) == null)
                .map(i -> i.name() + " (protocol " + i.protocolName() + ")").toList();
        assertThat(unclassified).as("interfaces without a class: add their protocol to " + GlobalClasses.RESOURCE).isEmpty();
    }

    @Test
    void everyLineNamesSomethingInTheTable() {
        Set<String> protocols = TABLE.stream().map(Interface::protocolName).collect(Collectors.toSet());
        Set<String> interfaces = TABLE.stream().map(Interface::name).collect(Collectors.toSet());
        assertThat(new TreeSet<>(CLASSES.protocols().keySet())).as("protocols classified but not in the table")
                .allMatch(protocols::contains);
        assertThat(new TreeSet<>(CLASSES.interfaces().keySet())).as("interfaces classified but not in the table")
                .allMatch(interfaces::contains);
    }

    @Test
    void theKindsTheIssueNamesArePrivileged() {
        assertThat(classOf("zwlr_screencopy_manager_v1")).isEqualTo(GlobalClass.SCREEN_CAPTURE);
        assertThat(classOf("zwlr_export_dmabuf_manager_v1")).isEqualTo(GlobalClass.SCREEN_CAPTURE);
        assertThat(classOf("weston_screenshooter")).isEqualTo(GlobalClass.SCREEN_CAPTURE);
        assertThat(classOf("ext_image_copy_capture_manager_v1")).isEqualTo(GlobalClass.SCREEN_CAPTURE);
        assertThat(classOf("zwp_virtual_keyboard_manager_v1")).isEqualTo(GlobalClass.INPUT_INJECTION);
        assertThat(classOf("zwlr_virtual_pointer_manager_v1")).isEqualTo(GlobalClass.INPUT_INJECTION);
        assertThat(classOf("zwp_input_method_manager_v2")).isEqualTo(GlobalClass.INPUT_INJECTION);
        assertThat(classOf("zwlr_data_control_manager_v1")).isEqualTo(GlobalClass.CLIPBOARD);
        assertThat(classOf("ext_data_control_manager_v1")).isEqualTo(GlobalClass.CLIPBOARD);
        for (String desktop : List.of("zwlr_layer_shell_v1", "zwlr_output_manager_v1", "zwlr_output_power_manager_v1",
                "zwlr_gamma_control_manager_v1", "zwlr_foreign_toplevel_manager_v1", "ext_session_lock_manager_v1",
                "zwlr_input_inhibit_manager_v1", "weston_desktop_shell")) {
            assertThat(classOf(desktop)).as(desktop).isEqualTo(GlobalClass.DESKTOP_CONTROL);
        }
        assertThat(classOf("weston_debug_v1")).isEqualTo(GlobalClass.COMPOSITOR_DEBUG);
        assertThat(classOf("wp_security_context_manager_v1")).isEqualTo(GlobalClass.SECURITY_CONTEXT);
        for (String ordinary : List.of("wl_compositor", "xdg_wm_base", "org_kde_kwin_server_decoration_manager",
                "zwp_primary_selection_device_manager_v1", "gtk_primary_selection_device_manager", "wl_data_device_manager")) {
            assertThat(classOf(ordinary)).as(ordinary).isEqualTo(GlobalClass.ORDINARY);
        }
    }

    @Test
    void xmlFromElsewhereKeepsTheBuiltInProtocolsClass() {
        Interface renamedProtocol = new Interface("weston_debug_v1", 1, "someone_elses_protocol");
        renamedProtocol.freeze(java.util.Map.of());
        assertThat(CLASSES.classOf(renamedProtocol)).isEqualTo(GlobalClass.COMPOSITOR_DEBUG);
        Interface unknown = new Interface("my_thing_v1", 1, "my_protocol");
        unknown.freeze(java.util.Map.of());
        assertThat(CLASSES.classOf(unknown)).isNull();
    }

    @Test
    void interfaceLineOverridesItsProtocol() {
        GlobalClasses c = GlobalClasses.parse("t", "protocol wlr_screencopy_unstable_v1 screen-capture\n"
                + "interface zwlr_screencopy_frame_v1 ordinary\n", ProtocolTable.builtIn());
        assertThat(c.classOf(find("zwlr_screencopy_manager_v1"))).isEqualTo(GlobalClass.SCREEN_CAPTURE);
        assertThat(c.classOf(find("zwlr_screencopy_frame_v1"))).isEqualTo(GlobalClass.ORDINARY);
    }

    @Test
    void unknownClassNamesTheLine() {
        assertThatThrownBy(() -> GlobalClasses.parse("t", "# c\nprotocol wayland sceen-capture\n", ProtocolTable.builtIn()))
                .hasMessageStartingWith("t:2: expected 'protocol|interface NAME CLASS' with CLASS one of ordinary, screen-capture,");
    }

    private static GlobalClass classOf(String name) {
        return CLASSES.classOf(find(name));
    }

    private static Interface find(String name) {
        return TABLE.stream().filter(i -> i.name().equals(name)).findFirst().orElseThrow(() -> new AssertionError(name + " not in the table"));
    }
}
