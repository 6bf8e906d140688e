package dev.crossway.linux.device;

import dev.crossway.spi.TransportOptions;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Chooses a VM transport's device: the kernel's unless its {@code device-provider} option names
 * another. An emulated device is never picked just because its jar is on the module path.
 */
public final class Devices {
    /** The built-in provider name: the kernel's device nodes. */
    public static final String KERNEL = "kernel";
    /** The option naming the device provider, under each transport's own section. */
    public static final String DEVICE_PROVIDER = "device-provider";

    private static final Logger LOG = LoggerFactory.getLogger(Devices.class);

    private Devices() {
    }

    /**
     * The device {@code wanted} names for {@code transport}: {@link #KERNEL} (or null/empty) for
     * {@code kernel}, else the {@link DeviceProvider} of that transport and name.
     *
     * @throws IllegalArgumentException naming the option, the value and the providers there are
     */
    public static Device select(String transport, String wanted, TransportOptions options, Supplier<Device> kernel)
            throws IOException {
        if (wanted == null || wanted.isBlank() || wanted.trim().equals(KERNEL)) {
            return kernel.get();
        }
        List<DeviceProvider> found = providers(transport);
        for (DeviceProvider p : found) {
            if (p.name().equals(wanted.trim())) {
                LOG.info("{}: using device provider '{}' instead of the kernel ({})", transport, p.name(), DEVICE_PROVIDER);
                return p.newDevice(options);
            }
        }
        List<String> names = new ArrayList<>();
        names.add(KERNEL);
        found.forEach(p -> names.add(p.name()));
        throw new IllegalArgumentException("no " + transport + " device provider named '" + wanted.trim() + "' (option "
                + DEVICE_PROVIDER + "); available: " + String.join(", ", names));
    }

    /** The providers for {@code transport} on the module path, by name; those that fail to load are logged and skipped. */
    static List<DeviceProvider> providers(String transport) {
        List<DeviceProvider> found = new ArrayList<>();
        var it = ServiceLoader.load(DeviceProvider.class, DeviceProvider.class.getClassLoader()).iterator();
        while (true) {
            try {
                if (!it.hasNext()) {
                    break;
                }
                DeviceProvider p = it.next();
                if (p.transport().equals(transport)) {
                    found.add(p);
                }
            } catch (ServiceConfigurationError e) {
                LOG.warn("skipping a device provider that failed to load: {}", e.getMessage());
            }
        }
        found.sort(Comparator.comparing(DeviceProvider::name));
        return found;
    }
}
