/**
 * Linux native bindings shared by the daemon and the transports: Unix sockets that carry fds,
 * memfds, mappings, lock files and errno reporting; and what the VM transports share: the device seam
 * and its emulated-device providers ({@code .device}), and the pumps that bridge pipes ({@code .pipe}).
 * The core stays free of native code; this module holds it.
 *
 * @uses dev.crossway.linux.device.DeviceProvider
 */
module dev.crossway.linux {
    requires transitive dev.crossway.core;
    requires org.jnrproject.ffi;
    requires org.jnrproject.jffi;
    // jnr-ffi generates its binding classes with ASM at run time but, as an automatic module, cannot
    // declare that it needs it.
    requires org.objectweb.asm;
    requires org.slf4j;

    exports dev.crossway.linux;
    exports dev.crossway.linux.device;
    exports dev.crossway.linux.pipe;
    // jnr-ffi generates the LibC implementation in the unnamed module, which must see the interface.
    exports dev.crossway.linux.sys;

    uses dev.crossway.linux.device.DeviceProvider;
}
