/**
 * Linux native bindings shared by the daemon and the transports: Unix sockets that carry fds,
 * memfds, mappings, lock files and errno reporting. The core stays free of native code; this module
 * holds it.
 */
module dev.crossway.linux {
    requires transitive dev.crossway.core;
    requires org.jnrproject.ffi;
    requires org.jnrproject.jffi;
    // jnr-ffi generates its binding classes with ASM at run time but, as an automatic module, cannot
    // declare that it needs it.
    requires org.objectweb.asm;

    exports dev.crossway.linux;
    // jnr-ffi generates the LibC implementation in the unnamed module, which must see the interface.
    exports dev.crossway.linux.sys;
}
