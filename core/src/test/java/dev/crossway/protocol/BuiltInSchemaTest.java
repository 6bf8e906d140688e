package dev.crossway.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The built-in protocol table, as the daemon loads it. */
class BuiltInSchemaTest {
    private static Schema schema;

    @BeforeAll
    static void load() {
        // Timed here because this is the first load in the JVM: what the daemon pays at start-up.
        long start = System.nanoTime();
        schema = SchemaLoader.loadBundled();
        long coldMs = (System.nanoTime() - start) / 1_000_000;
        start = System.nanoTime();
        SchemaLoader.loadBundled();
        long warmMs = (System.nanoTime() - start) / 1_000_000;
        System.out.printf("SchemaLoader.loadBundled: %d interfaces, first load %d ms, second %d ms%n",
                schema.size(), coldMs, warmMs);
    }

    @Test
    void containsAtLeastHundredInterfaces() {
        assertThat(schema.size()).isGreaterThanOrEqualTo(100);
    }

    @Test
    void containsCoreInterfaces() {
        assertThat(schema.require("wl_display").version()).isGreaterThanOrEqualTo(1);
        assertThat(schema.require("wl_display").protocolName()).isEqualTo("wayland");
    }

    @Test
    void registryBindTakesUntypedNewId() {
        MessageSpec bind = schema.require("wl_registry").message(true, "bind");
        assertThat(bind.opcode()).isZero();
        assertThat(bind.args()).extracting(Arg::name).containsExactly("name", "id");
        assertThat(bind.args().get(1).isUntypedNewId()).isTrue();
    }

    @Test
    void shmCreatePoolCarriesOneFd() {
        MessageSpec createPool = schema.require("wl_shm").message(true, "create_pool");
        assertThat(createPool.fdCount()).isEqualTo(1);
        assertThat(createPool.signature()).isEqualTo("nhi");
    }

    @Test
    void containsStableAndUnstableProtocols() {
        assertThat(schema.find("xdg_wm_base")).isNotNull();
        assertThat(schema.find("zwp_linux_dmabuf_v1")).isNotNull();
    }

    @Test
    void containsEverySetTheTableIsMadeOf() {
        assertThat(schema.require("ext_data_control_manager_v1").protocolName()).isEqualTo("ext_data_control_v1");
        assertThat(schema.find("zwlr_screencopy_manager_v1")).as("wlr-protocols").isNotNull();
        assertThat(schema.find("org_kde_kwin_server_decoration_manager")).as("plasma-wayland-protocols").isNotNull();
        assertThat(schema.find("weston_debug_v1")).as("weston 14").isNotNull();
        assertThat(schema.find("weston_screenshooter")).as("weston 10").isNotNull();
        assertThat(schema.find("zwp_virtual_keyboard_manager_v1")).as("misc").isNotNull();
        assertThat(schema.find("gtk_shell1")).as("mutter").isNotNull();
        assertThat(schema.find("treeland_dde_shell_manager_v1")).as("treeland").isNotNull();
    }

    @Test
    void duplicateInterfaceKeepsHigherVersion() {
        // xdg-shell-unstable-v5 also declares xdg_surface and xdg_popup, at version 1; stable xdg-shell must win.
        assertThat(schema.require("xdg_surface").protocolName()).isEqualTo("xdg_shell");
        assertThat(schema.require("xdg_surface").version()).isGreaterThan(1);
        assertThat(schema.require("xdg_popup").version()).isGreaterThan(1);
    }
}
