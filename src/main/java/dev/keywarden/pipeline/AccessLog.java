package dev.keywarden.pipeline;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One line per finished request on logger {@code keywarden.access} (DEBUG by default, so the hot
 * path pays nothing unless enabled). Lines carry ids, statuses, token counts and timings — never
 * a credential or content. The durable, tamper-evident record is the audit trail.
 */
public final class AccessLog implements ExchangeObserver {

    private static final Logger LOG = LoggerFactory.getLogger("keywarden.access");

    @Override
    public void onExchange(ExchangeRecord r) {
        if (!LOG.isDebugEnabled()) {
            return;
        }
        LOG.debug("{} {} {} -> {}{} key={} principal={} model={} in={} out={} upstream={} {}ms{}",
                r.requestId(), r.method(), r.path(), r.status(), r.errorType() == null ? "" : " " + r.errorType(),
                r.providerKey(), r.identity() == null ? "-" : r.identity().displayPrefix(), r.usage().model(),
                r.usage().totalInputTokens(), r.usage().outputTokens(), r.upstreamStatus(),
                r.totalNanos() / 1_000_000, r.clientAborted() ? " client-aborted" : "");
    }
}
