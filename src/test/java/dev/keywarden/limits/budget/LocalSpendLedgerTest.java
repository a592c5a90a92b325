package dev.keywarden.limits.budget;

import dev.keywarden.store.Database;
import dev.keywarden.testing.MutableClock;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.io.TempDir;

/** The in-process ledger as {@code state: local} runs it (backed by the embedded store) against {@link SpendLedgerContract}. */
class LocalSpendLedgerTest extends SpendLedgerContract {

    @TempDir
    Path dir;
    Database db;

    @Override
    SpendLedger newLedger(MutableClock clock) {
        db = Database.openSqlite(dir);
        return new LocalSpendLedger(clock, new BudgetStore(db), false);
    }

    @AfterEach
    void closeStore() {
        if (ledger != null) {
            ledger.close();
            ledger = null;
        }
        if (db != null) {
            db.close();
        }
    }
}
