package dev.crossway.transport.virtwl;

import static org.assertj.core.api.Assertions.assertThat;

import dev.crossway.linux.testing.UapiLayout;
import dev.crossway.transport.virtwl.sys.VirtWlIoctlDmabufSync;
import dev.crossway.transport.virtwl.sys.VirtWlIoctlNew;
import dev.crossway.transport.virtwl.sys.VirtWlIoctlTxn;
import dev.crossway.transport.virtwl.sys.VirtWlUapi;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Every struct size, field offset and ioctl number in {@code dev.crossway.transport.virtwl.sys} against the
 * uapi layout file, which names virtwl's structs {@code vwl_*} and its ioctls {@code VWL_IOCTL_*}.
 */
class VirtWlLayoutTest {
    static UapiLayout layout;

    /** ioctl → the struct mirror its size field must match. */
    static final Map<String, Class<?>> IOCTL_STRUCTS = Map.of(
            "VIRTWL_IOCTL_NEW", VirtWlIoctlNew.class,
            "VIRTWL_IOCTL_SEND", VirtWlIoctlTxn.class,
            "VIRTWL_IOCTL_RECV", VirtWlIoctlTxn.class,
            "VIRTWL_IOCTL_DMABUF_SYNC", VirtWlIoctlDmabufSync.class);

    @BeforeAll
    static void readLayout() throws Exception {
        layout = UapiLayout.read();
    }

    @Test
    void everyStructSizeAndFieldOffsetMatchesTheHeaders() throws Exception {
        List<Class<?>> mirrors = UapiLayout.mirrors(VirtWlIoctlNew.class);
        assertThat(mirrors).as("struct mirrors found").containsExactlyInAnyOrder(VirtWlIoctlNew.class, VirtWlIoctlTxn.class,
                VirtWlIoctlDmabufSync.class);
        layout.assertNoDiff(layout.structDiffs(mirrors, Set.of()));
    }

    @Test
    void everyIoctlNumberMatchesTheHeaders() throws Exception {
        layout.assertNoDiff(layout.ioctlDiffs(VirtWlUapi.class, "VIRTWL_IOCTL_", name -> name.replace("VIRTWL_", "VWL_"),
                IOCTL_STRUCTS, Set.of()));
    }

    @Test
    void sendAndRecvKeepTheHeadersBackwardDirectionBits() {
        // The driver compares the full value: _IOR for SEND (2) and _IOW for RECV (1), though data flows the other way.
        assertThat(VirtWlUapi.VIRTWL_IOCTL_SEND >>> 30).isEqualTo(2);
        assertThat(VirtWlUapi.VIRTWL_IOCTL_RECV >>> 30).isEqualTo(1);
        assertThat(VirtWlUapi.VIRTWL_IOCTL_NEW).isEqualTo(0xC0307700L);
    }

    @Test
    void theDataLimitsFollowFromThePageAndTheHeaders() {
        assertThat(VirtWlUapi.VIRTWL_SEND_MAX_DATA).as("a page less the txn header").isEqualTo(4096 - 116).isEqualTo(3980);
        long hostHeader = layout.fact("sizeof(vwl_ctrl_vfd_recv)") + 4L * VirtWlUapi.VIRTWL_SEND_MAX_ALLOCS;
        assertThat(VirtWlUapi.VIRTWL_HOST_MAX_DATA).as("crosvm's IN_BUFFER_LEN").isEqualTo(4096 - hostHeader).isEqualTo(3968);
    }
}
