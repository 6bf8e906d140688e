package dev.crossway.transport.virtgpu;

import static dev.crossway.transport.virtgpu.sys.CrossDomainProtocol.CROSS_DOMAIN_MAX_IDENTIFIERS;
import static dev.crossway.transport.virtgpu.sys.CrossDomainProtocol.CROSS_DOMAIN_MAX_IDENTIFIERS_LEGACY;

import dev.crossway.linux.device.Devices;
import dev.crossway.linux.pipe.PipeOptions;
import dev.crossway.spi.TransportOptions;

/**
 * The virtgpu options, read once from {@link TransportOptions} (config {@code crossway.transports.virtgpu}).
 *
 * @param device         {@code device}: a DRM node to use, e.g. {@code /dev/dri/renderD128}; null means
 *                       discover ({@code renderD128..190}, then {@code card*}; the first virtio_gpu wins)
 * @param identifiers    {@code identifiers}: 28 (crosvm since 2024-02, the default) or 4 (older hosts);
 *                       nothing in the protocol tells them apart, so it must match the host
 * @param writePipeQuirk {@code write-pipe-quirk}: treat a RECEIVE blob of size 0 as a write pipe, for hosts
 *                       with the late-2024 regression that mislabels write pipes (default true; a real blob
 *                       never has size 0)
 * @param deviceProvider {@code device-provider}: which device implementation to use: {@code kernel} (also when
 *                       null), or the name of a provider found on the module path (the tests' {@code emulator})
 * @param pipeIdleTimeoutMillis {@code pipe-idle-timeout}: milliseconds after which a bridged pipe (either
 *                       direction) that moved no data is ended; 0 (the default) means never
 */
record VirtGpuSettings(String device, int identifiers, boolean writePipeQuirk, String deviceProvider, long pipeIdleTimeoutMillis) {
    static final String DEVICE = "device";
    static final String IDENTIFIERS = "identifiers";
    static final String WRITE_PIPE_QUIRK = "write-pipe-quirk";

    /** @throws IllegalArgumentException naming the option, the bad value and the allowed ones */
    static VirtGpuSettings resolve(TransportOptions options) {
        String device = nonEmpty(options.get(DEVICE));
        String ids = nonEmpty(options.get(IDENTIFIERS));
        int identifiers = CROSS_DOMAIN_MAX_IDENTIFIERS;
        if (ids != null) {
            if (ids.equals("28")) {
                identifiers = CROSS_DOMAIN_MAX_IDENTIFIERS;
            } else if (ids.equals("4")) {
                identifiers = CROSS_DOMAIN_MAX_IDENTIFIERS_LEGACY;
            } else {
                throw new IllegalArgumentException("unknown value '" + ids + "' for virtgpu option " + IDENTIFIERS
                        + ": 28 for crosvm from 2024-02 on, 4 for older hosts");
            }
        }
        String quirk = nonEmpty(options.get(WRITE_PIPE_QUIRK));
        if (quirk != null && !quirk.equals("true") && !quirk.equals("false")) {
            throw new IllegalArgumentException("unknown value '" + quirk + "' for virtgpu option " + WRITE_PIPE_QUIRK + ": true or false");
        }
        return new VirtGpuSettings(device, identifiers, quirk == null || quirk.equals("true"), nonEmpty(options.get(Devices.DEVICE_PROVIDER)),
                PipeOptions.idleTimeoutMillis(options, VirtGpuTransportProvider.NAME));
    }

    private static String nonEmpty(String s) {
        return s == null || s.isBlank() ? null : s.trim();
    }
}
