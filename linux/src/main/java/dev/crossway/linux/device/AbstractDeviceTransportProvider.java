package dev.crossway.linux.device;

import dev.crossway.linux.pipe.PipeOptions;
import dev.crossway.spi.Transport;
import dev.crossway.spi.TransportOption;
import dev.crossway.spi.TransportOptions;
import dev.crossway.spi.TransportProvider;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What every VM transport's provider does: read its settings, choose its device ({@link Devices}: the
 * kernel's unless {@code device-provider} names another), probe it once per settings, and answer
 * {@code unavailabilityCause}, {@code checks} and {@code open} from the probe. The constructor touches
 * nothing.
 *
 * @param <S> the transport's settings (a record: the probe cache's key)
 * @param <P> what its probe found
 */
public abstract class AbstractDeviceTransportProvider<S, P extends AbstractDeviceTransportProvider.Probed> implements TransportProvider {

    /** What a probe found: at least whether the transport can run. */
    public interface Probed {
        Availability availability();
    }

    private record Found<P>(Device device, P probed) {
    }

    private final Device fixedDevice;
    private final Map<S, Found<P>> probes = new ConcurrentHashMap<>();

    /** @param fixedDevice a device to use instead of the lookup (tests), or null */
    protected AbstractDeviceTransportProvider(Device fixedDevice) {
        this.fixedDevice = fixedDevice;
    }

    /** The settings, read once. @throws IllegalArgumentException naming the option, the bad value and the allowed ones */
    protected abstract S settings(TransportOptions options);

    /** The {@code device-provider} option of {@code settings}, or null. */
    protected abstract String deviceProvider(S settings);

    /** The kernel's device for this transport. */
    protected abstract Device kernelDevice();

    /** Probes {@code device}; never throws: failures are checks that failed. */
    protected abstract P probe(Device device, S settings);

    /** The transport's own options, for {@link #options()}; the ones every VM transport has are added there. */
    protected abstract List<TransportOption> ownOptions();

    /** The transport's own options, then {@code pipe-idle-timeout} and {@code device-provider}. */
    @Override
    public final List<TransportOption> options() {
        List<TransportOption> all = new ArrayList<>(ownOptions());
        all.add(new TransportOption(PipeOptions.PIPE_IDLE_TIMEOUT, null, "MILLISECONDS",
                name() + ": end a clipboard or drag-and-drop transfer that moved no data for this long. Default: 0 (never)."));
        all.add(new TransportOption(Devices.DEVICE_PROVIDER, null, "NAME",
                name() + ": which device implementation to use: kernel (the default), or the name of one found on the module path"
                        + " (the tests' emulator)."));
        return List.copyOf(all);
    }

    /** Opens the transport once the probe passed. */
    protected abstract Transport open(S settings, Device device, P probed) throws IOException;

    @Override
    public final String unavailabilityCause(TransportOptions options) {
        try {
            return found(options).probed().availability().unavailabilityCause();
        } catch (IllegalArgumentException | IOException e) {
            return e.getMessage();
        }
    }

    /**
     * Every availability check in order, one line each ({@code ok} / {@code missing} with the fix, or
     * {@code -} when not reached): what {@code crossway doctor} prints for this transport.
     */
    @Override
    public final List<String> checks(TransportOptions options) {
        try {
            return found(options).probed().availability().lines();
        } catch (IllegalArgumentException | IOException e) {
            return List.of("missing  settings: " + e.getMessage());
        }
    }

    @Override
    public final Transport open(TransportOptions options) throws IOException {
        Found<P> found;
        S settings;
        try {
            settings = settings(options);
            found = found(options);
        } catch (IllegalArgumentException e) {
            throw new IOException("cannot open the " + name() + " transport: " + e.getMessage(), e);
        }
        found.probed().availability().ensureAvailability();
        return open(settings, found.device(), found.probed());
    }

    private Found<P> found(TransportOptions options) throws IOException {
        S settings = settings(options);
        Found<P> found = probes.get(settings);
        if (found == null) {
            Device device = fixedDevice != null ? fixedDevice : Devices.select(name(), deviceProvider(settings), options, this::kernelDevice);
            found = new Found<>(device, probe(device, settings));
            Found<P> raced = probes.putIfAbsent(settings, found);
            found = raced != null ? raced : found;
        }
        return found;
    }
}
