package dev.crossway.proxy;

import static dev.crossway.proxy.SessionFuzzTest.encode;
import static dev.crossway.proxy.SessionFuzzTest.request;

import dev.crossway.wire.Message;
import dev.crossway.wire.NewId;
import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * Writes the seed inputs of {@link SessionFuzzTest} (valid sessions, in its chunk format) into its
 * inputs directory, where they also run as regression inputs. Run with {@code -Dcrossway.writeFuzzSeeds=true}.
 */
class SessionFuzzSeeds {
    private static final Path DIR = Path.of(System.getProperty("crossway.goldenDir", "src/test/resources/golden"))
            .resolveSibling("dev/crossway/proxy/SessionFuzzTestInputs");

    @Test
    @EnabledIfSystemProperty(named = "crossway.writeFuzzSeeds", matches = "true")
    void writeSeeds() throws Exception {
        Message[] setup = {
            request(1, "wl_display", "get_registry", 2),
        };
        Message[] window = {
            request(2, "wl_registry", "bind", 1, new NewId("wl_compositor", 5, 3)),
            request(2, "wl_registry", "bind", 2, new NewId("wl_shm", 1, 4)),
            request(2, "wl_registry", "bind", 4, new NewId("xdg_wm_base", 5, 6)),
            request(3, "wl_compositor", "create_surface", 8),
            request(6, "xdg_wm_base", "get_xdg_surface", 9, 8),
            request(9, "xdg_surface", "get_toplevel", 10),
            request(10, "xdg_toplevel", "set_title", "seed"),
            request(10, "xdg_toplevel", "set_app_id", "org.example.seed"),
        };
        Message[] pool = {
            request(4, "wl_shm", "create_pool", 11, -1, 4096),
            request(11, "wl_shm_pool", "create_buffer", 12, 0, 16, 16, 64, 1),
            request(11, "wl_shm_pool", "create_buffer", 13, 1024, 16, 16, 64, 0),
        };
        Message[] frames = {
            request(8, "wl_surface", "attach", 12, 0, 0),
            request(8, "wl_surface", "damage", 0, 0, 16, 16),
            request(8, "wl_surface", "frame", 14),
            request(8, "wl_surface", "commit"),
            request(8, "wl_surface", "attach", 13, 0, 0),
            request(8, "wl_surface", "damage_buffer", 2, 2, 4, 4),
            request(8, "wl_surface", "set_buffer_scale", 2),
            request(8, "wl_surface", "commit"),
            request(12, "wl_buffer", "destroy"),
            request(11, "wl_shm_pool", "resize", 8192),
            request(11, "wl_shm_pool", "destroy"),
        };
        Message[] viewport = {
            request(2, "wl_registry", "bind", 6, new NewId("wp_viewporter", 1, 20)),
            request(20, "wp_viewporter", "get_viewport", 21, 8),
            request(21, "wp_viewport", "set_source", 0, 0, 2048, 2048),
            request(21, "wp_viewport", "set_destination", 8, 8),
            request(8, "wl_surface", "commit"),
            request(2, "wl_registry", "bind", 8, new NewId("wl_subcompositor", 1, 22)),
            request(3, "wl_compositor", "create_surface", 23),
            request(22, "wl_subcompositor", "get_subsurface", 24, 23, 8),
            request(23, "wl_surface", "attach", 13, 0, 0),
            request(23, "wl_surface", "commit"),
        };
        Message[] seat = {
            request(2, "wl_registry", "bind", 3, new NewId("wl_seat", 7, 5)),
            request(2, "wl_registry", "bind", 5, new NewId("wl_data_device_manager", 3, 7)),
            request(5, "wl_seat", "get_keyboard", 30),
            request(5, "wl_seat", "get_pointer", 31),
            request(7, "wl_data_device_manager", "get_data_device", 32, 5),
            request(7, "wl_data_device_manager", "create_data_source", 33),
            request(33, "wl_data_source", "offer", "text/plain"),
            request(32, "wl_data_device", "set_selection", 33, 7),
            request(2, "wl_registry", "bind", 7, new NewId("zwp_primary_selection_device_manager_v1", 1, 34)),
            request(34, "zwp_primary_selection_device_manager_v1", "get_device", 35, 5),
            request(30, "wl_keyboard", "release"),
        };
        write("fromTheClient", "seed-window", chunk(0, setup), chunk(0, window), chunk(1, pool), chunk(0, frames));
        write("fromTheClient", "seed-viewport-subsurface", chunk(0, setup), chunk(0, window), chunk(1, pool), chunk(0, viewport));
        write("fromTheClient", "seed-seat-clipboard", chunk(0, setup), chunk(0, seat));
        write("fromTheClient", "seed-fds-ahead", chunk(3, setup), chunk(0, window), chunk(2, pool), chunk(0, frames));

        // The host's objects after the preamble, as the host-driven harness sees them.
        FuzzRig rig = new FuzzRig();
        rig.appSends(SessionFuzzTest.REGISTRY, 0);
        rig.appSends(SessionFuzzTest.PREAMBLE, 1);
        Map<Integer, String> host = rig.hostObjects();
        rig.finish();
        System.out.println("host objects after the preamble: " + host);
        int registry = idOf(host, "wl_registry");
        int keyboard = idOf(host, "wl_keyboard");
        int pointer = idOf(host, "wl_pointer");
        int dataDevice = idOf(host, "wl_data_device");
        int toplevel = idOf(host, "xdg_toplevel");
        int xdgSurface = idOf(host, "xdg_surface");
        int surface = idOf(host, "wl_surface");
        int wmBase = idOf(host, "xdg_wm_base");
        int offer = 0xff000001;
        write("fromTheHost", "seed-globals",
                chunk(0, event(registry, "wl_registry", "global", 20, "wl_output", 4), event(registry, "wl_registry", "global_remove", 9),
                        event(registry, "wl_registry", "global", 21, "zwlr_screencopy_manager_v1", 3)));
        write("fromTheHost", "seed-window",
                chunk(0, event(toplevel, "xdg_toplevel", "configure", 640, 480, new byte[0]), event(xdgSurface, "xdg_surface", "configure", 7),
                        event(wmBase, "xdg_wm_base", "ping", 8), event(surface, "wl_surface", "enter", 0)));
        write("fromTheHost", "seed-input",
                chunk(1, event(keyboard, "wl_keyboard", "keymap", 1, -1, 64)),
                chunk(0, event(keyboard, "wl_keyboard", "enter", 10, surface, new byte[0]), event(keyboard, "wl_keyboard", "key", 11, 100, 30, 1),
                        event(pointer, "wl_pointer", "enter", 12, surface, 256, 256), event(pointer, "wl_pointer", "frame")));
        write("fromTheHost", "seed-clipboard",
                chunk(0, event(dataDevice, "wl_data_device", "data_offer", offer), event(offer, "wl_data_offer", "offer", "text/plain"),
                        event(dataDevice, "wl_data_device", "selection", offer)));
        write("fromTheHost", "seed-error", chunk(0, event(1, "wl_display", "error", surface, 2, "invalid surface")));
    }

    private static int idOf(Map<Integer, String> objects, String iface) {
        return objects.entrySet().stream().filter(e -> e.getValue().equals(iface)).map(Map.Entry::getKey).findFirst().orElseThrow();
    }

    private static Message event(int id, String iface, String name, Object... args) {
        return new Message(id, FuzzRig.SCHEMA.require(iface).message(false, name), args);
    }

    private static byte[] chunk(int fds, Message... messages) {
        byte[] body = encode(messages);
        byte[] out = new byte[3 + body.length];
        out[0] = (byte) fds;
        out[1] = (byte) (body.length >> 8);
        out[2] = (byte) body.length;
        System.arraycopy(body, 0, out, 3, body.length);
        return out;
    }

    private static void write(String method, String name, byte[]... chunks) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] c : chunks) {
            out.write(c);
        }
        Path dir = DIR.resolve(method);
        Files.createDirectories(dir);
        Files.write(dir.resolve(name), out.toByteArray());
    }
}
