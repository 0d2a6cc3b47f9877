package io.aperture;

/**
 * A value read from another process's section failed validation: a record length beyond the ring, an
 * unknown type, a sequence check that does not match, a counter that went backwards. The reader stops
 * at once; nothing past the bad value is read.
 */
public final class CorruptSectionException extends ApertureException {
    private static final long serialVersionUID = 1L;

    /**
     * The section (file name) holding the bad value.
     */
    private final String section;
    /**
     * Byte offset of the bad value in the section.
     */
    private final long offset;

    /**
     * A bad value at {@code offset} of {@code section}.
     *
     * @param section the section's file name
     * @param offset  the byte offset of the bad value, or of the record holding it
     * @param detail  what is wrong with the value, and the limit it broke
     */
    public CorruptSectionException(String section, long offset, String detail) {
        super("corrupt section " + section + " at offset " + offset + ": " + detail);
        this.section = section;
        this.offset = offset;
    }

    /**
     * The section (file name) holding the bad value.
     *
     * @return the section's file name
     */
    public String section() {
        return section;
    }

    /**
     * Byte offset of the bad value in the section, or of the record holding it.
     *
     * @return the byte offset in the section
     */
    public long offset() {
        return offset;
    }
}
