package dev.keywarden.vault.crypto.kms;

import com.amazonaws.ClientConfiguration;
import com.amazonaws.auth.AWSCredentialsProvider;
import com.amazonaws.auth.AWSStaticCredentialsProvider;
import com.amazonaws.auth.BasicAWSCredentials;
import com.amazonaws.auth.BasicSessionCredentials;
import com.amazonaws.auth.DefaultAWSCredentialsProviderChain;
import com.amazonaws.client.builder.AwsClientBuilder;
import com.amazonaws.services.kms.AWSKMS;
import com.amazonaws.services.kms.AWSKMSClientBuilder;
import com.google.api.client.http.javanet.NetHttpTransport;
import com.google.api.client.json.gson.GsonFactory;
import com.google.api.services.cloudkms.v1.CloudKMS;
import com.google.auth.http.HttpCredentialsAdapter;
import com.google.auth.oauth2.AccessToken;
import com.google.auth.oauth2.GoogleCredentials;
import com.google.crypto.tink.Aead;
import com.google.crypto.tink.integration.awskms.AwsKmsAead;
import com.google.crypto.tink.integration.gcpkms.GcpKmsAead;
import dev.keywarden.config.ConfigException;
import dev.keywarden.vault.crypto.VaultException;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Builds the root {@link Aead} of a KMS-backed vault from {@code vault.kek}, {@code vault.kms_key},
 * {@code vault.kms_endpoint} and credentials from the environment:
 * <ul>
 *   <li>{@code vault-transit}: {@link VaultTransitAead}; key {@code https://vault:8200/v1/<mount>/keys/<name>} (or
 *       {@code <mount>/keys/<name>} with the address from {@code vault.kms_endpoint} or {@code VAULT_ADDR});
 *       token from {@code VAULT_TOKEN}, namespace from {@code VAULT_NAMESPACE};</li>
 *   <li>{@code aws-kms}: Tink's {@link AwsKmsAead} over the AWS SDK client (SigV4 signing by the SDK); key ARN
 *       (optionally {@code aws-kms://}-prefixed), region from the ARN, endpoint override from {@code vault.kms_endpoint};
 *       credentials from {@code AWS_ACCESS_KEY_ID} / {@code AWS_SECRET_ACCESS_KEY} / {@code AWS_SESSION_TOKEN}, else the
 *       SDK's default chain (instance profile, ...);</li>
 *   <li>{@code gcp-kms}: Tink's {@link GcpKmsAead} over the Cloud KMS REST client; key resource name (optionally
 *       {@code gcp-kms://}-prefixed), root URL override from {@code vault.kms_endpoint}; credentials from
 *       {@code GOOGLE_OAUTH_ACCESS_TOKEN}, else the file in {@code GOOGLE_APPLICATION_CREDENTIALS}, else application
 *       default credentials.</li>
 * </ul>
 * Guarantee: configuration mistakes are one-line {@link ConfigException}s naming the setting; KMS failures at use are
 * {@link dev.keywarden.vault.crypto.KmsUnavailableException}s naming the key and HTTP status, never credentials.
 */
public final class KmsAeads {

    private static final Pattern AWS_ARN = Pattern.compile("arn:aws[a-z-]*:kms:([a-z0-9-]+):[0-9]{12}:(key|alias)/.+");
    private static final Pattern GCP_KEY = Pattern.compile("projects/[^/]+/locations/[^/]+/keyRings/[^/]+/cryptoKeys/[^/]+");
    private static final Pattern TRANSIT_URL = Pattern.compile("(https?://[^/]+)/v1/(.+)/keys/([^/]+)/?");
    private static final Pattern TRANSIT_PATH = Pattern.compile("/?(.+)/keys/([^/]+)/?");

    private KmsAeads() {
    }

    /** What {@code vault.kms_key} looks like for {@code kek}, for error messages. */
    public static String keyExample(String kek) {
        return switch (kek) {
            case "vault-transit" -> "the transit key URL, e.g. https://vault.example:8200/v1/transit/keys/keywarden";
            case "aws-kms" -> "the key ARN, e.g. arn:aws:kms:eu-west-1:111122223333:key/<key id>";
            case "gcp-kms" -> "the key resource name, e.g. projects/P/locations/L/keyRings/R/cryptoKeys/K";
            default -> "the KMS key";
        };
    }

    /** The root {@link Aead} for {@code kek} (vault-transit, aws-kms or gcp-kms). */
    public static Aead create(String kek, String key, Optional<String> endpoint, Map<String, String> env) {
        return switch (kek) {
            case "vault-transit" -> vaultTransit(key, endpoint, env);
            case "aws-kms" -> awsKms(key, endpoint, env);
            case "gcp-kms" -> gcpKms(key, endpoint, env);
            default -> throw new ConfigException("vault.kek " + kek + " is not a KMS: use vault-transit, aws-kms or gcp-kms");
        };
    }

    static Aead vaultTransit(String key, Optional<String> endpoint, Map<String, String> env) {
        URI address;
        String mount;
        String name;
        Matcher url = TRANSIT_URL.matcher(key);
        Matcher path = TRANSIT_PATH.matcher(key);
        if (url.matches()) {
            address = uri(endpoint.orElse(url.group(1)), "vault.kms_endpoint");
            mount = url.group(2);
            name = url.group(3);
        } else if (path.matches()) {
            String addr = endpoint.or(() -> Optional.ofNullable(env.get("VAULT_ADDR"))).orElseThrow(() -> new ConfigException(
                    "vault.kms_endpoint is required when vault.kms_key is a path: set KEYWARDEN_VAULT_KMS_ENDPOINT (or VAULT_ADDR)"
                            + " to Vault's address, or give the full key URL"));
            address = uri(addr, "vault.kms_endpoint");
            mount = path.group(1);
            name = path.group(2);
        } else {
            throw new ConfigException("vault.kms_key '" + key + "' is not a Vault Transit key: set KEYWARDEN_VAULT_KMS_KEY to "
                    + keyExample("vault-transit"));
        }
        String token = env.get("VAULT_TOKEN");
        if (token == null || token.isBlank()) {
            throw new ConfigException("VAULT_TOKEN is required when vault.kek is vault-transit: set it to a token whose policy"
                    + " allows update on " + mount + "/encrypt/" + name + " and " + mount + "/decrypt/" + name);
        }
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
        return new VaultTransitAead(http, address, mount, name, token.strip(),
                Optional.ofNullable(env.get("VAULT_NAMESPACE")).filter(s -> !s.isBlank()));
    }

    static Aead awsKms(String key, Optional<String> endpoint, Map<String, String> env) {
        if (System.getProperty("aws.java.v1.disableDeprecationAnnouncement") == null) {
            System.setProperty("aws.java.v1.disableDeprecationAnnouncement", "true");
        }
        String arn = key.startsWith("aws-kms://") ? key.substring("aws-kms://".length()) : key;
        Matcher m = AWS_ARN.matcher(arn);
        if (!m.matches()) {
            throw new ConfigException("vault.kms_key '" + key + "' is not an AWS KMS key ARN: set KEYWARDEN_VAULT_KMS_KEY to "
                    + keyExample("aws-kms"));
        }
        String region = m.group(1);
        AWSCredentialsProvider credentials = awsCredentials(env);
        AWSKMSClientBuilder builder = AWSKMSClientBuilder.standard()
                .withCredentials(credentials)
                .withClientConfiguration(new ClientConfiguration().withConnectionTimeout(10_000).withRequestTimeout(30_000));
        if (endpoint.isPresent()) {
            uri(endpoint.get(), "vault.kms_endpoint");
            builder.withEndpointConfiguration(new AwsClientBuilder.EndpointConfiguration(endpoint.get(), region));
        } else {
            builder.withRegion(region);
        }
        AWSKMS client = builder.build();
        return new ClassifiedKmsAead(new AwsKmsAead(client, arn), "aws-kms", arn,
                "check the AWS credentials (AWS_ACCESS_KEY_ID, ...) and that the key policy allows kms:Encrypt and kms:Decrypt");
    }

    private static AWSCredentialsProvider awsCredentials(Map<String, String> env) {
        String id = env.get("AWS_ACCESS_KEY_ID");
        String secret = env.get("AWS_SECRET_ACCESS_KEY");
        if (id == null || id.isBlank()) {
            return DefaultAWSCredentialsProviderChain.getInstance();
        }
        if (secret == null || secret.isBlank()) {
            throw new ConfigException("AWS_SECRET_ACCESS_KEY is required when AWS_ACCESS_KEY_ID is set (vault.kek aws-kms)");
        }
        String session = env.get("AWS_SESSION_TOKEN");
        return new AWSStaticCredentialsProvider(session == null || session.isBlank()
                ? new BasicAWSCredentials(id.strip(), secret.strip())
                : new BasicSessionCredentials(id.strip(), secret.strip(), session.strip()));
    }

    static Aead gcpKms(String key, Optional<String> endpoint, Map<String, String> env) {
        String name = key.startsWith("gcp-kms://") ? key.substring("gcp-kms://".length()) : key;
        if (!GCP_KEY.matcher(name).matches()) {
            throw new ConfigException("vault.kms_key '" + key + "' is not a Cloud KMS key name: set KEYWARDEN_VAULT_KMS_KEY to "
                    + keyExample("gcp-kms"));
        }
        GoogleCredentials credentials = gcpCredentials(env);
        CloudKMS.Builder builder = new CloudKMS.Builder(new NetHttpTransport(), GsonFactory.getDefaultInstance(),
                new HttpCredentialsAdapter(credentials)).setApplicationName("keywarden");
        endpoint.ifPresent(e -> {
            uri(e, "vault.kms_endpoint");
            builder.setRootUrl(e.endsWith("/") ? e : e + "/");
        });
        return new ClassifiedKmsAead(new GcpKmsAead(builder.build(), name), "gcp-kms", name,
                "check the Google credentials and that they hold roles/cloudkms.cryptoKeyEncrypterDecrypter on the key");
    }

    private static GoogleCredentials gcpCredentials(Map<String, String> env) {
        String token = env.get("GOOGLE_OAUTH_ACCESS_TOKEN");
        if (token != null && !token.isBlank()) {
            return GoogleCredentials.create(new AccessToken(token.strip(), null));
        }
        try {
            String file = env.get("GOOGLE_APPLICATION_CREDENTIALS");
            GoogleCredentials credentials;
            if (file != null && !file.isBlank()) {
                try (InputStream in = Files.newInputStream(Path.of(file))) {
                    credentials = GoogleCredentials.fromStream(in);
                }
            } else {
                credentials = GoogleCredentials.getApplicationDefault();
            }
            return credentials.createScopedRequired()
                    ? credentials.createScoped("https://www.googleapis.com/auth/cloudkms") : credentials;
        } catch (IOException e) {
            throw new VaultException("no Google credentials for vault.kek gcp-kms (" + e.getClass().getSimpleName()
                    + "): set GOOGLE_APPLICATION_CREDENTIALS to a service-account key file, or run on a GCP workload identity");
        }
    }

    private static URI uri(String value, String setting) {
        try {
            URI uri = URI.create(value.strip());
            if (uri.getScheme() == null || !(uri.getScheme().equals("http") || uri.getScheme().equals("https")) || uri.getHost() == null) {
                throw new IllegalArgumentException();
            }
            return uri;
        } catch (IllegalArgumentException e) {
            throw new ConfigException(setting + " '" + value + "' is not an http(s) URL: set it like https://host:port");
        }
    }
}
