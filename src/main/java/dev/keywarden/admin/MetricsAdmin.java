package dev.keywarden.admin;

import dev.keywarden.metrics.Metrics;

/**
 * {@code GET /metrics} on the admin listener: every gateway metric in the Prometheus text format,
 * behind the same admin token as every other admin route. Registered here, with the other admin
 * routes, so the metrics package does not depend on the admin plane.
 */
public final class MetricsAdmin {

    private MetricsAdmin() {
    }

    public static void register(AdminRoutes routes, Metrics metrics) {
        routes.add("GET", "/metrics", (params, body) -> new PlainText(Metrics.CONTENT_TYPE, metrics.scrape()));
    }
}
