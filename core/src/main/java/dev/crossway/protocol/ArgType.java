package dev.crossway.protocol;

/** The wire types of Wayland message arguments, named as in the protocol XML. */
public enum ArgType {
    INT("int", 'i'),
    UINT("uint", 'u'),
    FIXED("fixed", 'f'),
    STRING("string", 's'),
    OBJECT("object", 'o'),
    NEW_ID("new_id", 'n'),
    ARRAY("array", 'a'),
    FD("fd", 'h');

    private final String xmlName;
    private final char code;

    ArgType(String xmlName, char code) {
        this.xmlName = xmlName;
        this.code = code;
    }

    /** The {@code type} attribute value in protocol XML. */
    public String xmlName() {
        return xmlName;
    }

    /** libwayland's signature letter for this type. */
    public char code() {
        return code;
    }

    /** Looks up an XML type name; returns null when unknown. */
    public static ArgType ofXmlName(String name) {
        for (ArgType t : values()) {
            if (t.xmlName.equals(name)) {
                return t;
            }
        }
        return null;
    }
}
