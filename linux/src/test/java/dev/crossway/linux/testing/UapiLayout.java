package dev.crossway.linux.testing;

import java.io.IOException;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;

/**
 * The kernel's struct sizes, field offsets and ioctl numbers from {@code ../shared/spec/uapi-layout-x86_64.txt}
 * (compiled from the 6.12 uapi headers), and the comparison of a transport's {@code .sys} mirrors with
 * them: what every VM transport's layout test does. The file sits beside the repository;
 * {@code -Dcrossway.uapiLayout=PATH} points elsewhere.
 *
 * <p>A mirror is a class with {@code LAYOUT_NAME} (the struct's name in the file), {@code SIZEOF} and one
 * {@code int} constant per field offset, named after the C field in upper case.
 */
public final class UapiLayout {
    public static final String FILE = "uapi-layout-x86_64.txt";

    private final Path path;
    private final Map<String, Long> facts;

    private UapiLayout(Path path, Map<String, Long> facts) {
        this.path = path;
        this.facts = facts;
    }

    /** Finds and reads the file; fails with where it looked. */
    public static UapiLayout read() throws IOException {
        Path file = locate();
        Map<String, Long> facts = new HashMap<>();
        for (String line : Files.readAllLines(file)) {
            if (line.isBlank() || line.startsWith("#")) {
                continue;
            }
            String[] parts = line.trim().split("\\s+");
            String value = parts[1];
            facts.put(parts[0], value.startsWith("0x") ? Long.parseLong(value.substring(2), 16) : Long.parseLong(value));
        }
        return new UapiLayout(file, facts);
    }

    private static Path locate() throws IOException {
        String configured = System.getProperty("crossway.uapiLayout");
        if (configured != null) {
            return Path.of(configured);
        }
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            for (Path candidate : List.of(dir.resolve("shared/spec").resolve(FILE), dir.resolve("../shared/spec").resolve(FILE))) {
                if (Files.isRegularFile(candidate)) {
                    return candidate.normalize();
                }
            }
        }
        throw new IOException("cannot find " + FILE + " in shared/spec beside the repository (or any parent directory of "
                + Path.of("").toAbsolutePath() + "); set -Dcrossway.uapiLayout=PATH");
    }

    public Path path() {
        return path;
    }

    /** The value for {@code key} ({@code sizeof(S)}, {@code S.field}, an ioctl or constant name), or null. */
    public Long fact(String key) {
        return facts.get(key);
    }

    /** The mirrors in the package of {@code anyClass}: its classes with a {@code LAYOUT_NAME}. */
    public static List<Class<?>> mirrors(Class<?> anyClass) throws IOException {
        String pkg = anyClass.getPackageName();
        Path dir;
        try {
            dir = Path.of(anyClass.getProtectionDomain().getCodeSource().getLocation().toURI()).resolve(pkg.replace('.', '/'));
        } catch (URISyntaxException e) {
            throw new IOException(e);
        }
        List<Class<?>> found = new ArrayList<>();
        try (Stream<Path> files = Files.list(dir)) {
            for (Path f : (Iterable<Path>) files.sorted()::iterator) {
                String name = f.getFileName().toString();
                if (name.endsWith(".class") && !name.contains("$")) {
                    try {
                        Class<?> c = Class.forName(pkg + "." + name.replace(".class", ""), false, anyClass.getClassLoader());
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

    /**
     * Where {@code mirrors} differ from the file: sizes and every field offset. A mirror in
     * {@code prefixes} may be shorter than the kernel's struct if it ends where a kernel field starts.
     */
    public List<String> structDiffs(List<Class<?>> mirrors, Set<Class<?>> prefixes) throws ReflectiveOperationException {
        List<String> diff = new ArrayList<>();
        for (Class<?> c : mirrors) {
            String struct = (String) c.getField("LAYOUT_NAME").get(null);
            int sizeof = c.getField("SIZEOF").getInt(null);
            Long expected = facts.get("sizeof(" + struct + ")");
            if (expected == null) {
                diff.add(c.getSimpleName() + ": no struct " + struct + " in " + FILE);
                continue;
            }
            if (prefixes.contains(c)) {
                boolean boundary = facts.entrySet().stream()
                        .anyMatch(e -> e.getKey().startsWith(struct + ".") && !e.getKey().contains("#") && e.getValue() == sizeof);
                if (sizeof > expected || !boundary) {
                    diff.add(c.getSimpleName() + ".SIZEOF = " + sizeof + " is not a field boundary of " + struct + " (" + expected + " bytes)");
                }
            } else if (sizeof != expected) {
                diff.add(c.getSimpleName() + ".SIZEOF = " + sizeof + ", " + FILE + " says sizeof(" + struct + ") = " + expected);
            }
            for (Field f : c.getFields()) {
                if (f.getType() != int.class || !Modifier.isStatic(f.getModifiers()) || f.getName().equals("SIZEOF")) {
                    continue;
                }
                String key = struct + "." + f.getName().toLowerCase(Locale.ROOT);
                Long offset = facts.get(key);
                if (offset == null) {
                    diff.add(c.getSimpleName() + "." + f.getName() + ": no field " + key + " in " + FILE);
                } else if (offset != f.getInt(null)) {
                    diff.add(c.getSimpleName() + "." + f.getName() + " = " + f.getInt(null) + ", " + FILE + " says " + key + " = " + offset);
                }
            }
        }
        return diff;
    }

    /**
     * Where the {@code long} constants of {@code uapi} whose names start with {@code prefix} differ from
     * the file (found under {@code layoutName.apply(name)}), and whether the size each encodes is its
     * struct mirror's (from {@code structs}; prefix mirrors are compared without the size bits).
     */
    public List<String> ioctlDiffs(Class<?> uapi, String prefix, UnaryOperator<String> layoutName, Map<String, Class<?>> structs,
                                   Set<Class<?>> prefixes) throws ReflectiveOperationException {
        List<String> diff = new ArrayList<>();
        int checked = 0;
        for (Field f : uapi.getFields()) {
            if (!f.getName().startsWith(prefix) || f.getType() != long.class) {
                continue;
            }
            checked++;
            long ours = f.getLong(null);
            Long theirs = facts.get(layoutName.apply(f.getName()));
            Class<?> struct = structs.get(f.getName());
            if (theirs == null || struct == null) {
                diff.add(f.getName() + ": not in " + FILE + " or not mapped to a struct mirror in the test");
                continue;
            }
            long size = (ours >>> 16) & 0x3FFF;
            int sizeof = struct.getField("SIZEOF").getInt(null);
            if (size != sizeof) {
                diff.add(f.getName() + " = 0x" + Long.toHexString(ours) + " encodes size " + size + ", " + struct.getSimpleName() + " is " + sizeof);
            }
            long sizeMask = 0x3FFFL << 16;
            boolean shorter = prefixes.contains(struct);
            long comparable = shorter ? ours & ~sizeMask : ours;
            long expected = shorter ? theirs & ~sizeMask : theirs;
            if (comparable != expected) {
                diff.add(f.getName() + " = 0x" + Long.toHexString(ours).toUpperCase(Locale.ROOT) + ", " + FILE + " says 0x"
                        + Long.toHexString(theirs).toUpperCase(Locale.ROOT) + (shorter ? " (size bits excepted)" : ""));
            }
        }
        if (checked != structs.size()) {
            diff.add(checked + " " + prefix + "* constants in " + uapi.getSimpleName() + ", but the test maps " + structs.size());
        }
        return diff;
    }

    /** Fails with every difference, one per line. */
    public void assertNoDiff(List<String> diff) {
        if (!diff.isEmpty()) {
            throw new AssertionError("layout differs from " + path + ":\n  " + String.join("\n  ", diff));
        }
    }
}
