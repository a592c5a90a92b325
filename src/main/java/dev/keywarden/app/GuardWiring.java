package dev.keywarden.app;

import dev.keywarden.pipeline.PipelineComposition;
import dev.keywarden.config.GuardConfig;
import dev.keywarden.config.KeywardenConfig;
import dev.keywarden.guard.InjectionScorer;
import dev.keywarden.guard.OutputGuard;
import dev.keywarden.guard.RequestGuard;
import dev.keywarden.guard.SecretDetector;
import dev.keywarden.pipeline.OutputFilter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Guardrails on request bodies and model output, as {@code guard.*} and {@code tiers.<name>.guard|models} say. */
final class GuardWiring {

    private static final Logger LOG = LoggerFactory.getLogger(GuardWiring.class);

    private GuardWiring() {
    }

    static void addTo(PipelineComposition.Parts parts, KeywardenConfig config) {
        GuardConfig guard = config.guard();
        SecretDetector secrets = SecretDetector.builtIn();
        InjectionScorer injection = InjectionScorer.builtIn();
        parts.guard(new RequestGuard(guard, secrets, injection),
                guard.outputGuarded() ? new OutputGuard(guard, secrets) : OutputFilter.NONE);
        LOG.info("{} (injection rules version {})", guard.describe(), injection.rules().version());
    }
}
