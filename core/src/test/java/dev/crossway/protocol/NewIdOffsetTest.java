package dev.crossway.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The relay tracks object creation from raw bytes when the new_id sits at a fixed offset, and rewrites
 * object ids in place where every id argument does.
 */
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

    @Test
    void objectIdsBeforeAnyStringHaveFixedOffsetsAndNewIdsAreMarked() {
        MessageSpec attach = schema.require("wl_surface").message(true, "attach");
        assertThat(attach.idCount()).isEqualTo(1);
        assertThat(attach.hasFixedIdOffsets()).isTrue();
        assertThat(attach.idOffset(0)).isEqualTo(8);
        assertThat(attach.isNewId(0)).isFalse();
        MessageSpec popup = schema.require("xdg_surface").message(true, "get_popup");
        assertThat(popup.idCount()).isEqualTo(3);
        assertThat(new int[] {popup.idOffset(0), popup.idOffset(1), popup.idOffset(2)}).containsExactly(8, 12, 16);
        assertThat(popup.isNewId(0)).isTrue();
        assertThat(popup.isNewId(1)).isFalse();
        MessageSpec enter = schema.require("wl_data_device").message(false, "enter");
        assertThat(enter.hasFixedIdOffsets()).as("serial, surface, x, y, offer").isTrue();
        assertThat(new int[] {enter.idOffset(0), enter.idOffset(1)}).containsExactly(12, 24);
        assertThat(schema.require("wl_display").message(true, "sync").idOffset(0)).isEqualTo(8);
        assertThat(schema.require("wl_surface").message(true, "commit").idCount()).isZero();
    }

    @Test
    void anUntypedNewIdOrAnIdBehindAStringMustBeFoundByWalking() {
        MessageSpec bind = schema.require("wl_registry").message(true, "bind");
        assertThat(bind.idCount()).isEqualTo(1);
        assertThat(bind.isNewId(0)).isTrue();
        assertThat(bind.hasFixedIdOffsets()).isFalse();
        assertThat(schema.require("wl_data_source").message(false, "send").idCount()).isZero();
        assertThat(schema.require("wl_pointer").message(false, "enter").hasFixedIdOffsets()).isTrue();
    }
}
