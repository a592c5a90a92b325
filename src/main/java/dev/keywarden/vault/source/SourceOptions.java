package dev.keywarden.vault.source;

import dev.keywarden.config.Environment;
import dev.keywarden.config.Secret;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * Settings for {@link SecretSources#parse}: the deployment environment, overrides for what the
 * cloud sources otherwise read from the environment map, the network timeout, and where warnings
 * go. Immutable; {@link #toString()} never shows a token.
 *
 * <p>Defaults: environment taken from {@code KEYWARDEN_ENV} in the environment map, and
 * production when that is unset (so {@code dotenv:} is refused unless development is explicit);
 * timeout 10 s; files readable by group or others refused; warnings logged at WARN by
 * {@code dev.keywarden.vault.source.SecretSources}.
 */
public final class SourceOptions {

    private static final Logger LOG = LoggerFactory.getLogger(SecretSources.class);
    static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(10);

    private final Optional<Environment> environment;
    private final Duration timeout;
    private final boolean allowFilesReadableByOthers;
    private final Consumer<String> warnings;
    private final Clock clock;
    private final Optional<URI> vaultAddress;
    private final Optional<Secret> vaultToken;
    private final Optional<URI> awsEndpoint;
    private final Optional<String> awsRegion;
    private final Optional<URI> gcpEndpoint;
    private final Optional<Secret> gcpAccessToken;

    private SourceOptions(Builder b) {
        this.environment = Optional.ofNullable(b.environment);
        this.timeout = b.timeout;
        this.allowFilesReadableByOthers = b.allowFilesReadableByOthers;
        this.warnings = b.warnings;
        this.clock = b.clock;
        this.vaultAddress = Optional.ofNullable(b.vaultAddress);
        this.vaultToken = Optional.ofNullable(b.vaultToken);
        this.awsEndpoint = Optional.ofNullable(b.awsEndpoint);
        this.awsRegion = Optional.ofNullable(b.awsRegion);
        this.gcpEndpoint = Optional.ofNullable(b.gcpEndpoint);
        this.gcpAccessToken = Optional.ofNullable(b.gcpAccessToken);
    }

    public static SourceOptions defaults() {
        return builder().build();
    }

    public static Builder builder() {
        return new Builder();
    }

    Optional<Environment> environment() {
        return environment;
    }

    Duration timeout() {
        return timeout;
    }

    boolean allowFilesReadableByOthers() {
        return allowFilesReadableByOthers;
    }

    void warn(String message) {
        warnings.accept(message);
    }

    Clock clock() {
        return clock;
    }

    Optional<URI> vaultAddress() {
        return vaultAddress;
    }

    Optional<Secret> vaultToken() {
        return vaultToken;
    }

    Optional<URI> awsEndpoint() {
        return awsEndpoint;
    }

    Optional<String> awsRegion() {
        return awsRegion;
    }

    Optional<URI> gcpEndpoint() {
        return gcpEndpoint;
    }

    Optional<Secret> gcpAccessToken() {
        return gcpAccessToken;
    }

    @Override
    public String toString() {
        return "SourceOptions[environment=" + environment.map(Enum::name).orElse("(from KEYWARDEN_ENV)")
                + ", timeout=" + timeout + ", allowFilesReadableByOthers=" + allowFilesReadableByOthers
                + ", vaultAddress=" + vaultAddress.map(URI::toString).orElse("-")
                + ", vaultToken=" + (vaultToken.isPresent() ? "[secret]" : "-")
                + ", awsEndpoint=" + awsEndpoint.map(URI::toString).orElse("-")
                + ", awsRegion=" + awsRegion.orElse("-")
                + ", gcpEndpoint=" + gcpEndpoint.map(URI::toString).orElse("-")
                + ", gcpAccessToken=" + (gcpAccessToken.isPresent() ? "[secret]" : "-") + "]";
    }

    /** Builds {@link SourceOptions}; every setting is optional. */
    public static final class Builder {
        private Environment environment;
        private Duration timeout = DEFAULT_TIMEOUT;
        private boolean allowFilesReadableByOthers;
        private Consumer<String> warnings = LOG::warn;
        private Clock clock = Clock.systemUTC();
        private URI vaultAddress;
        private Secret vaultToken;
        private URI awsEndpoint;
        private String awsRegion;
        private URI gcpEndpoint;
        private Secret gcpAccessToken;

        private Builder() {
        }

        /** The deployment environment; {@code dotenv:} sources are refused in production. */
        public Builder environment(Environment environment) {
            this.environment = Objects.requireNonNull(environment, "environment");
            return this;
        }

        /** Connect and answer timeout for the cloud sources (default 10 s). */
        public Builder timeout(Duration timeout) {
            if (timeout.isNegative() || timeout.isZero()) {
                throw new IllegalArgumentException("timeout must be positive, was " + timeout);
            }
            this.timeout = timeout;
            return this;
        }

        /**
         * Accept {@code file:} sources readable by group or others, with a warning instead of an
         * error. Off by default; turn on only where the directory itself is private.
         */
        public Builder allowFilesReadableByOthers(boolean allow) {
            this.allowFilesReadableByOthers = allow;
            return this;
        }

        /** Where warnings go (default: the log at WARN). Warnings never contain a secret. */
        public Builder warnings(Consumer<String> warnings) {
            this.warnings = Objects.requireNonNull(warnings, "warnings");
            return this;
        }

        /** Clock for request signing (AWS SigV4 dates); tests fix it. */
        public Builder clock(Clock clock) {
            this.clock = Objects.requireNonNull(clock, "clock");
            return this;
        }

        /** HashiCorp Vault address, instead of {@code VAULT_ADDR}. */
        public Builder vaultAddress(URI address) {
            this.vaultAddress = Objects.requireNonNull(address, "address");
            return this;
        }

        /** HashiCorp Vault token, instead of {@code VAULT_TOKEN}. */
        public Builder vaultToken(Secret token) {
            this.vaultToken = Objects.requireNonNull(token, "token");
            return this;
        }

        /** AWS Secrets Manager endpoint (a regional or VPC endpoint, or a local stand-in). */
        public Builder awsEndpoint(URI endpoint) {
            this.awsEndpoint = Objects.requireNonNull(endpoint, "endpoint");
            return this;
        }

        /** AWS region, instead of {@code AWS_REGION} / {@code AWS_DEFAULT_REGION}. */
        public Builder awsRegion(String region) {
            this.awsRegion = Objects.requireNonNull(region, "region");
            return this;
        }

        /** Google Secret Manager endpoint (default {@code https://secretmanager.googleapis.com}). */
        public Builder gcpEndpoint(URI endpoint) {
            this.gcpEndpoint = Objects.requireNonNull(endpoint, "endpoint");
            return this;
        }

        /** Google OAuth access token, instead of {@code GOOGLE_OAUTH_ACCESS_TOKEN}. */
        public Builder gcpAccessToken(Secret token) {
            this.gcpAccessToken = Objects.requireNonNull(token, "token");
            return this;
        }

        public SourceOptions build() {
            return new SourceOptions(this);
        }
    }
}
