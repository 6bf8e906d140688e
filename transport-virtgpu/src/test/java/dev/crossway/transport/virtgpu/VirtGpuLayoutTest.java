package dev.crossway.transport.virtgpu;

import static org.assertj.core.api.Assertions.assertThat;

import dev.crossway.linux.testing.UapiLayout;
import dev.crossway.transport.virtgpu.sys.CrossDomainCapabilities;
import dev.crossway.transport.virtgpu.sys.VirtGpu3dWait;
import dev.crossway.transport.virtgpu.sys.VirtGpuContextInit;
import dev.crossway.transport.virtgpu.sys.VirtGpuDrmGemClose;
import dev.crossway.transport.virtgpu.sys.VirtGpuDrmPrimeHandle;
import dev.crossway.transport.virtgpu.sys.VirtGpuDrmVersion;
import dev.crossway.transport.virtgpu.sys.VirtGpuExecbuffer;
import dev.crossway.transport.virtgpu.sys.VirtGpuGetCaps;
import dev.crossway.transport.virtgpu.sys.VirtGpuGetparam;
import dev.crossway.transport.virtgpu.sys.VirtGpuMap;
import dev.crossway.transport.virtgpu.sys.VirtGpuResourceCreateBlob;
import dev.crossway.transport.virtgpu.sys.VirtGpuResourceInfo;
import dev.crossway.transport.virtgpu.sys.VirtGpuUapi;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Every struct size, field offset and ioctl number in {@code dev.crossway.transport.virtgpu.sys} against the uapi layout file. */
class VirtGpuLayoutTest {
    static UapiLayout layout;

    /** ioctl → the struct mirror its size field must match. */
    static final Map<String, Class<?>> IOCTL_STRUCTS = Map.ofEntries(
            Map.entry("DRM_IOCTL_VERSION", VirtGpuDrmVersion.class),
            Map.entry("DRM_IOCTL_GEM_CLOSE", VirtGpuDrmGemClose.class),
            Map.entry("DRM_IOCTL_PRIME_HANDLE_TO_FD", VirtGpuDrmPrimeHandle.class),
            Map.entry("DRM_IOCTL_PRIME_FD_TO_HANDLE", VirtGpuDrmPrimeHandle.class),
            Map.entry("DRM_IOCTL_VIRTGPU_MAP", VirtGpuMap.class),
            Map.entry("DRM_IOCTL_VIRTGPU_EXECBUFFER", VirtGpuExecbuffer.class),
            Map.entry("DRM_IOCTL_VIRTGPU_GETPARAM", VirtGpuGetparam.class),
            Map.entry("DRM_IOCTL_VIRTGPU_RESOURCE_INFO", VirtGpuResourceInfo.class),
            Map.entry("DRM_IOCTL_VIRTGPU_WAIT", VirtGpu3dWait.class),
            Map.entry("DRM_IOCTL_VIRTGPU_GET_CAPS", VirtGpuGetCaps.class),
            Map.entry("DRM_IOCTL_VIRTGPU_RESOURCE_CREATE_BLOB", VirtGpuResourceCreateBlob.class),
            Map.entry("DRM_IOCTL_VIRTGPU_CONTEXT_INIT", VirtGpuContextInit.class));

    /** Mirrors that are a prefix of a longer kernel struct: the 40-byte EXECBUFFER of the 64-byte 6.12 one. */
    static final Set<Class<?>> PREFIX_MIRRORS = Set.of(VirtGpuExecbuffer.class);

    @BeforeAll
    static void readLayout() throws Exception {
        layout = UapiLayout.read();
    }

    @Test
    void everyStructSizeAndFieldOffsetMatchesTheHeaders() throws Exception {
        List<Class<?>> mirrors = UapiLayout.mirrors(VirtGpuExecbuffer.class);
        assertThat(mirrors).as("struct mirrors found").hasSizeGreaterThanOrEqualTo(20);
        layout.assertNoDiff(layout.structDiffs(mirrors, PREFIX_MIRRORS));
    }

    @Test
    void everyIoctlNumberMatchesTheHeaders() throws Exception {
        List<String> diff = new ArrayList<>(layout.ioctlDiffs(VirtGpuUapi.class, "DRM_IOCTL_", UnaryOperator.identity(), IOCTL_STRUCTS,
                PREFIX_MIRRORS));
        for (String name : List.of("DRM_CLOEXEC", "DRM_RDWR", "VIRTGPU_EVENT_FENCE_SIGNALED")) {
            long ours = Integer.toUnsignedLong(VirtGpuUapi.class.getField(name).getInt(null));
            if (!layout.fact(name).equals(ours)) {
                diff.add(name + " = " + ours + ", " + UapiLayout.FILE + " says " + layout.fact(name));
            }
        }
        layout.assertNoDiff(diff);
    }

    @Test
    void theFortyByteExecbufferRequestIsTheOneTheSpecRecommends() {
        assertThat(VirtGpuUapi.DRM_IOCTL_VIRTGPU_EXECBUFFER).isEqualTo(0xC0286442L);
        assertThat(CrossDomainCapabilities.SIZEOF).isEqualTo(16);
    }
}
