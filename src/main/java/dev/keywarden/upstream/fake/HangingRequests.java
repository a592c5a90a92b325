package dev.keywarden.upstream.fake;

import java.io.IOException;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.util.Callback;

/**
 * Requests of the {@code hang} scenario: never answered. Each is dropped (its connection closed
 * without a response) when the client goes away, when the connection idles out, or when the fake
 * closes; no thread waits for them meanwhile.
 */
final class HangingRequests {

    private final Set<Hang> pending = ConcurrentHashMap.newKeySet();

    void hold(Request request, Callback callback) {
        Hang hang = new Hang(request, callback);
        pending.add(hang);
        request.addFailureListener(failure -> drop(hang));
        request.addIdleTimeoutListener(timeout -> {
            drop(hang);
            return true;
        });
    }

    int size() {
        return pending.size();
    }

    void dropAll() {
        for (Hang hang : pending) {
            drop(hang);
        }
    }

    private void drop(Hang hang) {
        if (hang.dropped.compareAndSet(false, true)) {
            pending.remove(hang);
            hang.request.getConnectionMetaData().getConnection().getEndPoint().close();
            hang.callback.failed(new IOException("hang scenario: request dropped without an answer"));
        }
    }

    private record Hang(Request request, Callback callback, AtomicBoolean dropped) {
        Hang(Request request, Callback callback) {
            this(request, callback, new AtomicBoolean());
        }
    }
}
