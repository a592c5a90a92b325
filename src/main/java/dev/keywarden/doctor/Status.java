package dev.keywarden.doctor;

/** The verdict of one checklist item, in increasing severity. */
public enum Status {
    /** The item is satisfied. */
    PASS,
    /** Acceptable for now, but worth fixing (or could not be fully checked). */
    WARN,
    /** A security gap: {@code keywarden doctor} exits 1. */
    FAIL;

    /** The more severe of this and {@code other}. */
    public Status worst(Status other) {
        return other.ordinal() > ordinal() ? other : this;
    }
}
