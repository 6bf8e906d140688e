package dev.crossway.protocol;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/** An {@code <enum>}: entry names to values in declaration order; {@code bitfield} as declared. */
public record EnumSpec(String name, boolean bitfield, Map<String, Long> entries) {
    public EnumSpec {
        // Declaration order, not Map.copyOf's per-run order, so traces and dumps are stable.
        entries = Collections.unmodifiableMap(new LinkedHashMap<>(entries));
    }
}
