package dev.crossway.protocol;

/**
 * One argument of a request or event.
 *
 * @param name      the XML name
 * @param type      the wire type
 * @param interfaceName for OBJECT and NEW_ID: the interface named in XML, or null when untyped
 *                  (an untyped NEW_ID, as in {@code wl_registry.bind}, carries interface name and version on the wire)
 * @param nullable  {@code allow-null="true"}
 * @param enumName  the {@code enum} attribute, or null
 */
public record Arg(String name, ArgType type, String interfaceName, boolean nullable, String enumName) {

    /** An untyped new_id takes three wire values: interface name, version, id. */
    public boolean isUntypedNewId() {
        return type == ArgType.NEW_ID && interfaceName == null;
    }
}
