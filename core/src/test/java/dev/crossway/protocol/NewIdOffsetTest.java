package dev.crossway.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The relay tracks object creation from raw bytes when the new_id sits at a fixed offset. */
class NewIdOffsetTest {
    static Schema schema;

    @BeforeAll
    static void load() {
        schema = SchemaLoader.loadBundled();
    }

    static int offset(String iface, boolean request, String message) {
        return schema.require(iface).message(request, message).newIdOffset();
    }

    @Test
    void aLeadingTypedNewIdIsRightAfterTheHeader() {
        assertThat(offset("wl_surface", true, "frame")).isEqualTo(8);
        assertThat(offset("wl_display", true, "sync")).isEqualTo(8);
        assertThat(offset("wl_shm", true, "create_pool")).as("fds take no bytes").isEqualTo(8);
        assertThat(offset("wl_data_device", false, "data_offer")).isEqualTo(8);
    }

    @Test
    void aNewIdAfterFixedSizeArgumentsHasAFixedOffset() {
        assertThat(offset("wl_subcompositor", true, "get_subsurface")).isEqualTo(8);
        assertThat(offset("zwp_linux_buffer_params_v1", true, "create_immed")).isEqualTo(8);
        assertThat(offset("xdg_surface", true, "get_popup")).isEqualTo(8);
    }

    @Test
    void anUntypedNewIdOrNoneHasNoFixedOffset() {
        assertThat(offset("wl_registry", true, "bind")).isEqualTo(-1);
        assertThat(offset("wl_surface", true, "attach")).isEqualTo(-1);
    }

    @Test
    void aNewIdBehindAStringHasNoFixedOffset() throws Exception {
        String xml = "<protocol name='p'><interface name='a' version='1'>"
                + "<request name='r'><arg name='s' type='string'/><arg name='id' type='new_id' interface='a'/></request>"
                + "<request name='q'><arg name='x' type='int'/><arg name='id' type='new_id' interface='a'/><arg name='s' type='string'/></request>"
                + "</interface></protocol>";
        Interface a = SchemaLoader.parse("inline.xml", new java.io.ByteArrayInputStream(xml.getBytes(java.nio.charset.StandardCharsets.UTF_8))).get(0);
        assertThat(a.message(true, "r").newIdOffset()).isEqualTo(-1);
        assertThat(a.message(true, "q").newIdOffset()).isEqualTo(12);
    }
}
