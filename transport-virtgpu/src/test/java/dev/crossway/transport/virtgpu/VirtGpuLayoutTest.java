package dev.crossway.transport.virtgpu;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.fail;

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
import java.io.IOException;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Every struct size, field offset and ioctl number in {@code dev.crossway.transport.virtgpu.sys} against
 * {@code ../shared/spec/uapi-layout-x86_64.txt} (compiled from the 6.12 uapi headers). The file sits
 * beside the repository; {@code -Dcrossway.uapiLayout=PATH} points elsewhere.
 */
class VirtGpuLayoutTest {
    static final String LAYOUT = "uapi-layout-x86_64.txt";
    static Map<String, Long> facts;

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
    static final List<Class<?>> PREFIX_MIRRORS = List.of(VirtGpuExecbuffer.class);

    @BeforeAll
    static void readLayout() throws IOException {
        Path file = locate();
        facts = new HashMap<>();
        for (String line : Files.readAllLines(file)) {
            if (line.isBlank() || line.startsWith("#")) {
                continue;
            }
            String[] parts = line.trim().split("\\s+");
            String value = parts[1];
            facts.put(parts[0], value.startsWith("0x") ? Long.parseLong(value.substring(2), 16) : Long.parseLong(value));
        }
    }

    static Path locate() {
        String configured = System.getProperty("crossway.uapiLayout");
        if (configured != null) {
            return Path.of(configured);
        }
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            for (Path candidate : List.of(dir.resolve("shared/spec").resolve(LAYOUT), dir.resolve("../shared/spec").resolve(LAYOUT))) {
                if (Files.isRegularFile(candidate)) {
                    return candidate.normalize();
                }
            }
        }
        return fail("cannot find " + LAYOUT + " in shared/spec beside the repository (or any parent directory of "
                + Path.of("").toAbsolutePath() + "); set -Dcrossway.uapiLayout=PATH");
    }

    static List<Class<?>> mirrors() throws IOException {
        Path dir;
        try {
            dir = Path.of(VirtGpuExecbuffer.class.getProtectionDomain().getCodeSource().getLocation().toURI())
                    .resolve("dev/crossway/transport/virtgpu/sys");
        } catch (java.net.URISyntaxException e) {
            throw new IOException(e);
        }
        List<Class<?>> found = new ArrayList<>();
        try (Stream<Path> files = Files.list(dir)) {
            for (Path f : (Iterable<Path>) files.sorted()::iterator) {
                String name = f.getFileName().toString();
                if (name.endsWith(".class") && !name.contains("$")) {
                    try {
                        Class<?> c = Class.forName("dev.crossway.transport.virtgpu.sys." + name.replace(".class", ""));
                        if (hasField(c, "LAYOUT_NAME")) {
                            found.add(c);
                        }
                    } catch (ClassNotFoundException e) {
                        throw new IOException(e);
                    }
                }
            }
        }
        return found;
    }

    private static boolean hasField(Class<?> c, String name) {
        try {
            c.getField(name);
            return true;
        } catch (NoSuchFieldException e) {
            return false;
        }
    }

    @Test
    void everyStructSizeAndFieldOffsetMatchesTheHeaders() throws Exception {
        List<String> diff = new ArrayList<>();
        List<Class<?>> mirrors = mirrors();
        assertThat(mirrors).as("struct mirrors found").hasSizeGreaterThanOrEqualTo(20);
        for (Class<?> c : mirrors) {
            String struct = (String) c.getField("LAYOUT_NAME").get(null);
            int sizeof = c.getField("SIZEOF").getInt(null);
            Long expected = facts.get("sizeof(" + struct + ")");
            if (expected == null) {
                diff.add(c.getSimpleName() + ": no struct " + struct + " in " + LAYOUT);
                continue;
            }
            if (PREFIX_MIRRORS.contains(c)) {
                // A prefix must end where a kernel field starts.
                boolean boundary = facts.entrySet().stream()
                        .anyMatch(e -> e.getKey().startsWith(struct + ".") && !e.getKey().contains("#") && e.getValue() == sizeof);
                if (sizeof > expected || !boundary) {
                    diff.add(c.getSimpleName() + ".SIZEOF = " + sizeof + " is not a field boundary of " + struct + " (" + expected + " bytes)");
                }
            } else if (sizeof != expected) {
                diff.add(c.getSimpleName() + ".SIZEOF = " + sizeof + ", " + LAYOUT + " says sizeof(" + struct + ") = " + expected);
            }
            for (Field f : c.getFields()) {
                if (f.getType() != int.class || !Modifier.isStatic(f.getModifiers()) || f.getName().equals("SIZEOF")) {
                    continue;
                }
                String key = struct + "." + f.getName().toLowerCase(Locale.ROOT);
                Long offset = facts.get(key);
                if (offset == null) {
                    diff.add(c.getSimpleName() + "." + f.getName() + ": no field " + key + " in " + LAYOUT);
                } else if (offset != f.getInt(null)) {
                    diff.add(c.getSimpleName() + "." + f.getName() + " = " + f.getInt(null) + ", " + LAYOUT + " says " + key + " = " + offset);
                }
            }
        }
        assertNoDiff(diff);
    }

    @Test
    void everyIoctlNumberMatchesTheHeaders() throws Exception {
        List<String> diff = new ArrayList<>();
        int checked = 0;
        for (Field f : VirtGpuUapi.class.getFields()) {
            if (!f.getName().startsWith("DRM_IOCTL_")) {
                continue;
            }
            checked++;
            long ours = f.getLong(null);
            Long theirs = facts.get(f.getName());
            Class<?> struct = IOCTL_STRUCTS.get(f.getName());
            if (theirs == null || struct == null) {
                diff.add(f.getName() + ": not in " + LAYOUT + " or not mapped to a struct mirror in this test");
                continue;
            }
            long size = (ours >>> 16) & 0x3FFF;
            int sizeof = struct.getField("SIZEOF").getInt(null);
            if (size != sizeof) {
                diff.add(f.getName() + " = 0x" + Long.toHexString(ours) + " encodes size " + size + ", " + struct.getSimpleName() + " is " + sizeof);
            }
            long sizeMask = 0x3FFFL << 16;
            boolean prefix = PREFIX_MIRRORS.contains(struct);
            long comparable = prefix ? ours & ~sizeMask : ours;
            long expected = prefix ? theirs & ~sizeMask : theirs;
            if (comparable != expected) {
                diff.add(f.getName() + " = 0x" + Long.toHexString(ours).toUpperCase(Locale.ROOT) + ", " + LAYOUT + " says 0x"
                        + Long.toHexString(theirs).toUpperCase(Locale.ROOT) + (prefix ? " (size bits excepted)" : ""));
            }
        }
        for (String name : List.of("DRM_CLOEXEC", "DRM_RDWR", "VIRTGPU_EVENT_FENCE_SIGNALED")) {
            long ours = Integer.toUnsignedLong(VirtGpuUapi.class.getField(name).getInt(null));
            if (!facts.get(name).equals(ours)) {
                diff.add(name + " = " + ours + ", " + LAYOUT + " says " + facts.get(name));
            }
        }
        assertThat(checked).isEqualTo(IOCTL_STRUCTS.size());
        assertNoDiff(diff);
    }

    @Test
    void theFortyByteExecbufferRequestIsTheOneTheSpecRecommends() {
        assertThat(VirtGpuUapi.DRM_IOCTL_VIRTGPU_EXECBUFFER).isEqualTo(0xC0286442L);
        assertThat(CrossDomainCapabilities.SIZEOF).isEqualTo(16);
    }

    private static void assertNoDiff(List<String> diff) {
        if (!diff.isEmpty()) {
            fail("layout differs from " + LAYOUT + ":\n  " + String.join("\n  ", diff));
        }
    }
}
