package dev.crossway.proxy.intercept;

import dev.crossway.protocol.MessageSpec;
import java.util.Set;

/**
 * The messages whose fd is one end of a pipe: clipboard, primary selection and drag-and-drop
 * transfers. Transports that cannot pass fds as-is still bridge pipes (the VM transports copy their
 * data), so these messages are carried wherever pipes are.
 */
public final class PipeFds {
    private static final Set<String> PIPE_MESSAGES = Set.of(
            "wl_data_offer.receive", "wl_data_source.send",
            "zwp_primary_selection_offer_v1.receive", "zwp_primary_selection_source_v1.send",
            "gtk_primary_selection_offer.receive", "gtk_primary_selection_source.send",
            "zwlr_data_control_offer_v1.receive", "zwlr_data_control_source_v1.send",
            "ext_data_control_offer_v1.receive", "ext_data_control_source_v1.send");

    private PipeFds() {
    }

    /** True when every fd {@code message} carries is a pipe end. */
    public static boolean carriesPipe(MessageSpec message) {
        return PIPE_MESSAGES.contains(message.qualifiedName());
    }
}
