package dev.crossway.proxy.fd;

import dev.crossway.protocol.MessageSpec;
import dev.crossway.proxy.Direction;
import dev.crossway.proxy.Interceptor.Hook;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Which messages carry which kinds of fd: the one table, read from the protocols' documentation. Each
 * entry lists its message's fd arguments in order. A message with fds that is not here has fds of
 * unknown kind, which only a transport that passes every fd as-is can carry.
 *
 * <p>It also names messages of protocols newer than the bundled XML, so protocols added with
 * {@code --protocol-dir} are covered; a test checks the entries against the bundled schema.
 */
public final class FdTable {
    /** One message that carries fds: its hook and the kinds of its fd arguments, in order. */
    public record Entry(Hook hook, List<FdKind> kinds) {
    }

    private static final List<Entry> ENTRIES = List.of(
            request("wl_shm", "create_pool", FdKind.SHM_POOL),
            event("wl_keyboard", "keymap", FdKind.KEYMAP),
            // Clipboard, primary selection and drag-and-drop: the receiver writes the data into the pipe.
            request("wl_data_offer", "receive", FdKind.PIPE_WRITE_END),
            event("wl_data_source", "send", FdKind.PIPE_WRITE_END),
            request("zwp_primary_selection_offer_v1", "receive", FdKind.PIPE_WRITE_END),
            event("zwp_primary_selection_source_v1", "send", FdKind.PIPE_WRITE_END),
            request("gtk_primary_selection_offer", "receive", FdKind.PIPE_WRITE_END),
            event("gtk_primary_selection_source", "send", FdKind.PIPE_WRITE_END),
            request("zwlr_data_control_offer_v1", "receive", FdKind.PIPE_WRITE_END),
            event("zwlr_data_control_source_v1", "send", FdKind.PIPE_WRITE_END),
            request("ext_data_control_offer_v1", "receive", FdKind.PIPE_WRITE_END),
            event("ext_data_control_source_v1", "send", FdKind.PIPE_WRITE_END),
            event("zwp_input_method_keyboard_grab_v2", "keymap", FdKind.KEYMAP),
            request("zwp_virtual_keyboard_v1", "keymap", FdKind.KEYMAP),
            // Pipes the compositor writes into: a window's icon, debug output.
            request("org_kde_plasma_window", "get_icon", FdKind.PIPE_WRITE_END),
            request("weston_debug_v1", "subscribe", FdKind.PIPE_WRITE_END),
            // Whole files: colour profiles, gamma tables, wallpapers.
            request("wp_image_description_creator_icc_v1", "set_icc_file", FdKind.DATA_FILE),
            event("wp_image_description_info_v1", "icc_file", FdKind.DATA_FILE),
            request("zwlr_gamma_control_v1", "set_gamma", FdKind.DATA_FILE),
            request("treeland_personalization_wallpaper_context_v1", "set_fd", FdKind.DATA_FILE),
            // GPU buffers and synchronisation.
            event("zwlr_export_dmabuf_frame_v1", "object", FdKind.DMABUF),
            event("org_kde_kwin_remote_buffer", "gbm_handle", FdKind.DMABUF),
            event("treeland_capture_session_v1", "object", FdKind.DMABUF),
            request("zwp_linux_buffer_params_v1", "add", FdKind.DMABUF),
            event("zwp_linux_dmabuf_feedback_v1", "format_table", FdKind.FORMAT_TABLE),
            request("zwp_linux_surface_synchronization_v1", "set_acquire_fence", FdKind.SYNC_FILE),
            event("zwp_linux_buffer_release_v1", "fenced_release", FdKind.SYNC_FILE),
            request("wp_linux_drm_syncobj_manager_v1", "import_timeline", FdKind.SYNCOBJ),
            event("wp_drm_lease_device_v1", "drm_fd", FdKind.DRM_DEVICE),
            event("wp_drm_lease_v1", "lease_fd", FdKind.DRM_DEVICE),
            // The compositor listens on the socket until close_fd (a pipe's read end) hangs up.
            request("wp_security_context_manager_v1", "create_listener", FdKind.SOCKET, FdKind.PIPE_READ_END));

    private static final Map<Hook, List<FdKind>> BY_HOOK = new HashMap<>();

    static {
        for (Entry e : ENTRIES) {
            BY_HOOK.put(e.hook(), e.kinds());
        }
    }

    private FdTable() {
    }

    private static Entry request(String iface, String message, FdKind... kinds) {
        return new Entry(Hook.request(iface, message), List.of(kinds));
    }

    private static Entry event(String iface, String message, FdKind... kinds) {
        return new Entry(Hook.event(iface, message), List.of(kinds));
    }

    /** The kinds of {@code message}'s fds in argument order, or null when the table does not know it. */
    public static List<FdKind> kinds(MessageSpec message) {
        Direction direction = message.isRequest() ? Direction.REQUEST : Direction.EVENT;
        return BY_HOOK.get(new Hook(message.owner().name(), direction, message.name()));
    }

    /** Every entry, in the table's order. */
    public static List<Entry> entries() {
        return ENTRIES;
    }

    /** Hooks on every message that carries an fd of one of {@code kinds}, for the interceptor that translates them. */
    public static List<Hook> hooks(Set<FdKind> kinds) {
        return ENTRIES.stream().filter(e -> e.kinds().stream().anyMatch(kinds::contains)).map(Entry::hook).toList();
    }
}
