package dev.keywarden.limits.budget;

import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;

/** A budget period: a UTC calendar day or a UTC calendar month. */
public enum Period {
    DAY("daily", "day"),
    MONTH("monthly", "month");

    private final String adjective;
    private final String noun;

    Period(String adjective, String noun) {
        this.adjective = adjective;
        this.noun = noun;
    }

    /** {@code daily} or {@code monthly}. */
    public String adjective() {
        return adjective;
    }

    /** {@code day} or {@code month}. */
    public String noun() {
        return noun;
    }

    /** The period holding {@code at}: {@code 2026-11-29} for a day, {@code 2026-11} for a month. */
    public String label(Instant at) {
        LocalDate d = LocalDate.ofInstant(at, ZoneOffset.UTC);
        return this == DAY ? d.toString() : d.toString().substring(0, 7);
    }

    /** When the period holding {@code at} ends (exclusive): the next UTC midnight or first of the next month. */
    public Instant end(Instant at) {
        LocalDate d = LocalDate.ofInstant(at, ZoneOffset.UTC);
        LocalDate next = this == DAY ? d.plusDays(1) : d.withDayOfMonth(1).plusMonths(1);
        return next.atStartOfDay(ZoneOffset.UTC).toInstant();
    }
}
